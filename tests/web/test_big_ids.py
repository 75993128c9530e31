"""An id too large for any database column, typed into an address or a form: 404 or 400,
never a 500 (SQLite's driver raises on such a number instead of finding no row)."""

from __future__ import annotations

import pytest

from kidsvoice.ids import MAX_ID
from tests.web._coordinator import post, text

TOO_BIG = str(MAX_ID + 1)
HUGE = "9" * 40


@pytest.mark.parametrize("number", [TOO_BIG, HUGE])
@pytest.mark.parametrize(("role", "url"), [
    ("coordinator", "/programmes/{n}"),
    ("coordinator", "/programmes/{n}/rounds/{n}/edit"),
    ("coordinator", "/children/{n}/sheet"),
    ("facilitator", "/children/{n}/sheet/{n}/print"),
    ("facilitator", "/children/{n}/goals/{n}"),
    ("evaluator", "/outcomes/{n}"),
])
def test_an_id_past_a_columns_size_in_an_address_is_404(client, login_as, role, url,
                                                         number) -> None:
    login_as(role)
    assert client.get(url.format(n=number)).status_code == 404


def test_the_largest_id_is_still_looked_up(client, login_as) -> None:
    login_as("coordinator")
    assert client.get(f"/programmes/{MAX_ID}").status_code in (403, 404)


@pytest.mark.parametrize("number", [TOO_BIG, HUGE])
def test_an_audit_page_older_than_too_large_an_entry_is_400(client, login_as, number) -> None:
    login_as("admin")
    assert client.get(f"/admin/audit?before={number}").status_code == 400


@pytest.mark.parametrize("number", [TOO_BIG, HUGE])
def test_a_batch_after_too_large_a_child_is_400_in_danish(client, login_as, make, session,
                                                          number) -> None:
    programme = make.programme()
    make.child(programme)
    session.commit()
    login_as("coordinator", programmes=[programme])
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "da"
    url = f"/programmes/{programme.id}/rounds/{programme.rounds[0].id}/invite"
    response = post(client, url, {"which": "new", "days": "14", "after": number},
                    token_from=url)
    assert response.status_code == 400
    assert "De næste links kunne ikke laves" in text(response)
