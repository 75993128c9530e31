"""Keep invitation tokens out of every log line, the web server's access log included.

The token link ``/i/<token>`` is exchanged for a session at once, but the request line that
carried it is logged by the server (werkzeug in development, gunicorn in production).  This
filter rewrites such lines to ``/i/[redacted]`` before any handler sees them.
"""

from __future__ import annotations

import logging
import re
from typing import Any

TOKEN_PATH = re.compile(r"/i/[^\s\"?#]+")
REDACTED = "/i/[redacted]"
LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error", "kidsvoice")


def redact(value: Any) -> Any:
    if isinstance(value, str):
        return TOKEN_PATH.sub(REDACTED, value)
    if isinstance(value, dict):
        return {key: redact(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return tuple(redact(item) for item in value)
    return value


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.msg)
        if record.args:
            record.args = redact(record.args)
        return True


_FILTER = RedactTokens()


def install() -> None:
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
