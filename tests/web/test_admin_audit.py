"""The admin's audit log page: entries newest first, filters, paging; admins only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from kidsvoice.admin import views as admin_views
from kidsvoice.audit import Action, record
from kidsvoice.models import AuditEntry


@pytest.fixture
def entries(make):
    programme = make.programme("Læring i pleje")
    karin = make.staff("facilitator", email="karin@kommune.dk", programmes=[programme])
    ole = make.staff("coordinator", email="ole@kommune.dk", programmes=[programme])
    s = make.session
    made = [
        record(s, action=Action.SHEET_VIEW, actor=karin, subject="pseudo-ida",
               programme_id=programme.id, detail={"round": 1, "round_label": "Før"}),
        record(s, action=Action.SHEET_PRINT, actor=karin, subject="pseudo-ida",
               programme_id=programme.id, detail={"round": 1}),
        record(s, action=Action.SAFEGUARDING_VIEW, actor=ole, subject="pseudo-ida",
               programme_id=programme.id),
    ]
    s.commit()
    # the first entry happened last month (content change breaks the chain: fine in a test)
    s.execute(update(AuditEntry).where(AuditEntry.id == made[0].id)
              .values(at=datetime.now(UTC) - timedelta(days=40)))
    s.commit()
    return made


def test_the_log_lists_entries_newest_first(client, login_as, entries) -> None:
    login_as("admin")
    response = client.get("/admin/audit", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.index("Read answers kept from the meeting</td>") < body.index(
        "Printed an answer sheet</td>") < body.index("Viewed an answer sheet</td>")
    assert "pseudo-ida" in body
    assert "Læring i pleje" in body
    assert "karin@kommune.dk" in body
    assert "round_label: Før" in body


def test_filters(client, login_as, entries) -> None:
    login_as("admin")
    body = client.get("/admin/audit?action=sheet_print").get_data(as_text=True)
    assert "Udskrev et svarark</td>" in body
    assert "Så et svarark</td>" not in body
    body = client.get("/admin/audit?actor=OLE@").get_data(as_text=True)
    assert "ole@kommune.dk</td>" in body
    assert "karin@kommune.dk</td>" not in body
    today = datetime.now(UTC).date().isoformat()
    body = client.get(f"/admin/audit?date_from={today}&date_to={today}").get_data(as_text=True)
    assert "Udskrev et svarark</td>" in body
    assert "Så et svarark</td>" not in body
    old = (datetime.now(UTC) - timedelta(days=40)).date().isoformat()
    body = client.get(f"/admin/audit?date_to={old}").get_data(as_text=True)
    assert "Så et svarark</td>" in body
    assert "Udskrev et svarark</td>" not in body


@pytest.mark.parametrize(
    ("query", "message"),
    [("date_from=i+går", "Skriv en dato, for eksempel 2027-03-14."),
     ("date_from=2027-03-14&date_to=2027-03-01", "Slutdatoen må ikke ligge før startdatoen."),
     ("action=delete_everything", "Vælg en af handlingerne på listen.")],
)
def test_bad_filters_are_explained(client, login_as, entries, query, message) -> None:
    login_as("admin")
    response = client.get(f"/admin/audit?{query}")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert message in body
    assert "pseudo-ida" not in body


def test_paging(client, login_as, entries, monkeypatch) -> None:
    monkeypatch.setattr(admin_views, "AUDIT_PAGE_SIZE", 2)
    login_as("admin")
    body = client.get("/admin/audit?actor=kommune").get_data(as_text=True)
    assert "Læste svar, der er holdt uden for mødet</td>" in body
    assert "Så et svarark</td>" not in body
    older = f"before={entries[1].id}"
    assert older in body
    assert "actor=kommune" in body
    body = client.get(f"/admin/audit?actor=kommune&{older}").get_data(as_text=True)
    assert "Så et svarark</td>" in body
    assert "Læste svar, der er holdt uden for mødet</td>" not in body


@pytest.mark.parametrize("role", ["coordinator", "facilitator", "evaluator"])
def test_only_admins(client, login_as, entries, role) -> None:
    login_as(role)
    assert client.get("/admin/audit").status_code == 403
