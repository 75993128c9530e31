"""The database models, one class per word of DESIGN.md.

Typed SQLAlchemy 2.x declarative (``Mapped[...]``).  Enumerations are ``StrEnum`` stored as
plain strings with a CHECK constraint (``native_enum=False``), so SQLite and PostgreSQL hold
the same thing and a migration never has to alter a database enum type.

Children are pseudonymous: a first name or nickname, a birth year, a language — never a CPR
number.  Invitations keep only a hash of their link's secret (see :mod:`kidsvoice.tokens`).
"""

from __future__ import annotations

import enum
import secrets
from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from .db import Base


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_public_id() -> str:
    """A random, non-sequential identifier safe to show or export (96 bits)."""
    return secrets.token_urlsafe(12)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda e: [m.value for m in e],
    )


class Role(enum.StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    FACILITATOR = "facilitator"
    EVALUATOR = "evaluator"


class RoundKind(enum.StrEnum):
    BASELINE = "baseline"
    FOLLOW_UP = "follow_up"
    CHECK_IN = "check_in"


class AnswerStatus(enum.StrEnum):
    ANSWERED = "answered"
    DECLINED = "declined"
    DONT_KNOW = "dont_know"


class GoalStatus(enum.StrEnum):
    OPEN = "open"
    ACHIEVED = "achieved"
    DROPPED = "dropped"


programme_staff = Table(
    "programme_staff",
    Base.metadata,
    Column("programme_id", ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True),
    Column("staff_id", ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True),
)

child_facilitators = Table(
    "child_facilitators",
    Base.metadata,
    Column("child_id", ForeignKey("children.id", ondelete="CASCADE"), primary_key=True),
    Column("staff_id", ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_child_facilitators_staff_id", "staff_id"),
)


class StaffUser(Base):
    """A member of staff who logs in: admin, coordinator, facilitator or evaluator."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(_enum(Role, "staff_role"))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Base32 secret of the staff member's authenticator app (two-factor login), if set up.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The last time step whose code was accepted: a code is never accepted twice.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    programmes: Mapped[list[Programme]] = relationship(
        secondary=programme_staff, back_populates="staff"
    )

    # Flask-Login's user protocol, written out so the model does not import Flask.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)


class Programme(Base):
    """One intervention in one municipality: its children, questionnaire and rounds."""

    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    questionnaire_id: Mapped[str] = mapped_column(String(64), default="kidsvoice-standard")
    questionnaire_version: Mapped[int] = mapped_column(Integer, default=1)
    #: Days after a round's answers were completed that they are kept (``kidsvoice purge``).
    retention_days: Mapped[int] = mapped_column(Integer, default=3 * 365)
    #: Who children and families can ask, as printed on the invitation letter.
    contact: Mapped[str | None] = mapped_column(String(200))
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    rounds: Mapped[list[Round]] = relationship(
        back_populates="programme", order_by="Round.position", cascade="all, delete-orphan"
    )
    children: Mapped[list[Child]] = relationship(back_populates="programme")
    staff: Mapped[list[StaffUser]] = relationship(
        secondary=programme_staff, back_populates="programmes"
    )


class Round(Base):
    """A measurement occasion of a programme: baseline, follow-up or a check-in."""

    __tablename__ = "rounds"
    __table_args__ = (UniqueConstraint("programme_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    kind: Mapped[RoundKind] = mapped_column(_enum(RoundKind, "round_kind"))
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(80))
    planned_on: Mapped[date | None] = mapped_column(Date)

    programme: Mapped[Programme] = relationship(back_populates="rounds")


class Child(Base):
    """A pseudonymous child in a programme.  Never a CPR number."""

    __tablename__ = "children"
    __table_args__ = (
        CheckConstraint("birth_year >= 1900 AND birth_year <= 2200", name="birth_year_sane"),
        Index("ix_children_programme_id", "programme_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Pseudonymous id for exports and statistics; never reveals the database id.
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="RESTRICT"))
    first_name: Mapped[str] = mapped_column(String(60))
    birth_year: Mapped[int] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(10), default="da")
    external_ref: Mapped[str | None] = mapped_column(String(60))
    #: The questionnaire's age variant, pinned at the child's first round (INSTRUMENT §2).
    variant: Mapped[str | None] = mapped_column(String(10))
    coordinator_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    programme: Mapped[Programme] = relationship(back_populates="children")
    coordinator: Mapped[StaffUser | None] = relationship(foreign_keys=[coordinator_id])
    facilitators: Mapped[list[StaffUser]] = relationship(secondary=child_facilitators)
    invitations: Mapped[list[Invitation]] = relationship(back_populates="child")
    goals: Mapped[list[Goal]] = relationship(back_populates="child", order_by="Goal.id")


class Invitation(Base):
    """One child × one round: the token link's state lives here, never in the token."""

    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("child_id", "round_id"),
        Index("ix_invitations_round_id", "round_id"),
        Index("ix_invitations_short_code_selector", "short_code_selector"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Random public id carried in the token (readable payload: nothing personal).
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    #: SHA-256 (hex) of the token's random secret; the secret itself is never stored.
    secret_hash: Mapped[str] = mapped_column(String(64))
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"))
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The short code typed on a shared tablet (see :mod:`kidsvoice.shortcode`): its first
    #: group as it is, an HMAC of the whole code, and the wrong codes tried against it.
    short_code_selector: Mapped[str | None] = mapped_column(String(8))
    short_code_hash: Mapped[str | None] = mapped_column(String(64))
    short_code_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    child: Mapped[Child] = relationship(back_populates="invitations")
    round: Mapped[Round] = relationship()
    response: Mapped[Response | None] = relationship(back_populates="invitation")


class Response(Base):
    """The answers of one invitation, and the questionnaire version they were given in."""

    __tablename__ = "responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), unique=True
    )
    questionnaire_id: Mapped[str] = mapped_column(String(64))
    questionnaire_version: Mapped[int] = mapped_column(Integer)
    variant: Mapped[str] = mapped_column(String(10))
    language: Mapped[str] = mapped_column(String(10))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: First time a free-text answer matched a worry word: the coordinator is told at once.
    flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    invitation: Mapped[Invitation] = relationship(back_populates="response")
    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", order_by="Answer.id"
    )


class Answer(Base):
    """Exactly one row per response and question (upserted: double submits are harmless)."""

    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("response_id", "question_key"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 10)", name="score_range"),
        # Deleting a goal sets its answers' goal_id to NULL: found by this index, not by
        # reading every answer (migration 0006).  Only answers that rate a goal are in it.
        Index(
            "ix_answers_goal_id",
            "goal_id",
            sqlite_where=sql_text("goal_id IS NOT NULL"),
            postgresql_where=sql_text("goal_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"))
    question_key: Mapped[str] = mapped_column(String(40))
    status: Mapped[AnswerStatus] = mapped_column(_enum(AnswerStatus, "answer_status"))
    #: The option's score for faces, scale, ladder and goal questions.
    score: Mapped[int | None] = mapped_column(Integer)
    #: Chosen option codes for choice and cards questions.
    choices: Mapped[list[str] | None] = mapped_column(JSON)
    #: Free text, or the text of a "Something else…" card.
    text: Mapped[str | None] = mapped_column(Text)
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("goals.id", ondelete="SET NULL"))
    #: The child chose to keep this answer from the meeting sheet.
    hidden_from_meeting: Mapped[bool] = mapped_column(Boolean, default=False)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    #: The free text matched the safeguarding list of worry words (kidsvoice/safeguarding.py).
    worry: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: When the child's coordinator marked this free text as read, and who did.
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    read_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )

    response: Mapped[Response] = relationship(back_populates="answers")


