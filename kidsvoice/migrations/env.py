"""Alembic environment: migrations run on the connection KidsVoice hands over
(``kidsvoice db upgrade``, see :mod:`kidsvoice.migrate`)."""

from __future__ import annotations

from alembic import context

from kidsvoice import models  # noqa: F401  (registers the tables)
from kidsvoice.db import Base

config = context.config
target_metadata = Base.metadata


def render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Write KidsVoice's own column types as plain SQLAlchemy types in migrations, so a
    migration never depends on application code that may change later."""
    from kidsvoice.models import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations_online() -> None:
    connection = config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():  # pragma: no cover
    raise SystemExit("KidsVoice runs its migrations online: kidsvoice db upgrade")
run_migrations_online()
