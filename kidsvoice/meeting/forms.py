"""Forms of the meeting pages (Flask-WTF: CSRF on every one; messages translated)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from ..operations.goals import RATING_MAX, RATING_MIN, TEXT_MAX

RATINGS = [SelectChoice(i, str(i)) for i in range(RATING_MIN, RATING_MAX + 1)]  # type: ignore[arg-type]


class GoalForm(FlaskForm):
    text = TextAreaField(
        _l("The goal, in the child's own words"),
        validators=[
            DataRequired(_l("Write the goal in the child's own words.")),
            Length(max=TEXT_MAX, message=_l("Keep the goal to at most %(max)d characters.")),
        ],
        render_kw={"rows": 2, "maxlength": TEXT_MAX, "dir": "auto"},
    )
    start_rating = RadioField(
        _l("How close is the child to the goal now?"),
        choices=RATINGS,
        coerce=int,
        validators=[InputRequired(_l("Choose the child's rating from 0 to 10."))],
    )
    agreed_on = DateField(
        _l("Agreed on"),
        validators=[InputRequired(_l("Enter the date the goal was agreed."))],
    )

    def validate(self, extra_validators: object = None) -> bool:
        ok = super().validate(extra_validators)  # type: ignore[arg-type]
        # One clear message per field, whatever WTForms found wrong (a missing value, a value
        # that is not a number 0-10, a date it cannot read).
        if self.start_rating.errors:
            self.start_rating.errors = [_l("Choose the child's rating from 0 to 10.")]
        if self.agreed_on.errors:
            self.agreed_on.errors = [_l("Enter the date the goal was agreed.")]
        return ok


class GoalStatusForm(FlaskForm):
    status = RadioField(
        _l("Status"),
        choices=[
            SelectChoice("achieved", _l("Achieved")),  # type: ignore[arg-type]
            SelectChoice("dropped", _l("Dropped")),  # type: ignore[arg-type]
            SelectChoice("open", _l("Open goal")),  # type: ignore[arg-type]
        ],
        validators=[InputRequired(_l("Choose achieved, dropped or open."))],
    )
