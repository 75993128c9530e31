"""The coordinator's forms (Flask-WTF: CSRF on every one that changes something).

Messages are English msgids (``lazy_gettext``).  Choices that depend on the programme (its
questionnaires, members, facilitators) are filled in by the view before validation.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from ..ids import MAX_ID
from ..invitation_state import InvitationState
from ..msgid import N_
from ..operations.staff import EMAIL_RE
from .labels import STATE_NAMES

#: WTForms' own messages, which it has no Danish for, said our way (and translated by us).
WTFORMS_MESSAGES = {
    "Not a valid choice.": N_("Choose one of the options."),
    "Invalid Choice: could not coerce.": N_("Choose one of the options."),
    "Invalid choice(s): one or more data inputs could not be coerced.":
        N_("Choose only from the options."),
    "'%(value)s' is not a valid choice for this field.": N_("Choose only from the options."),
    "'%(value)s' are not valid choices for this field.": N_("Choose only from the options."),
    "Not a valid integer value.": N_("Enter a whole number."),
    "Not a valid date value.": N_("Enter a date, e.g. 2027-03-01."),
    "This field is required.": N_("This field is required."),
    "Invalid input.": N_("Check what you typed."),
}


class _Translations:
    def gettext(self, string: str) -> str:
        return gettext(WTFORMS_MESSAGES.get(string, string))  # noqa: INT001 - msgids above

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        if singular in WTFORMS_MESSAGES:
            return gettext(WTFORMS_MESSAGES[singular])  # noqa: INT001
        return ngettext(singular, plural, n)  # noqa: INT001


_TRANSLATIONS = _Translations()


class Form(FlaskForm):
    """A Flask-WTF form whose built-in messages are translated like every other text."""

    class Meta:
        def get_translations(self, form: Any) -> _Translations:
            return _TRANSLATIONS


def options(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """Choices for a select, radio or checkbox field."""
    return [SelectChoice(value, label) for value, label in pairs]

#: Days an invitation may be valid for, offered in the forms.
VALIDITY_DAYS = (7, 14, 30, 60, 90)
EXTEND_DAYS = (7, 14, 30)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _days_choices(days: tuple[int, ...]) -> list[SelectChoice]:
    return options((d, _l("%(num)d days", num=d)) for d in days)


class ProgrammeForm(Form):
    name = StringField(
        _l("Name of the programme"),
        validators=[
            DataRequired(_l("Enter a name for the programme.")),
            Length(max=120, message=_l("At most %(max)d characters.")),
        ],
    )
    questionnaire = SelectField(
        _l("Questionnaire"), validate_choice=True, validators=[DataRequired()]
    )
    retention_months = IntegerField(
        _l("Keep answers for (months)"),
        validators=[
            InputRequired(_l("Enter a whole number of months.")),
            NumberRange(min=1, max=120, message=_l("Enter between 1 and 120 months.")),
        ],
        default=36,
    )
    contact = StringField(
        _l("Who children and families can ask"),
        validators=[Optional(), Length(max=200, message=_l("At most %(max)d characters."))],
    )


class NewProgrammeForm(ProgrammeForm):
    baseline_on = DateField(_l("Baseline: planned date"), validators=[Optional()])
    follow_up_on = DateField(_l("Follow-up: planned date"), validators=[Optional()])

    def validate_follow_up_on(self, field: DateField) -> None:
        if field.data and self.baseline_on.data and field.data < self.baseline_on.data:
            raise ValidationError(_l("The follow-up comes after the baseline."))


class EditProgrammeForm(ProgrammeForm):
    members = MultiCheckboxField(_l("Staff in the programme"), coerce=int, validate_choice=True)


class RoundForm(Form):
    label = StringField(
        _l("Name of the round"),
        validators=[
            DataRequired(_l("Enter a name for the round.")),
            Length(max=80, message=_l("At most %(max)d characters.")),
        ],
    )
    planned_on = DateField(_l("Planned date"), validators=[Optional()])


class NewRoundForm(RoundForm):
    kind = SelectField(_l("Kind of round"), validate_choice=True)


class ChildForm(Form):
    first_name = StringField(
        _l("First name or nickname"),
        validators=[
            DataRequired(_l("Enter the child's first name or nickname.")),
            Length(max=60, message=_l("At most %(max)d characters.")),
        ],
        render_kw={"autocomplete": "off"},
    )
    birth_year = IntegerField(
        _l("Birth year"),
        validators=[InputRequired(_l("Enter the year the child was born, e.g. 2016."))],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    language = SelectField(_l("Language"), validate_choice=True)
    external_ref = StringField(
        _l("Case reference (optional)"),
        validators=[Optional(), Length(max=60, message=_l("At most %(max)d characters."))],
        render_kw={"autocomplete": "off"},
    )
    coordinator = SelectField(_l("Coordinator"), coerce=int, validate_choice=True)
    facilitators = MultiCheckboxField(_l("Meeting facilitators"), coerce=int, validate_choice=True)


class InviteForm(Form):
    days = SelectField(
        _l("Valid for"), coerce=int, choices=_days_choices(VALIDITY_DAYS), validate_choice=True
    )


class ExtendForm(Form):
    days = SelectField(
        _l("Extend by"), coerce=int, choices=_days_choices(EXTEND_DAYS), validate_choice=True
    )


class BulkInviteForm(Form):
    which = RadioField(
        _l("Who gets a link"),
        choices=options([
            ("new", _l("Only children who have not been invited yet")),
            ("all", _l("Also new links for everyone who has not finished (their old links stop "
                       "working)")),
        ]),
        default="new",
        validate_choice=True,
    )
    days = SelectField(
        _l("Valid for"), coerce=int, choices=_days_choices(VALIDITY_DAYS), validate_choice=True
    )
    #: Links are made a batch at a time: the next batch starts after this child id.  Only a
    #: tampered form gets it wrong; the view then says :data:`BATCH_LOST` above the form.
    after = IntegerField(
        widget=HiddenInput(), validators=[Optional(), NumberRange(min=0, max=MAX_ID)], default=0
    )


BATCH_LOST = _l("The next links could not be made. Start again from the programme.")


class EmailForm(Form):
    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(_l("Enter the e-mail address to send the link to.")),
            Length(max=254, message=_l("At most %(max)d characters.")),
            Regexp(EMAIL_RE, message=_l("Enter a valid e-mail address, e.g. name@example.dk.")),
        ],
        render_kw={"autocomplete": "off"},
    )
    token = HiddenField(validators=[DataRequired(), Length(max=512)])
    code = HiddenField(validators=[DataRequired(), Length(max=20)])


class ConfirmForm(Form):
    """A button that changes something: only the CSRF token."""


class ListForm(Form):
    """A list's search box and page, read from the query string (GET, no CSRF)."""

    class Meta:
        csrf = False

    q = SearchField(
        _l("Name or case reference"),
        validators=[Optional(), Length(max=60, message=_l("At most %(max)d characters."))],
    )
    page = IntegerField(
        _l("Page"),
        validators=[Optional(), NumberRange(min=1, max=100_000, message=_l("No such page."))],
        default=1,
    )

    @property
    def search(self) -> str | None:
        """What to look for, once validated; ``None`` for everyone."""
        return (self.q.data or "").strip() or None


class FilterForm(ListForm):
    """The dashboard's filters: a round, a state and current or archived children, besides the
    search and the page."""

    round = SelectField(_l("Round"), coerce=int, validate_choice=True)
    state = SelectField(
        _l("State"),
        choices=options([("", _l("All"))] + [(s.value, STATE_NAMES[s]) for s in InvitationState]),
        default="",
        validate_choice=True,
    )
    archived = SelectField(
        _l("Children"),
        choices=options([("", _l("Current")), ("1", _l("Archived"))]),
        default="",
        validate_choice=True,
    )
