"""``N_()`` marks an English message id for extraction without translating it (pure modules
and operations raise errors with such ids; the page that shows them translates)."""


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    return message
