"""index the answers that rate a goal

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 09:00:00.000000

``answers.goal_id`` references ``goals`` with ON DELETE SET NULL, but had no index: deleting a
goal (erasing a child, ``kidsvoice erase``) made the database read every answer of every child
to find the few that rate it — 3.6 s per child on SQLite with 100,000 children
(``bench/scale.py``).  A partial index (only answers that rate a goal: about 4 % of them) makes
it a lookup.  SQLite and PostgreSQL both use it for ``goal_id = ?``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        'ix_answers_goal_id', 'answers', ['goal_id'],
        sqlite_where=sa.text('goal_id IS NOT NULL'),
        postgresql_where=sa.text('goal_id IS NOT NULL'),
    )


def downgrade() -> None:
    op.drop_index('ix_answers_goal_id', table_name='answers')
