"""Staff forms (Flask-WTF: CSRF on every one)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(_l("Enter your e-mail address.")), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )


def code_field() -> StringField:
    return StringField(
        _l("Code from your app"),
        validators=[DataRequired(_l("Type the 6-digit code from your app.")), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric",
                   "spellcheck": "false", "autocapitalize": "off"},
    )


class LoginCodeForm(FlaskForm):
    """The login's second step."""

    code = code_field()


class TwoFactorStartForm(FlaskForm):
    """Start (or start again) setting up two-factor login: only the CSRF token."""


class TwoFactorConfirmForm(FlaskForm):
    """Prove the app holds the secret: the set-up is finished by a right code."""

    code = code_field()


class TwoFactorDisableForm(FlaskForm):
    """Turning two-factor login off takes the password and a current code."""

    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    code = code_field()
