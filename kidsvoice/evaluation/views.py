"""The outcome pages: a programme's change from baseline to follow-up, per index and for goals.

Who sees what (decided here, one guard for every query, :func:`visible_programmes`):

* **evaluators** — the programmes they are members of (``Programme.staff``); seeing outcomes is
  their job (DESIGN.md);
* **coordinators** — the programmes they are members of: they run the programme and learn from
  it (DESIGN.md, flow 5).  The page shows nothing a coordinator cannot already see per child;
* **admins** — every programme (they set programmes up and answer for the installation);
* **facilitators** — no one's: they work with the children assigned to them, not with
  programme statistics (403 by the route's role declaration).

Any other programme id, existing or not, is 403, so that trying ids tells nothing.  Archived
programmes stay visible: evaluation usually comes after a programme has ended.

Only aggregates and anonymous charts are shown: no name, no pseudonymous id.  Any group of
fewer than 5 children shows "fewer than 5" and no figure and no chart (the pairs of a
suppressed group never reach the template, see :mod:`kidsvoice.outcome_data`).  Within a
group that is shown, the paired chart draws each child's line, as the issue asks; the
distribution's bars and the cross-table of its text alternative are counts within that shown
group.  Filters are a GET form: round pair, age band; and a programme chooser.  A filter value
that is not one of the offered choices is a translated 400, never a 500.

**Download** (``/outcomes/<id>/export.csv``, the same roles and programmes as the page): the
CSV of ``kidsvoice export`` for this programme — pseudonymous ids and scores, rounds with
fewer than 5 children left out — streamed as it is read (:mod:`.export`), never cached, and
recorded in the audit log before the first row is sent, as the command records it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Response, redirect, render_template, request, stream_with_context, url_for
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as WerkzeugResponse

from ..access import roles
from ..errors import render_error
from ..models import Programme, Role, Round, programme_staff
from ..name_order import by_name
from ..outcome_data import (
    AGE_BANDS,
    MEASURES,
    SCALE_MAX,
    IndexOutcome,
    ProgrammeOutcomes,
    export_plan,
    iter_export_rows,
    programme_outcomes,
)
from ..web import database, db_session
from . import bp
from .charts import change_histogram, paired_chart
from .data import configured_reliability, registry
from .export import csv_chunks, record_export

OUTCOME_ROLES = (Role.EVALUATOR, Role.COORDINATOR, Role.ADMIN)

MEASURE_NAMES = {
    "heard": _l("Heard index"),
    "mood": _l("Mood index"),
    "school": _l("School index"),
    "relations": _l("Relations index"),
    "ladder": _l("Life ladder"),
    "who5": _l("WHO-5 well-being"),
}

#: What a measure is about, as the subject of "On average, … rose by 8.2 points".
MEASURE_SUBJECTS = {
    "heard": _l("children's sense of being heard"),
    "mood": _l("children's mood"),
    "school": _l("children's well-being at school"),
    "relations": _l("children's relationships"),
    "ladder": _l("children's place on the life ladder"),
    "who5": _l("children's WHO-5 well-being"),
}

AGE_BAND_NAMES = {
    "all": _l("All ages"),
    "6-9": _l("6–9 years"),
    "10-16": _l("10–16 years"),
}

WILCOXON_METHODS = {
    "exact": _l("exact"),
    "approx": _l("normal approximation"),
}

MODULE_NAMES = {"who5": "WHO-5"}

#: Width of the bins of the change distribution, per scale maximum.
BIN_WIDTH = {100: 10.0, 10: 1.0}


# --------------------------------------------------------------------------- access


def _visible_query() -> Any:
    query = select(Programme).order_by(Programme.archived, by_name(Programme.name), Programme.id)
    if current_user.role != Role.ADMIN:
        query = query.join(programme_staff).where(programme_staff.c.staff_id == current_user.id)
    return query


def visible_programmes(session: Session) -> list[Programme]:
    """The programmes the current staff member may see outcomes of."""
    return list(session.scalars(_visible_query()))


def load_programme(session: Session, programme_id: int) -> Programme | None:
    return session.scalar(_visible_query().where(Programme.id == programme_id))


# --------------------------------------------------------------------------- formatting


def number(value: float | None, digits: int = 1) -> str:
    """A figure in the page's locale, e.g. 8,2 in Danish (— when undefined)."""
    if value is None:
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    if abs(value) < 0.5 * 10**-digits:
        value = 0.0  # no "-0,0"
    return format_decimal(value, format=pattern)


