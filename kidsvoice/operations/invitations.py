"""Invitations: one child × one round, and the token link that opens it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, insert, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from .. import audit, shortcode
from ..audit import Action
from ..invitation_state import InvitationState, invitation_state
from ..models import (
    Answer,
    Child,
    Invitation,
    Programme,
    Response,
    Round,
    StaffUser,
    new_public_id,
    utcnow,
)
from ..msgid import N_
from ..name_order import name_key
from ..shortcode import ShortCode
from ..tokens import InvitationTokens
from . import OperationError


def invite(
    session: Session,
    *,
    child: Child,
    round_: Round,
    tokens: InvitationTokens,
    days: int,
    created_by: StaffUser | None = None,
    now: datetime | None = None,
) -> tuple[Invitation, str]:
    """Create the child's invitation for the round, or give it a fresh link.

    A fresh link replaces the old one (only one secret hash is kept), re-opens a revoked
    invitation and restarts the expiry; a completed invitation cannot be re-issued.
    Returns the invitation and the token — the only time the token exists in full.
    """
    if round_.programme_id != child.programme_id:
        raise OperationError(N_("That round belongs to another programme."))
    now = now or utcnow()
    invitation = session.scalar(
        select(Invitation).where(Invitation.child_id == child.id, Invitation.round_id == round_.id)
    )
    if invitation is not None and invitation.completed_at is not None:
        raise OperationError(N_("The child has already answered this round."))
    public_id = new_public_id()
    issued = tokens.issue(public_id)
    if invitation is None:
        invitation = Invitation(
            child=child, round=round_, created_by_id=created_by and created_by.id
        )
        session.add(invitation)
    _fresh_link(invitation, public_id=public_id, secret_hash=issued.secret_hash,
                expires_at=now + timedelta(days=days))
    session.flush()
    return invitation, issued.token


def _fresh_link(invitation: Invitation, *, public_id: str, secret_hash: str,
                expires_at: datetime, code: ShortCode | None = None,
                code_hash: str | None = None) -> None:
    """Give the invitation a new link (and short code, or none yet): re-opened if revoked,
    the expiry restarted, the old link and letter void."""
    invitation.public_id = public_id
    invitation.secret_hash = secret_hash
    invitation.expires_at = expires_at
    invitation.revoked_at = None
    invitation.short_code_selector = code.selector if code is not None else None
    invitation.short_code_hash = code_hash
    invitation.short_code_failures = 0


#: The longest an invitation may stay valid, counted from now.
MAX_DAYS = 365
#: Who "new links for everyone who has not finished" reaches: never the revoked (someone
#: chose to stop them) nor the completed.
UNFINISHED = frozenset({
    InvitationState.NOT_INVITED,
    InvitationState.INVITED,
    InvitationState.OPENED,
    InvitationState.IN_PROGRESS,
    InvitationState.EXPIRED,
})
_CODE_ATTEMPTS = 50


@dataclass(frozen=True)
class Issued:
    """A freshly issued invitation: the only moment its link and short code exist in full."""

    invitation: Invitation
    token: str
    short_code: ShortCode


def issue(
    session: Session,
    *,
    child: Child,
    round_: Round,
    tokens: InvitationTokens,
    days: int,
    code_keys: Sequence[str],
    actor: StaffUser | None = None,
    actor_label: str | None = None,
    now: datetime | None = None,
) -> Issued:
    """Create the invitation or give it a fresh link and short code (the old ones stop
    working), and write it to the audit log."""
    now = now or utcnow()
    _check_days(days)
    if child.archived_at is not None:
        raise OperationError(N_("The child is archived. Restore the child to invite them."))
    if round_.programme_id != child.programme_id:
        raise OperationError(N_("That round belongs to another programme."))
    invitation = session.scalar(
        select(Invitation).where(Invitation.child_id == child.id, Invitation.round_id == round_.id)
    )
    if invitation is not None and invitation.completed_at is not None:
        raise OperationError(N_("The child has already answered this round."))
    [issued] = _issue_all(
        session, [(child, invitation)], round_=round_, tokens=tokens, days=days,
        code_keys=code_keys, actor=actor, actor_label=actor_label, now=now,
    )
    return issued


def _check_days(days: int) -> None:
    if not 1 <= days <= MAX_DAYS:
        raise OperationError(N_("An invitation can be valid for 1 to %(n)s days."), n=MAX_DAYS)


def _issue_all(
    session: Session,
    pairs: Sequence[tuple[Child, Invitation | None]],
    *,
    round_: Round,
    tokens: InvitationTokens,
    days: int,
    code_keys: Sequence[str],
    actor: StaffUser | None,
    actor_label: str | None,
    now: datetime,
) -> list[Issued]:
    """Issue a link and short code to each child (creating its invitation for the round, or
    replacing the link and code of the one given), flushed at once, with one audit entry per
    child: a constant number of statements however many children there are."""
    if not pairs:
        return []
    replacing = {inv.id for _child, inv in pairs if inv is not None}
    codes = _free_short_codes(session, len(pairs), replacing=replacing, now=now)
    key = code_keys[-1]
    expires_at = now + timedelta(days=days)
    created_by_id = actor.id if actor is not None else None
    links: list[tuple[str, ShortCode]] = []
    new_rows: list[dict[str, object]] = []
    entries = []
    for (child, invitation), code in zip(pairs, codes, strict=True):
        public_id = new_public_id()
        link = tokens.issue(public_id)
        code_hash = shortcode.hash_code(code, key)
        if invitation is None:
            # New ones go in with one executemany below (the ORM would insert them one by
            # one to read back each id).
            new_rows.append({
                "public_id": public_id, "secret_hash": link.secret_hash, "child_id": child.id,
                "round_id": round_.id, "created_by_id": created_by_id, "created_at": now,
                "expires_at": expires_at, "opened_at": None, "completed_at": None,
                "revoked_at": None, "short_code_selector": code.selector,
                "short_code_hash": code_hash, "short_code_failures": 0,
            })
        else:
            _fresh_link(invitation, public_id=public_id, secret_hash=link.secret_hash,
                        expires_at=expires_at, code=code, code_hash=code_hash)
        links.append((link.token, code))
        entries.append(audit.NewEntry(
            action=Action.INVITATION_CREATED,
            subject=child.public_id,
            programme_id=child.programme_id,
            detail={"round": round_.position, "new_link": invitation is not None, "days": days},
        ))
    session.flush()  # the re-issued ones: one UPDATE executemany
    created = _insert_invitations(session, new_rows, round_=round_)
    for child, invitation in pairs:
        if invitation is None and "invitations" in child.__dict__:
            session.expire(child, ["invitations"])  # a loaded list lacks the new one
    audit.record_many(session, entries, actor=actor, actor_label=actor_label)
    issued = []
    for (child, invitation), (token, code) in zip(pairs, links, strict=True):
        invitation = invitation or created[child.id]
        # Whoever hands the links over reads the child and round of each: keep them
        # attached (the session holds its objects weakly; a lazy load would ask per child).
        set_committed_value(invitation, "child", child)
        set_committed_value(invitation, "round", round_)
        issued.append(Issued(invitation, token, code))
    return issued


def _insert_invitations(
    session: Session, rows: list[dict[str, object]], *, round_: Round
) -> dict[int, Invitation]:
    """Insert new invitations of one round at once; returns them (loaded) by child id."""
    if not rows:
        return {}
    session.execute(insert(Invitation.__table__), rows)
    child_ids = [row["child_id"] for row in rows]
    created: dict[int, Invitation] = {}
    for start in range(0, len(child_ids), _CODE_CHUNK):
        created.update(
            (inv.child_id, inv)
            for inv in session.scalars(
                select(Invitation).where(
                    Invitation.round_id == round_.id,
                    Invitation.child_id.in_(child_ids[start : start + _CODE_CHUNK]),
                )
            )
        )
    return created


#: Selectors asked about per query (well below any backend's limit on parameters).
_CODE_CHUNK = 500


def _free_short_codes(
    session: Session, count: int, *, replacing: set[int], now: datetime
) -> list[ShortCode]:
    """``count`` new codes whose selectors differ from each other and from those of every
    other answerable invitation (the ``replacing`` invitations' old codes are about to go).

    All candidates are checked at once; only the clashes are drawn again.
    """
    codes: list[ShortCode | None] = [None] * count
    chosen: set[str] = set()
    todo = list(range(count))
    for _attempt in range(_CODE_ATTEMPTS):
        candidates = {i: shortcode.generate() for i in todo}
        taken = _selectors_in_use(
            session, {c.selector for c in candidates.values()}, replacing=replacing, now=now
        )
        todo = []
        for i, code in candidates.items():
            if code.selector in taken or code.selector in chosen:
                todo.append(i)
            else:
                codes[i] = code
                chosen.add(code.selector)
        if not todo:
            return [c for c in codes if c is not None]
    raise OperationError(N_("No free short code was found. Please try again."))  # pragma: no cover


def _selectors_in_use(
    session: Session, selectors: set[str], *, replacing: set[int], now: datetime
) -> set[str]:
    """Which of ``selectors`` an answerable invitation (other than ``replacing``) holds."""
    wanted = sorted(selectors)
    taken: set[str] = set()
    for start in range(0, len(wanted), _CODE_CHUNK):
        rows = session.execute(
            select(Invitation.id, Invitation.short_code_selector).where(
                Invitation.short_code_selector.in_(wanted[start : start + _CODE_CHUNK]),
                Invitation.completed_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > now,
            )
        )
        taken.update(selector for id_, selector in rows if id_ not in replacing)
    return taken


def revoke(
    session: Session,
    *,
    invitation: Invitation,
    actor: StaffUser | None = None,
    now: datetime | None = None,
) -> None:
    """Stop the link and short code at once (a new link can be issued later)."""
    if invitation.completed_at is not None:
        raise OperationError(N_("The child has already answered this round."))
    if invitation.revoked_at is not None:
        return
    invitation.revoked_at = now or utcnow()
    invitation.short_code_selector = None
    invitation.short_code_hash = None
    session.flush()
    audit.record(
        session,
        action=Action.INVITATION_REVOKED,
        actor=actor,
        subject=invitation.child.public_id,
        programme_id=invitation.child.programme_id,
        detail={"round": invitation.round.position},
    )


def extend(
    session: Session, *, invitation: Invitation, days: int, now: datetime | None = None
) -> datetime:
    """Push the expiry ``days`` further (from now, if it has passed); the link stays the same."""
    now = now or utcnow()
    if invitation.completed_at is not None:
        raise OperationError(N_("The child has already answered this round."))
    if invitation.revoked_at is not None:
        raise OperationError(N_("The invitation was revoked. Send a new link instead."))
    if not 1 <= days <= MAX_DAYS:
        raise OperationError(N_("An invitation can be valid for 1 to %(n)s days."), n=MAX_DAYS)
    new_expiry = max(invitation.expires_at, now) + timedelta(days=days)
    if new_expiry > now + timedelta(days=MAX_DAYS):
        raise OperationError(
            N_("An invitation can be valid for at most %(n)s days from today."), n=MAX_DAYS
        )
    invitation.expires_at = new_expiry
    session.flush()
    return new_expiry


def record_sent(
    session: Session, *, invitation: Invitation, actor: StaffUser | None, channel: str
) -> None:
    """Log that the link was sent (never to whom: the address is not kept)."""
    audit.record(
        session,
        action=Action.INVITATION_SENT,
        actor=actor,
        subject=invitation.child.public_id,
        programme_id=invitation.child.programme_id,
        detail={"round": invitation.round.position, "channel": channel},
    )


def mark_opened(invitation: Invitation, now: datetime | None = None) -> None:
    if invitation.opened_at is None:
        invitation.opened_at = now or utcnow()


def has_answers(session: Session, invitation_ids: Iterable[int]) -> set[int]:
    """Which of these invitations have a response with at least one answer."""
    ids = list(invitation_ids)
    if not ids:
        return set()
    rows = session.scalars(
        select(Response.invitation_id)
        .where(Response.invitation_id.in_(ids))
        .where(exists().where(Answer.response_id == Response.id))
    )
    return set(rows)


def state_of(invitation: Invitation | None, *, answered: bool, now: datetime) -> InvitationState:
    if invitation is None:
        return invitation_state(exists=False, now=now)
    return invitation_state(
        exists=True,
        opened_at=invitation.opened_at,
        completed_at=invitation.completed_at,
        revoked_at=invitation.revoked_at,
        expires_at=invitation.expires_at,
        has_answers=answered,
        now=now,
    )


def round_states(
    session: Session, *, round_: Round, children: Sequence[Child], now: datetime
) -> dict[int, tuple[InvitationState, Invitation | None]]:
    """Each child's state in the round (by child id), in two queries."""
    ids = [c.id for c in children]
    invitations = {
        inv.child_id: inv
        for inv in session.scalars(
            select(Invitation).where(Invitation.round_id == round_.id, Invitation.child_id.in_(ids))
        )
    } if ids else {}
    answered = has_answers(session, [inv.id for inv in invitations.values()])
    result = {}
    for child in children:
        inv = invitations.get(child.id)
        result[child.id] = (state_of(inv, answered=inv is not None and inv.id in answered,
                                     now=now), inv)
    return result


@dataclass(frozen=True)
class BulkIssued:
    """What :func:`bulk_issue` did: the links issued (in name order), and how many children
    chosen are still waiting when it issued a batch only."""

    issued: list[Issued]
    remaining: int = 0
    #: The batch's highest child id: the next batch starts after it (``after_child_id``).
    last_child_id: int | None = None


def bulk_issue(
    session: Session,
    *,
    programme: Programme,
    round_: Round,
    tokens: InvitationTokens,
    days: int,
    code_keys: Sequence[str],
    states: Iterable[InvitationState],
    actor: StaffUser | None = None,
    actor_label: str | None = None,
    now: datetime | None = None,
    limit: int | None = None,
    after_child_id: int = 0,
) -> BulkIssued:
    """Invite every current child of the programme whose state in the round is in ``states``
    (completed and archived children never), in name order.

    In batches, with ``limit``: the first ``limit`` such children by id after
    ``after_child_id`` (the previous batch's ``last_child_id``), so a child re-invited in one
    batch is not re-invited by the next, whatever ``states`` says of them now.

    In bulk: the children and their states are read in a few queries, the short codes are
    checked together, the invitations flushed together and the audit entries chained in
    one insert — the number of statements does not grow with the children.
    """
    now = now or utcnow()
    if round_.programme_id != programme.id:
        raise OperationError(N_("That round belongs to another programme."))
    if limit is not None and limit < 1:
        raise ValueError("a batch holds at least one child")
    wanted = set(states) - {InvitationState.COMPLETED}
    children = list(
        session.scalars(
            select(Child)
            .where(Child.programme_id == programme.id, Child.archived_at.is_(None),
                   Child.id > after_child_id)
            .order_by(Child.id)
        )
    )
    current = round_states(session, round_=round_, children=children, now=now)
    pairs = [(child, current[child.id][1]) for child in children
             if current[child.id][0] in wanted]
    batch = sorted(pairs if limit is None else pairs[:limit],
                   key=lambda pair: (name_key(pair[0].first_name), pair[0].id))
    if batch:
        _check_days(days)
    issued = _issue_all(
        session, batch, round_=round_, tokens=tokens, days=days, code_keys=code_keys,
        actor=actor, actor_label=actor_label, now=now,
    )
    return BulkIssued(
        issued=issued,
        remaining=len(pairs) - len(batch),
        last_child_id=max((child.id for child, _inv in batch), default=None),
    )


@dataclass(frozen=True)
class CodeResult:
    """What a typed short code found: ``ok`` (with the invitation), ``unknown``, ``locked``
    (too many wrong codes: a new letter is needed), ``completed``, ``revoked``, ``expired``."""

    reason: str
    invitation: Invitation | None = None


def find_by_short_code(
    session: Session,
    *,
    programme_id: int,
    code: ShortCode,
    keys: Sequence[str],
    now: datetime | None = None,
) -> CodeResult:
    """Find the invitation of a code typed on a tablet of this programme.

    A code that selects an invitation but does not match counts a failure on it; after
    :data:`~kidsvoice.shortcode.MAX_INVITATION_FAILURES` even the right code is refused.
    """
    now = now or utcnow()
    candidates = list(
        session.scalars(
            select(Invitation)
            .join(Child, Invitation.child_id == Child.id)
            .where(
                Child.programme_id == programme_id,
                Child.archived_at.is_(None),
                Invitation.short_code_selector == code.selector,
                Invitation.short_code_hash.is_not(None),
            )
        )
    )
    for invitation in candidates:
        assert invitation.short_code_hash is not None  # noqa: S101 - narrowed by the query
        if not shortcode.matches(code, invitation.short_code_hash, keys):
            continue
        if invitation.short_code_failures >= shortcode.MAX_INVITATION_FAILURES:
            return CodeResult("locked")
        if invitation.completed_at is not None:
            return CodeResult("completed")
        if invitation.revoked_at is not None:
            return CodeResult("revoked")
        if invitation.expires_at <= now:
            return CodeResult("expired")
        invitation.short_code_failures = 0
        session.flush()
        return CodeResult("ok", invitation)
    for invitation in candidates:
        if invitation.completed_at is None and invitation.revoked_at is None:
            invitation.short_code_failures += 1
    session.flush()
    return CodeResult("unknown")
