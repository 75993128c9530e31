"""Administrator forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from ..audit import Action
from ..ids import MAX_ID

#: What each audit action is called on the page.
ACTION_NAMES = {
    Action.LOGIN: _l("Logged in"),
    Action.LOGIN_FAILED: _l("Failed login"),
    Action.LOGOUT: _l("Logged out"),
    Action.TOTP_ENABLED: _l("Turned on two-factor login"),
    Action.TOTP_DISABLED: _l("Turned off two-factor login"),
    Action.TOTP_RESET: _l("Reset someone's two-factor login"),
    Action.SETTING_CHANGED: _l("Changed a setting"),
    Action.TABLET_ADULT: _l("Unlocked a tablet to choose a child or leave tablet mode"),
    Action.SHEET_VIEW: _l("Viewed an answer sheet"),
    Action.SHEET_PRINT: _l("Printed an answer sheet"),
    Action.SAFEGUARDING_VIEW: _l("Read answers kept from the meeting"),
    Action.EXPORT: _l("Exported data"),
    Action.INVITATION_CREATED: _l("Created an invitation"),
    Action.INVITATION_SENT: _l("Sent an invitation"),
    Action.INVITATION_REVOKED: _l("Revoked an invitation"),
    Action.GOAL_RECORDED: _l("Recorded or changed a goal"),
    Action.CHILD_ERASED: _l("Erased a child"),
    Action.ANSWERS_PURGED: _l("Deleted old answers"),
    Action.ACCESS_EXPORT: _l("Exported a child's data"),
    Action.WORRY_FLAGGED: _l("A child's answer matched the worry list"),
    Action.ANSWER_READ: _l("Marked a child's free text as read"),
}


class AuditFilterForm(FlaskForm):
    """The filters of the audit log (a GET form: no CSRF needed, nothing changes)."""

    action = SelectField(
        _l("Action"),
        choices=[SelectChoice("", _l("All actions"))]  # type: ignore[arg-type]
        + [SelectChoice(k, v) for k, v in ACTION_NAMES.items()],  # type: ignore[arg-type]
        validators=[Optional()],
        validate_choice=False,
    )
    actor = StringField(_l("Who (e-mail contains)"), validators=[Optional(), Length(max=254)])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
    before = IntegerField(validators=[Optional(), NumberRange(min=1, max=MAX_ID)])

    def validate_action(self, field: SelectField) -> None:
        if field.data and field.data not in ACTION_NAMES:
            raise ValidationError(_l("Choose one of the actions in the list."))

    def validate_date_to(self, field: DateField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date must not be before the start date."))

    def validate(self, extra_validators: object = None) -> bool:
        ok = super().validate(extra_validators)  # type: ignore[arg-type]
        for f in (self.date_from, self.date_to):
            if f.process_errors:  # not a date WTForms could read: say so in the page's language
                f.errors = [_l("Enter a date, for example 2027-03-14.")]
        return ok


class TwoFactorSettingForm(FlaskForm):
    """Whether every staff member must use two-factor login."""

    required = BooleanField(_l("Require two-factor login for all staff"))


class ResetTwoFactorForm(FlaskForm):
    """Reset one staff member's two-factor login: only the CSRF token."""
