"""Children: register, edit, archive and restore; bad input; the programme boundary."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from kidsvoice.models import Child
from tests.web._coordinator import fresh, post, text

YEAR = date.today().year


def _child_form(**overrides: object) -> dict[str, object]:
    form: dict[str, object] = {
        "first_name": "  Ida   Marie ",
        "birth_year": str(YEAR - 8),
        "language": "da",
        "external_ref": "SAG-17",
        "coordinator": "0",
    }
    form.update(overrides)
    return form


def test_register_a_child(client, login_as, make, session) -> None:
    programme = make.programme()
    facilitator = make.staff("facilitator", programmes=[programme])
    user = login_as("coordinator", programmes=[programme])
    response = post(client, f"/programmes/{programme.id}/children/new",
                    _child_form(coordinator=str(user.id), facilitators=[str(facilitator.id)]))
    assert response.status_code == 303
    child = fresh(session).scalar(select(Child))
    assert child.first_name == "Ida Marie"
    assert child.external_ref == "SAG-17"
    assert child.coordinator_id == user.id
    assert [f.id for f in child.facilitators] == [facilitator.id]
    assert response.headers["Location"] == f"/programmes/{programme.id}/children/{child.public_id}"
    page = text(client.get(response.headers["Location"]))
    assert "Ida Marie" in page
    assert "Ikke inviteret" in page
    dashboard = text(client.get(f"/programmes/{programme.id}"))
    assert "Ida Marie" in dashboard


def test_names_are_cleaned_and_isolated(client, login_as, make, session) -> None:
    from kidsvoice.operations.programmes import clean_name

    assert clean_name("Ida\u202efdp.exe\u200b🦄") == "Idafdp.exe🦄"
    assert clean_name(" 👩\u200d👧  Amal\tأمل ") == "👩\u200d👧 Amal أمل"  # ZWJ keeps the emoji
    programme = make.programme()
    login_as("coordinator", programmes=[programme])
    response = post(client, f"/programmes/{programme.id}/children/new",
                    _child_form(first_name="أمل\u202e\u200b", external_ref="\u2066X\u2069"))
    assert response.status_code == 303
    child = fresh(session).scalar(select(Child))
    assert (child.first_name, child.external_ref) == ("أمل", "X")
    page = text(client.get(response.headers["Location"]))
    assert "<h1><bdi>أمل</bdi>" in page


def test_add_and_add_another(client, login_as, make) -> None:
    programme = make.programme()
    login_as("coordinator", programmes=[programme])
    response = post(client, f"/programmes/{programme.id}/children/new",
                    _child_form(then="another"))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/programmes/{programme.id}/children/new"
    assert "Ida Marie er tilføjet indsatsen." in text(client.get(response.headers["Location"]))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"first_name": "   "}, "Skriv barnets fornavn eller kaldenavn."),
        ({"first_name": "x" * 61}, "Højst 60 tegn."),
        ({"birth_year": ""}, "Skriv det år, barnet er født, fx 2016."),
        ({"birth_year": "otte"}, "Skriv et helt tal."),
        ({"birth_year": str(YEAR - 3)}, "Spørgeskemaet er lavet til børn fra 6 til 16 år."),
        ({"birth_year": str(YEAR - 30)}, "Spørgeskemaet er lavet til børn fra 6 til 16 år."),
        ({"language": "fr"}, "Vælg en af mulighederne."),
        ({"external_ref": "r" * 61}, "Højst 60 tegn."),
        ({"coordinator": "424242"}, "Vælg en af mulighederne."),
        ({"facilitators": ["424242"]}, "Vælg kun blandt mulighederne."),
        ({"facilitators": ["nogen"]}, "Vælg kun blandt mulighederne."),
    ],
)
def test_bad_child_input_is_refused_next_to_the_field(client, login_as, make, session, overrides,
                                                      message) -> None:
    programme = make.programme()
    login_as("coordinator", programmes=[programme])
    response = post(client, f"/programmes/{programme.id}/children/new", _child_form(**overrides))
    assert response.status_code == 400
    page = text(response)
    assert message in page, page[page.find("field__error") - 200:page.find("field__error") + 300]
    assert 'aria-invalid="true"' in page or 'field--error' in page
    assert fresh(session).scalar(select(Child.id)) is None


def test_a_facilitator_of_another_programme_cannot_be_assigned(client, login_as, make,
                                                                session) -> None:
    programme = make.programme()
    stranger = make.staff("facilitator", programmes=[make.programme()])
    login_as("coordinator", programmes=[programme])
    response = post(client, f"/programmes/{programme.id}/children/new",
                    _child_form(facilitators=[str(stranger.id)]))
    assert response.status_code == 400
    assert fresh(session).scalar(select(Child.id)) is None


def test_edit_a_child(client, login_as, make, session) -> None:
    programme = make.programme()
    child = make.child(programme, first_name="Noah", age=12)
    login_as("coordinator", programmes=[programme])
    url = f"/programmes/{programme.id}/children/{child.public_id}/edit"
    assert "Noah" in text(client.get(url))
    response = post(client, url, _child_form(first_name="Noa", birth_year=str(YEAR - 13),
                                             language="en", external_ref=""))
    assert response.status_code == 303
    child = fresh(session).get(Child, child.id)
    assert (child.first_name, child.birth_year, child.language, child.external_ref) == (
        "Noa", YEAR - 13, "en", None)
    bad = post(client, url, _child_form(first_name="", birth_year="1990"))
    assert bad.status_code == 400
    assert "Skriv barnets fornavn eller kaldenavn." in text(bad)


def test_archive_and_restore_a_child(client, login_as, make, session) -> None:
    programme = make.programme()
    child = make.child(programme, first_name="Sofie")
    login_as("coordinator", programmes=[programme])
    url = f"/programmes/{programme.id}/children/{child.public_id}/archive"
    assert post(client, url).status_code == 303
    assert fresh(session).get(Child, child.id).archived_at is not None
    client.get(f"/programmes/{programme.id}/children/{child.public_id}")  # shows the message
    assert "Sofie" not in text(client.get(f"/programmes/{programme.id}"))
    assert "Sofie" in text(client.get(f"/programmes/{programme.id}?archived=1"))
    # an archived child cannot be invited
    invited = post(client, f"/programmes/{programme.id}/children/{child.public_id}/rounds/"
                           f"{programme.rounds[0].id}/invite", {"days": "30"})
    assert invited.status_code == 409
    assert "Barnet er arkiveret" in text(invited)
    assert post(client, url, {"restore": "1"}).status_code == 303
    assert fresh(session).get(Child, child.id).archived_at is None


def test_children_of_another_programme_are_out_of_reach(client, login_as, make) -> None:
    mine = make.programme("Mine")
    theirs = make.programme("Theirs")
    their_child = make.child(theirs, first_name="Hemmelig")
    my_child = make.child(mine, first_name="Min")
    login_as("coordinator", programmes=[mine])
    for programme_id in (mine.id, theirs.id):
        base = f"/programmes/{programme_id}/children/{their_child.public_id}"
        assert client.get(base).status_code == 404
        assert client.get(base + "/edit").status_code == 404
        assert post(client, base + "/edit", _child_form()).status_code == 404
        assert post(client, base + "/archive").status_code == 404
        for round_ in theirs.rounds:
            assert post(client, f"{base}/rounds/{round_.id}/invite",
                        {"days": "30"}).status_code == 404
    assert client.get(f"/programmes/{theirs.id}/children/new").status_code == 404
    assert post(client, f"/programmes/{theirs.id}/children/new", _child_form()).status_code == 404
    # my child with the other programme's round
    assert post(client, f"/programmes/{mine.id}/children/{my_child.public_id}/rounds/"
                        f"{theirs.rounds[0].id}/invite", {"days": "30"}).status_code == 404
    search = text(client.get(f"/programmes/{mine.id}?q=Hemmelig"))
    assert their_child.public_id not in search
    assert "Ingen børn passer." in search


@pytest.mark.parametrize("role", ["facilitator", "evaluator"])
def test_other_roles_cannot_register_children(client, login_as, make, role) -> None:
    programme = make.programme()
    login_as(role, programmes=[programme])
    assert client.get(f"/programmes/{programme.id}/children/new").status_code == 403
    assert post(client, f"/programmes/{programme.id}/children/new",
                _child_form()).status_code == 403
