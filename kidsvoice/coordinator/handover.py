"""Handing an invitation over: the child's link, its QR code, the letter and the e-mail.

A link exists in full only in the response that issued it (the database keeps a hash), so
everything that carries it — the copy field, the QR code, the printable letter, the e-mail
form — is built here from the freshly issued token, in the child's own language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup

from ..models import Child, Invitation, Round
from ..operations.invitations import Issued
from ..qr import svg
from ..shortcode import ShortCode


def child_link(token: str) -> str:
    base_url = current_app.extensions["kidsvoice.config"].base_url
    return f"{base_url}/i/{token}"


@dataclass(frozen=True)
class Handover:
    child: Child
    round: Round
    invitation: Invitation
    token: str
    url: str
    code: ShortCode
    qr: Markup
    letter: Markup

    @property
    def expires_at(self) -> datetime:
        return self.invitation.expires_at


def contact_for(child: Child) -> str | None:
    """Who the letter and e-mail say to ask: the programme's contact, else the coordinator."""
    if child.programme.contact:
        return child.programme.contact
    if child.coordinator is not None:
        return child.coordinator.name
    return None


def build(issued: Issued, *, fast: bool = False) -> Handover:
    return from_parts(issued.invitation, issued.token, issued.short_code, fast=fast)


def from_parts(invitation: Invitation, token: str, code: ShortCode, *,
               fast: bool = False) -> Handover:
    child = invitation.child
    url = child_link(token)
    with force_locale(child.language):
        qr = svg(url, title=_("QR code for %(name)s's link", name=child.first_name), fast=fast)
        letter = Markup(  # noqa: S704 - a rendered, autoescaped template
            render_template(
                "letters/_letter.html",
                child=child,
                url=url,
                code=code,
                qr=qr,
                expires_at=invitation.expires_at,
                contact=contact_for(child),
            )
        )
    return Handover(
        child=child, round=invitation.round, invitation=invitation, token=token, url=url,
        code=code, qr=qr, letter=letter,
    )


def mail(handover: Handover) -> tuple[str, str]:
    """Subject and plain-text body, in the child's language; the first name is the only
    personal detail in it (no programme name, no case reference)."""
    child = handover.child
    with force_locale(child.language):
        subject = _("An invitation for %(name)s", name=child.first_name)
        body = render_template(
            "mail/invitation.txt",
            child=child,
            url=handover.url,
            code=handover.code,
            expires_at=handover.expires_at,
            contact=contact_for(child),
        )
    return subject, body
