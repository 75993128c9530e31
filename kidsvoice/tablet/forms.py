"""Tablet-mode forms (Flask-WTF, CSRF on every one)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from ..coordinator.forms import Form, options
from ..staff.forms import code_field

#: Minutes without a touch before the tablet returns to the lock screen.
IDLE_MINUTES = (2, 5, 10, 15, 30)
DEFAULT_IDLE_MINUTES = 5


class StartForm(Form):
    round = SelectField(_l("Round"), coerce=int, validate_choice=True)
    idle_minutes = SelectField(
        _l("Lock the tablet after"),
        coerce=int,
        choices=options((m, _l("%(num)d minutes without a touch", num=m)) for m in IDLE_MINUTES),
        default=DEFAULT_IDLE_MINUTES,
        validate_choice=True,
    )


class CodeForm(Form):
    code = StringField(
        _l("Your code"),
        validators=[
            DataRequired(_l("Type the code from your letter.")),
            Length(max=40, message=_l("That is not a code. Look at your letter again.")),
        ],
        render_kw={
            "autocomplete": "off",
            "autocapitalize": "characters",
            "autocorrect": "off",
            "spellcheck": "false",
            "inputmode": "text",
        },
    )


class AdultForm(Form):
    action = RadioField(
        _l("What do you want to do?"),
        choices=options([
            ("pick", _l("Choose the child who will answer")),
            ("leave", _l("Leave tablet mode")),
        ]),
        default="pick",
        validate_choice=True,
    )
    password = PasswordField(
        _l("Staff password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )


class AdultCodeForm(AdultForm):
    """The adult step for a staff member with two-factor login: the password, then a code
    from their app (the login's code field: the same label, parsing and single use)."""

    code = code_field()


class PickForm(Form):
    """A child's button on the picking list: only the CSRF token."""