class StoredScores(Base):
    """A completed response's scores, stored when it was finished, so that outcomes and the
    export read one small row per response instead of its answers.

    ``data`` is :func:`kidsvoice.response_scores.encode`'s text; ``scoring_version`` and
    ``basis`` say what it was computed with (see :mod:`kidsvoice.stored_scores`): a row of an
    older scoring version, or of another questionnaire basis, is ignored and the response is
    scored again from its answers.  Deleted with the response (ON DELETE CASCADE).
    """

    __tablename__ = "response_scores"

    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    scoring_version: Mapped[int] = mapped_column(Integer)
    basis: Mapped[str] = mapped_column(String(64))
    data: Mapped[str] = mapped_column(Text)


class Goal(Base):
    """A shared goal agreed at the meeting, in the child's own words (at most three open)."""

    __tablename__ = "goals"
    __table_args__ = (
        CheckConstraint("start_rating >= 0 AND start_rating <= 10", name="start_rating_range"),
        Index("ix_goals_child_id", "child_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(200))
    start_rating: Mapped[int] = mapped_column(Integer)
    agreed_on: Mapped[date] = mapped_column(Date, server_default=func.current_date())
    status: Mapped[GoalStatus] = mapped_column(_enum(GoalStatus, "goal_status"), default="open")
    #: The round whose meeting agreed the goal.
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    child: Mapped[Child] = relationship(back_populates="goals")


class AuditEntry(Base):
    """One line of the append-only audit log, chained by hash (see :mod:`kidsvoice.audit`).

    ``subject`` is the child's pseudonymous public id, not a foreign key: an entry must
    survive the child's erasure unchanged (or the chain breaks) while linking back to nothing.
    """

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_subject", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str | None] = mapped_column(String(32))
    programme_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class Setting(Base):
    """An installation-wide setting an administrator changes in the app (e.g. requiring
    two-factor login for all staff)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
