"""Sending e-mail through the municipality's SMTP server (``KIDSVOICE_MAIL_*`` settings).

Plain text only, one message at a time, with :mod:`smtplib`: STARTTLS (``mail_use_tls``) or
implicit TLS (``mail_use_ssl``), and a login when a user name is set.  Nothing is queued or
stored: a failure is reported to the person who pressed "send", who can try again.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from .config import Config

TIMEOUT_SECONDS = 15


class MailError(Exception):
    """The message could not be handed to the mail server."""


def is_configured(config: Config) -> bool:
    return bool(config.mail_server)


def build_message(config: Config, *, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = config.mail_sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=config.mail_sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body, subtype="plain", charset="utf-8")
    return message


def send(config: Config, *, to: str, subject: str, body: str) -> None:
    """Hand one plain-text message to the SMTP server, or raise :class:`MailError`."""
    if not config.mail_server:
        raise MailError("KIDSVOICE_MAIL_SERVER is not set")
    message = build_message(config, to=to, subject=subject, body=body)
    context = ssl.create_default_context()
    try:
        if config.mail_use_ssl:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                config.mail_server, config.mail_port, timeout=TIMEOUT_SECONDS, context=context
            )
        else:
            smtp = smtplib.SMTP(config.mail_server, config.mail_port, timeout=TIMEOUT_SECONDS)
        with smtp:
            if config.mail_use_tls and not config.mail_use_ssl:
                smtp.starttls(context=context)
            if config.mail_username:
                smtp.login(config.mail_username, config.mail_password or "")
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(str(exc)) from exc
