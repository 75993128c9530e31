"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-26 10:16:18.284225
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('programmes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('questionnaire_id', sa.String(length=64), nullable=False),
    sa.Column('questionnaire_version', sa.Integer(), nullable=False),
    sa.Column('retention_days', sa.Integer(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programmes')),
    sa.UniqueConstraint('name', name=op.f('uq_programmes_name'))
    )
    op.create_table('staff_users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('role', sa.Enum('admin', 'coordinator', 'facilitator', 'evaluator', name='staff_role', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_users')),
    sa.UniqueConstraint('email', name=op.f('uq_staff_users_email'))
    )
    op.create_table('children',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('first_name', sa.String(length=60), nullable=False),
    sa.Column('birth_year', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('external_ref', sa.String(length=60), nullable=True),
    sa.Column('variant', sa.String(length=10), nullable=True),
    sa.Column('coordinator_id', sa.Integer(), nullable=True),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('birth_year >= 1900 AND birth_year <= 2200', name=op.f('ck_children_birth_year_sane')),
    sa.ForeignKeyConstraint(['coordinator_id'], ['staff_users.id'], name=op.f('fk_children_coordinator_id_staff_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_children_programme_id_programmes'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_children')),
    sa.UniqueConstraint('public_id', name=op.f('uq_children_public_id'))
    )
    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.create_index('ix_children_programme_id', ['programme_id'], unique=False)

    op.create_table('programme_staff',
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_programme_staff_programme_id_programmes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id'], name=op.f('fk_programme_staff_staff_id_staff_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('programme_id', 'staff_id', name=op.f('pk_programme_staff'))
    )
    op.create_table('rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('baseline', 'follow_up', 'check_in', name='round_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=80), nullable=False),
    sa.Column('planned_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_rounds_programme_id_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rounds')),
    sa.UniqueConstraint('programme_id', 'position', name=op.f('uq_rounds_programme_id_position'))
    )
    op.create_table('child_facilitators',
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f('fk_child_facilitators_child_id_children'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id'], name=op.f('fk_child_facilitators_staff_id_staff_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('child_id', 'staff_id', name=op.f('pk_child_facilitators'))
    )
    with op.batch_alter_table('child_facilitators', schema=None) as batch_op:
        batch_op.create_index('ix_child_facilitators_staff_id', ['staff_id'], unique=False)

    op.create_table('goals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=200), nullable=False),
    sa.Column('start_rating', sa.Integer(), nullable=False),
    sa.Column('agreed_on', sa.Date(), server_default=sa.text('(CURRENT_DATE)'), nullable=False),
    sa.Column('status', sa.Enum('open', 'achieved', 'dropped', name='goal_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('start_rating >= 0 AND start_rating <= 10', name=op.f('ck_goals_start_rating_range')),
    sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f('fk_goals_child_id_children'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff_users.id'], name=op.f('fk_goals_created_by_id_staff_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_goals_round_id_rounds'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goals'))
    )
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.create_index('ix_goals_child_id', ['child_id'], unique=False)

    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f('fk_invitations_child_id_children'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff_users.id'], name=op.f('fk_invitations_created_by_id_staff_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_invitations_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations')),
    sa.UniqueConstraint('child_id', 'round_id', name=op.f('uq_invitations_child_id_round_id')),
    sa.UniqueConstraint('public_id', name=op.f('uq_invitations_public_id'))
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index('ix_invitations_round_id', ['round_id'], unique=False)

    op.create_table('responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.String(length=64), nullable=False),
    sa.Column('questionnaire_version', sa.Integer(), nullable=False),
    sa.Column('variant', sa.String(length=10), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitations.id'], name=op.f('fk_responses_invitation_id_invitations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_responses')),
    sa.UniqueConstraint('invitation_id', name=op.f('uq_responses_invitation_id'))
    )
    op.create_table('answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('question_key', sa.String(length=40), nullable=False),
    sa.Column('status', sa.Enum('answered', 'declined', 'dont_know', name='answer_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('choices', sa.JSON(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('goal_id', sa.Integer(), nullable=True),
    sa.Column('hidden_from_meeting', sa.Boolean(), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('score IS NULL OR (score >= 0 AND score <= 10)', name=op.f('ck_answers_score_range')),
    sa.ForeignKeyConstraint(['goal_id'], ['goals.id'], name=op.f('fk_answers_goal_id_goals'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_answers_response_id_responses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answers')),
    sa.UniqueConstraint('response_id', 'question_key', name=op.f('uq_answers_response_id_question_key'))
    )


def downgrade() -> None:
    op.drop_table('answers')
    op.drop_table('responses')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index('ix_invitations_round_id')

    op.drop_table('invitations')
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.drop_index('ix_goals_child_id')

    op.drop_table('goals')
    with op.batch_alter_table('child_facilitators', schema=None) as batch_op:
        batch_op.drop_index('ix_child_facilitators_staff_id')

    op.drop_table('child_facilitators')
    op.drop_table('rounds')
    op.drop_table('programme_staff')
    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.drop_index('ix_children_programme_id')

    op.drop_table('children')
    op.drop_table('staff_users')
    op.drop_table('programmes')
