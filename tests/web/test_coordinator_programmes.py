"""Programmes and rounds: create, edit, archive; bad input; roles; the programme boundary."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kidsvoice.models import Programme, Round, RoundKind
from tests.web._coordinator import fresh, post, text


def _programme_form(**overrides: str) -> dict[str, str]:
    form = {
        "name": "Skolefravær 2027",
        "questionnaire": "kidsvoice-standard:1",
        "retention_months": "36",
        "contact": "Karin i PPR, tlf. 12 34 56 78",
        "baseline_on": "2027-01-10",
        "follow_up_on": "2027-06-10",
    }
    form.update(overrides)
    return form


def test_coordinator_creates_a_programme_and_becomes_its_member(client, login_as, session) -> None:
    user = login_as("coordinator")
    response = post(client, "/programmes/new", _programme_form())
    assert response.status_code == 303
    programme = fresh(session).scalar(select(Programme).where(Programme.name == "Skolefravær 2027"))
    assert programme is not None
    assert [u.id for u in programme.staff] == [user.id]
    assert [r.kind for r in programme.rounds] == [RoundKind.BASELINE, RoundKind.FOLLOW_UP]
    assert programme.rounds[0].planned_on.isoformat() == "2027-01-10"
    assert programme.retention_days == 1095
    assert programme.contact == "Karin i PPR, tlf. 12 34 56 78"
    assert response.headers["Location"] == f"/programmes/{programme.id}"
    page = text(client.get("/programmes/"))
    assert "Skolefravær 2027" in page
    dashboard = client.get(f"/programmes/{programme.id}")
    assert dashboard.status_code == 200
    assert "Før-måling" in text(dashboard)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "Skriv et navn til indsatsen."),
        ({"name": "x" * 121}, "Højst 120 tegn."),
        ({"retention_months": "0"}, "Skriv mellem 1 og 120 måneder."),
        ({"retention_months": "tre"}, "Skriv mellem 1 og 120 måneder."),
        ({"questionnaire": "made-up:9"}, "Vælg en af mulighederne."),
        ({"baseline_on": "2027-13-45"}, "Skriv en dato, fx 2027-03-01."),
        ({"follow_up_on": "2026-01-01"}, "Efter-målingen kommer efter før-målingen."),
        ({"contact": "x" * 201}, "Højst 200 tegn."),
    ],
)
def test_bad_programme_input_is_refused_next_to_the_field(client, login_as, session, overrides,
                                                          message) -> None:
    login_as("coordinator")
    response = post(client, "/programmes/new", _programme_form(**overrides))
    assert response.status_code == 400
    assert message in text(response)
    assert 'aria-invalid="true"' in text(response)
    assert fresh(session).scalar(select(Programme.id)) is None


def test_duplicate_name_is_refused(client, login_as, make) -> None:
    make.programme("Skolefravær 2027")
    login_as("coordinator")
    response = post(client, "/programmes/new", _programme_form())
    assert response.status_code == 400
    assert "Der findes allerede en indsats med det navn." in text(response)


def test_missing_csrf_token_is_refused(client, login_as) -> None:
    login_as("coordinator")
    response = client.post("/programmes/new", data=_programme_form())
    assert response.status_code == 400
    assert "Formularen var udløbet" in text(response)


def test_edit_programme_and_its_members(client, login_as, make, session) -> None:
    programme = make.programme("Læring 2027")
    facilitator = make.staff("facilitator", name="Frida")
    user = login_as("coordinator", programmes=[programme])
    response = post(client, f"/programmes/{programme.id}/edit", {
        "name": "Læring i plejefamilier 2027",
        "questionnaire": "kidsvoice-standard:1",
        "retention_months": "24",
        "contact": "",
        "members": [str(user.id), str(facilitator.id)],
    })
    assert response.status_code == 303
    fresh(session)
    programme = session.get(Programme, programme.id)
    assert programme.name == "Læring i plejefamilier 2027"
    assert programme.retention_days == 730
    assert programme.contact is None
    assert {u.id for u in programme.staff} == {user.id, facilitator.id}


def test_a_coordinator_cannot_take_themselves_out(client, login_as, make, session) -> None:
    programme = make.programme()
    other = make.staff("coordinator")
    programme.staff.append(other)
    user = login_as("coordinator", programmes=[programme])
    response = post(client, f"/programmes/{programme.id}/edit", {
        "name": programme.name, "questionnaire": "kidsvoice-standard:1",
        "retention_months": "36", "members": [str(other.id)],
    })
    assert response.status_code == 400
    assert "Du kan ikke tage dig selv ud af indsatsen." in text(response)
    fresh(session)
    assert user.id in {u.id for u in session.get(Programme, programme.id).staff}


def test_edit_with_bad_input(client, login_as, make) -> None:
    programme = make.programme()
    user = login_as("coordinator", programmes=[programme])
    response = post(client, f"/programmes/{programme.id}/edit", {
        "name": "", "questionnaire": "kidsvoice-standard:1", "retention_months": "500",
        "members": [str(user.id), "999999"],
    })
    assert response.status_code == 400
    page = text(response)
    assert "Skriv et navn til indsatsen." in page
    assert "Skriv mellem 1 og 120 måneder." in page


def test_questionnaire_cannot_change_once_children_answer(make, session) -> None:
    from kidsvoice.models import Response
    from kidsvoice.operations import OperationError
    from kidsvoice.operations.programmes import update_programme

    programme = make.programme()
    child = make.child(programme)
    invitation, _token = make.invitation(child)
    values = {"name": programme.name, "questionnaire_id": "other", "questionnaire_version": 1,
              "retention_days": 365}
    update_programme(session, programme=programme, **values)  # nobody answered yet: fine
    session.add(Response(invitation_id=invitation.id, questionnaire_id="other",
                         questionnaire_version=1, variant="6-9", language="da"))
    session.flush()
    with pytest.raises(OperationError, match="can no longer change"):
        update_programme(session, programme=programme,
                         **{**values, "questionnaire_id": "kidsvoice-standard"})


def test_rounds_add_edit_remove(client, login_as, make, session) -> None:
    programme = make.programme()
    login_as("coordinator", programmes=[programme])
    page = text(client.get(f"/programmes/{programme.id}/rounds/new"))
    assert 'value="follow_up"' not in page  # the programme has its follow-up already
    response = post(client, f"/programmes/{programme.id}/rounds/new",
                    {"kind": "check_in", "label": "Før 2. møde", "planned_on": "2027-03-01"})
    assert response.status_code == 303
    check_in = fresh(session).scalar(select(Round).where(Round.label == "Før 2. møde"))
    assert check_in.position == 3
    assert check_in.kind == RoundKind.CHECK_IN

    refused = post(client, f"/programmes/{programme.id}/rounds/new",
                   {"kind": "follow_up", "label": "Igen", "planned_on": ""})
    assert refused.status_code == 400
    assert "Vælg en af mulighederne." in text(refused)
    empty = post(client, f"/programmes/{programme.id}/rounds/new",
                 {"kind": "check_in", "label": " ", "planned_on": ""})
    assert empty.status_code == 400
    assert "Skriv et navn til runden." in text(empty)

    edited = post(client, f"/programmes/{programme.id}/rounds/{check_in.id}/edit",
                  {"label": "Før 3. møde", "planned_on": ""})
    assert edited.status_code == 303
    bad = post(client, f"/programmes/{programme.id}/rounds/{check_in.id}/edit",
               {"label": "y" * 81, "planned_on": "i morgen"})
    assert bad.status_code == 400
    assert "Højst 80 tegn." in text(bad)

    check_in_id = check_in.id
    removed = post(client, f"/programmes/{programme.id}/rounds/{check_in_id}/delete")
    assert removed.status_code == 303
    fresh(session)
    assert session.get(Round, check_in_id) is None


def test_a_round_with_invitations_cannot_be_removed(client, login_as, make, session) -> None:
    programme = make.programme()
    child = make.child(programme)
    make.invitation(child, programme.rounds[1])
    login_as("coordinator", programmes=[programme])
    response = post(client, f"/programmes/{programme.id}/rounds/{programme.rounds[1].id}/delete")
    assert response.status_code == 409
    assert "Der er inviteret børn til denne runde" in text(response)


@pytest.mark.parametrize("role", ["facilitator", "evaluator"])
def test_facilitators_and_evaluators_do_not_use_these_pages(client, login_as, make, role) -> None:
    programme = make.programme()
    login_as(role, programmes=[programme])
    assert client.get("/programmes/").status_code == 403
    assert client.get(f"/programmes/{programme.id}").status_code == 403
    assert client.get("/programmes/new").status_code == 403


def test_a_coordinator_sees_only_their_own_programmes(client, login_as, make) -> None:
    mine = make.programme("Mine")
    theirs = make.programme("Theirs")
    other_round = theirs.rounds[0]
    login_as("coordinator", programmes=[mine])
    listing = text(client.get("/programmes/"))
    assert "Mine" in listing
    assert "Theirs" not in listing
    for url in (f"/programmes/{theirs.id}", f"/programmes/{theirs.id}/edit",
                f"/programmes/{theirs.id}/rounds/new",
                f"/programmes/{theirs.id}/rounds/{other_round.id}/edit",
                f"/programmes/{theirs.id}/rounds/{other_round.id}/invite",
                f"/programmes/{mine.id}/rounds/{other_round.id}/edit",
                f"/programmes/{mine.id}/rounds/{other_round.id}/invite",
                "/programmes/999999"):
        assert client.get(url).status_code == 404, url
    for url in (f"/programmes/{theirs.id}/archive",
                f"/programmes/{theirs.id}/rounds/{other_round.id}/delete",
                f"/programmes/{mine.id}/rounds/{other_round.id}/delete"):
        assert post(client, url).status_code == 404, url


def test_an_admin_sees_every_programme(client, login_as, make) -> None:
    make.programme("Alpha")
    beta = make.programme("Beta")
    login_as("admin")
    listing = text(client.get("/programmes/"))
    assert "Alpha" in listing
    assert "Beta" in listing
    assert client.get(f"/programmes/{beta.id}").status_code == 200


def test_archive_and_restore_a_programme(client, login_as, make, session) -> None:
    programme = make.programme("Gammel")
    login_as("coordinator", programmes=[programme])
    assert post(client, f"/programmes/{programme.id}/archive", {"archived": "1"}).status_code == 303
    fresh(session)
    assert session.get(Programme, programme.id).archived
    listing = text(client.get("/programmes/"))
    assert "Arkiverede indsatser" in listing
    assert post(client, f"/programmes/{programme.id}/archive", {"archived": "0"}).status_code == 303
    fresh(session)
    assert not session.get(Programme, programme.id).archived
