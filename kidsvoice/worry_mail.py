"""Telling the coordinators at once that a child's answer matched the worry list.

An e-mail through :mod:`kidsvoice.mail`, when mail is configured, to the coordinators who must
read the child's free text (:func:`~kidsvoice.operations.safeguarding.responsible_coordinators`).
The message holds **nothing the child wrote and no name**: only that a flagged answer awaits and
the link to the "Free text to read" page, behind the staff login.  The badge on the staff start
page says the same to anyone who does not read e-mail.

It is sent after the answer is committed, from a background thread, so that a slow or broken
mail server never keeps a child waiting or loses an answer.  A failure is logged without any
child data (the badge still shows the flag).
"""

from __future__ import annotations

import logging
import threading

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from . import mail
from .config import Config
from .models import Child
from .operations.safeguarding import responsible_coordinators
from .web import db_session

log = logging.getLogger(__name__)


def message_for(config: Config) -> tuple[str, str]:
    """The subject and body, in the installation's default language (in a request)."""
    link = config.base_url + url_for("safeguarding.unread")
    with force_locale(config.default_locale):
        subject = _("KidsVoice: a child's answer needs your attention")
        body = "\n\n".join([
            _("A child's answer in KidsVoice matched the list of worry words."),
            _("Please read it as soon as you can, and assess the concern within 24 hours:"),
            link,
            _("This e-mail holds no answers and no names. Log in to read the answer."),
        ]) + "\n"
    return subject, body


def tell_coordinators(child: Child) -> int:
    """Queue one e-mail per responsible coordinator; the number queued (0 without mail)."""
    config: Config = current_app.extensions["kidsvoice.config"]
    if not mail.is_configured(config):
        return 0
    recipients = [user.email for user in responsible_coordinators(db_session(), child)]
    if not recipients:
        log.warning("safeguarding: a flagged answer has no coordinator to tell (programme %s)",
                    child.programme_id)
        return 0
    subject, body = message_for(config)
    thread = threading.Thread(
        target=_send_all, args=(config, recipients, subject, body), daemon=True,
        name="kidsvoice-worry-mail",
    )
    thread.start()
    return len(recipients)


def _send_all(config: Config, recipients: list[str], subject: str, body: str) -> None:
    for address in recipients:
        try:
            mail.send(config, to=address, subject=subject, body=body)
        except mail.MailError:
            log.error("safeguarding: the e-mail to a coordinator could not be sent")