def signed(value: float | None, digits: int = 1) -> str:
    text = number(value, digits)
    if value is not None and value > 0 and text.strip("0,.") != "":
        return "+" + text
    return text


def p_value(value: float | None) -> str:
    """"p = 0,012", or "p < 0,001" for the smallest."""
    if value is None:
        return "—"
    if value < 0.001:
        return "p < " + format_decimal(0.001, format="0.000")
    return "p = " + format_decimal(value, format="0.000")


def percent(value: float | None) -> str:
    return "—" if value is None else format_percent(value, format="#,##0 %")


def share(count: int | None, n: int | None) -> str:
    if count is None or not n:
        return "—"
    return format_percent(count / n, format="#,##0 %")


def form_name(form: str) -> str:
    """A reliability form for people: "10–16 years, with WHO-5"."""
    variant, *modules = form.split("+")
    name = str(AGE_BAND_NAMES.get(variant, variant))
    if modules:
        name = _("%(age)s, with %(modules)s", age=name,
                 modules=", ".join(MODULE_NAMES.get(m, m) for m in modules))
    return name


def plain_sentence(outcome: IndexOutcome) -> str:
    """One sentence an evaluator can repeat: the direction, size and interval of the change."""
    s = outcome.summary
    subject = MEASURE_SUBJECTS[outcome.measure]
    if s.mean_change is None or s.ci95 is None:  # suppressed: the page never asks
        return ""
    params = {
        "subject": subject, "change": number(abs(s.mean_change)), "pre": number(s.mean_pre),
        "post": number(s.mean_post), "lo": number(s.ci95[0]), "hi": number(s.ci95[1]),
    }
    if number(abs(s.mean_change)) == number(0.0):
        text = _("On average, %(subject)s did not change: %(pre)s at baseline and %(post)s at "
                 "follow-up (95 %% confidence interval of the change %(lo)s to %(hi)s).",
                 **params)
    elif s.mean_change > 0:
        text = _("On average, %(subject)s rose by %(change)s points, from %(pre)s to %(post)s "
                 "(95 %% confidence interval %(lo)s to %(hi)s).", **params)
    else:
        text = _("On average, %(subject)s fell by %(change)s points, from %(pre)s to %(post)s "
                 "(95 %% confidence interval %(lo)s to %(hi)s).", **params)
    lo, hi = s.ci95
    if lo <= 0 <= hi:
        text += " " + _("The interval includes no change, so the difference may be chance.")
    return text


# --------------------------------------------------------------------------- filters


class FilterError(ValueError):
    pass


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 12:
        raise FilterError(name)
    return int(raw)


def _filters(session: Session, programme: Programme) -> tuple[int | None, int | None, str]:
    band = request.args.get("band", "all").strip() or "all"
    if band not in AGE_BANDS:
        raise FilterError("band")
    baseline_id, follow_up_id = _int_arg("baseline"), _int_arg("follow_up")
    rounds = {r.id: r for r in session.scalars(
        select(Round).where(Round.programme_id == programme.id))}
    for value in (baseline_id, follow_up_id):
        if value is not None and value not in rounds:
            raise FilterError("round")
    if baseline_id is not None and follow_up_id is not None and (
        rounds[baseline_id].position >= rounds[follow_up_id].position
    ):
        raise FilterError("order")
    return baseline_id, follow_up_id, band


FILTER_MESSAGES = {
    "band": _l("Choose one of the age bands in the list."),
    "round": _l("Choose two of the programme's rounds from the lists."),
    "order": _l("The baseline round must come before the follow-up round."),
    "programme": _l("Choose one of your programmes from the list."),
}


