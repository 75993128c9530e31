"""stored scores of completed responses

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 10:00:00.000000

Creates ``response_scores`` only.  Responses completed before this revision have no stored
scores: outcomes score them from their answers, as before, and store what they computed (see
:mod:`kidsvoice.stored_scores`), so the first outcome page of a programme after the upgrade
takes as long as it used to and the next ones are fast.  Like every migration here, this one
uses no application code (scoring lives in the app, and may change after this file is written).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('response_scores',
    sa.Column('response_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('scoring_version', sa.Integer(), nullable=False),
    sa.Column('basis', sa.String(length=64), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_response_scores_response_id_responses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('response_id', name=op.f('pk_response_scores'))
    )


def downgrade() -> None:
    op.drop_table('response_scores')
