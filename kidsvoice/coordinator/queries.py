"""The programme dashboard's queries: each child's state in a round, counted and filtered in
the database, so a page costs the same few queries whatever the programme's size: one for the
counts of every round, one for the page's rows (and, only when searching or showing archived
children, one more for the counts of that selection).  ``bench/scale.py`` times them on a
programme of 1,000 children among 100,000."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, exists, func, select
from sqlalchemy.orm import Session

from ..child_search import name_or_reference
from ..invitation_state import InvitationState
from ..models import Answer, Child, Invitation, Programme, Response, Round
from ..name_order import by_name
from ..paging import PAGE_SIZE, window


def answered_expression() -> ColumnElement[bool]:
    return exists(
        select(Answer.id)
        .join(Response, Answer.response_id == Response.id)
        .where(Response.invitation_id == Invitation.id)
    )


def state_expression(now: datetime) -> ColumnElement[str]:
    """:func:`kidsvoice.invitation_state.invitation_state` in SQL (Invitation outer-joined)."""
    s = InvitationState
    return case(
        (Invitation.id.is_(None), s.NOT_INVITED.value),
        (Invitation.completed_at.is_not(None), s.COMPLETED.value),
        (Invitation.revoked_at.is_not(None), s.REVOKED.value),
        (Invitation.expires_at <= now, s.EXPIRED.value),
        (answered_expression(), s.IN_PROGRESS.value),
        (Invitation.opened_at.is_not(None), s.OPENED.value),
        else_=s.INVITED.value,
    )


@dataclass(frozen=True)
class Row:
    child: Child
    invitation: Invitation | None
    state: InvitationState


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    total: int  # rows matching the filter
    counts: dict[InvitationState, int]  # per state, ignoring the state filter
    page: int
    pages: int


def _children(programme: Programme, *, archived: bool, search: str | None):  # type: ignore[no-untyped-def]
    conditions = [Child.programme_id == programme.id]
    conditions.append(Child.archived_at.is_not(None) if archived else Child.archived_at.is_(None))
    if search:
        conditions.append(name_or_reference(search))
    return and_(*conditions)


def dashboard_page(
    session: Session,
    *,
    programme: Programme,
    round_: Round,
    now: datetime,
    state: InvitationState | None = None,
    search: str | None = None,
    archived: bool = False,
    page: int = 1,
    page_size: int = PAGE_SIZE,
    counts: dict[InvitationState, int] | None = None,
) -> Page:
    """One page of the programme's children in ``round_``, filtered.

    ``counts``: the round's counts from :func:`round_summaries`, when the caller has them and
    the selection is the current children without a search (they are the same numbers).
    """
    state_col = state_expression(now).label("state")
    joined = and_(Invitation.child_id == Child.id, Invitation.round_id == round_.id)
    where = _children(programme, archived=archived, search=search)

    if counts is None or search or archived:
        inner = (
            select(Child.id.label("child_id"), state_col)
            .select_from(Child)
            .outerjoin(Invitation, joined)
            .where(where)
            .subquery()
        )
        counts = dict.fromkeys(InvitationState, 0)
        for value, n in session.execute(
            select(inner.c.state, func.count()).group_by(inner.c.state)
        ):
            counts[InvitationState(value)] = n
    total = counts[state] if state is not None else sum(counts.values())
    shown = window(total, page, page_size)

    query = (
        select(Child, Invitation, state_col)
        .select_from(Child)
        .outerjoin(Invitation, joined)
        .where(where)
        .order_by(by_name(Child.first_name), Child.id)
        .limit(shown.limit)
        .offset(shown.offset)
    )
    if state is not None:
        query = query.where(state_expression(now) == state.value)
    rows = [
        Row(child, invitation, InvitationState(value))
        for child, invitation, value in session.execute(query)
    ]
    return Page(rows=rows, total=total, counts=counts, page=shown.page, pages=shown.pages)


def round_summaries(
    session: Session, *, programme: Programme, now: datetime
) -> dict[int, dict[InvitationState, int]]:
    """Per round of the programme: how many current children are in each state (one query
    for every round: each current child paired with each round)."""
    result = {r.id: dict.fromkeys(InvitationState, 0) for r in programme.rounds}
    if not result:
        return result
    inner = (
        select(Round.id.label("round_id"), state_expression(now).label("state"))
        .select_from(Child)
        .join(Round, Round.programme_id == Child.programme_id)
        .outerjoin(
            Invitation,
            and_(
                Invitation.child_id == Child.id,
                Invitation.round_id == Round.id,
                # The rounds by value too: PostgreSQL then reads only these rounds'
                # invitations (by index) instead of every invitation of every programme.
                Invitation.round_id.in_(list(result)),
            ),
        )
        .where(Child.programme_id == programme.id, Child.archived_at.is_(None))
        .subquery()
    )
    grouped = select(inner.c.round_id, inner.c.state, func.count()).group_by(
        inner.c.round_id, inner.c.state
    )
    for round_id, value, n in session.execute(grouped):
        result[round_id][InvitationState(value)] = n
    return result