def _bad_filter(error: FilterError) -> tuple[str, int]:
    message = FILTER_MESSAGES.get(str(error), FILTER_MESSAGES["round"])
    return render_error(400, str(_l("Those filters do not work together")), str(message))


# --------------------------------------------------------------------------- views


@bp.route("/")
@roles(*OUTCOME_ROLES)
def index() -> str | WerkzeugResponse | tuple[str, int]:
    """The programmes whose outcomes the person may see; the programme chooser lands here."""
    session = db_session()
    chosen = request.args.get("programme")
    if chosen is not None:
        if not chosen.isdigit() or len(chosen) > 12:
            return _bad_filter(FilterError("programme"))
        if load_programme(session, int(chosen)) is None:
            return _bad_filter(FilterError("programme"))
        return redirect(url_for("evaluation.programme", programme_id=int(chosen)), 303)
    return render_template("evaluation/index.html", programmes=visible_programmes(session))


@bp.route("/<int:programme_id>")
@roles(*OUTCOME_ROLES)
def programme(programme_id: int) -> str | tuple[str, int]:
    """One programme's outcomes for a round pair and an age band."""
    session = db_session()
    found = load_programme(session, programme_id)
    if found is None:
        return render_error(403)
    try:
        baseline_id, follow_up_id, band = _filters(session, found)
    except FilterError as error:
        return _bad_filter(error)
    outcomes = programme_outcomes(
        session, found, registry(), baseline_id=baseline_id, follow_up_id=follow_up_id,
        band=band,  # type: ignore[arg-type]
        configured=configured_reliability(), write=database().transaction,
    )
    return render_template(
        "evaluation/programme.html",
        programme=found,
        programmes=visible_programmes(session),
        outcomes=outcomes,
        measures=_measures(outcomes),
        rounds=outcomes.rounds,
        band=band,
        age_bands=AGE_BANDS,
        age_band_names=AGE_BAND_NAMES,
        measure_names=MEASURE_NAMES,
        number=number,
        signed=signed,
        p_value=p_value,
        share=share,
        percent=percent,
        plain_sentence=plain_sentence,
        form_name=form_name,
        wilcoxon_methods=WILCOXON_METHODS,
    )


@bp.route("/<int:programme_id>/export.csv")
@roles(*OUTCOME_ROLES)
def export_csv(programme_id: int) -> WerkzeugResponse | tuple[str, int]:
    """The programme's scores per child and round as CSV, streamed (see the module docstring)."""
    session = db_session()
    found = load_programme(session, programme_id)
    if found is None:
        return render_error(403)
    plan = export_plan(session, found)
    db, questionnaires = database(), registry()
    with db.transaction() as writer:
        record_export(writer, plan, actor=current_user._get_current_object())

    def stream() -> Iterator[str]:
        # A session of its own, closed when the last row is sent or the client goes away:
        # the request's session is closed when the view returns, before the body is sent.
        with db.session() as reader:
            yield from csv_chunks(iter_export_rows(reader, plan, questionnaires))

    response = Response(stream_with_context(stream()), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="kidsvoice-outcomes-{found.id}.csv"')
    response.headers["Cache-Control"] = "no-store"
    return response


def _measures(outcomes: ProgrammeOutcomes) -> list[dict[str, Any]]:
    """What the template draws per measure: the outcome and, when shown, its charts."""
    result = []
    for name in MEASURES:
        outcome = outcomes.indices[name]
        if not outcome.asked and name in ("ladder", "who5"):
            continue  # not part of this programme's questionnaire (or age band)
        item: dict[str, Any] = {"name": name, "outcome": outcome, "maximum": SCALE_MAX[name]}
        if not outcome.suppressed and outcome.pairs:
            item["paired"] = paired_chart(outcome.pairs, SCALE_MAX[name])
            item["histogram"] = change_histogram(
                [p.change for p in outcome.pairs], BIN_WIDTH[SCALE_MAX[name]]
            )
        result.append(item)
    return result
