"""coordinator: programme contact, invitation short codes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact', sa.String(length=200), nullable=True))

    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('short_code_selector', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('short_code_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('short_code_failures', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index('ix_invitations_short_code_selector', ['short_code_selector'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index('ix_invitations_short_code_selector')
        batch_op.drop_column('short_code_failures')
        batch_op.drop_column('short_code_hash')
        batch_op.drop_column('short_code_selector')

    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.drop_column('contact')
