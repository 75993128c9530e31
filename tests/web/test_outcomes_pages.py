"""The outcome pages: who may see which programme, filters, suppression, charts, bad input."""

from __future__ import annotations

import re
from typing import Any

import pytest

from kidsvoice.models import RoundKind
from tests.outcomes_data import add_children


@pytest.fixture
def programme(make: Any) -> Any:
    programme = make.programme("Skolefravær 2027", rounds=[
        (RoundKind.BASELINE, "Før", None), (RoundKind.CHECK_IN, "Midtvejs", None),
        (RoundKind.FOLLOW_UP, "Efter", None)])
    add_children(make, programme, 8, seed=3, goals=True)
    add_children(make, programme, 6, seed=4, age=12, goals=True)
    make.session.commit()
    return programme


def _html(response: Any) -> str:
    return response.get_data(as_text=True)


def test_evaluator_of_the_programme_reads_it(client: Any, login_as: Any, programme: Any) -> None:
    login_as("evaluator", programmes=[programme])
    index = client.get("/outcomes/?lang=en")
    assert index.status_code == 200
    assert f'href="/outcomes/{programme.id}"' in _html(index)
    response = client.get(f"/outcomes/{programme.id}?lang=en")
    html = _html(response)
    assert response.status_code == 200
    assert "Outcomes: Skolefravær 2027" in html
    assert "On average, children&#39;s well-being at school" in html
    assert 'role="img"' in html
    assert "<figcaption>" in html
    assert "<details>" in html
    # 8 children of 6-9 and 6 of 10-16: every index shown, the ladder too (6 pairs)
    assert html.count('class="outcome-chart"') == 2 * 5
    assert "fewer than 5" not in html.split('id="m-goals"')[0]
    assert "WHO-5" not in html.split("How these figures")[0]  # not asked in this programme
    assert 'style="' not in html  # the CSP forbids inline styles
    assert "Barn 1" not in html
    assert programme.children[0].public_id not in html


def test_danish_numbers_and_words(client: Any, login_as: Any, programme: Any) -> None:
    login_as("evaluator", programmes=[programme])
    html = _html(client.get(f"/outcomes/{programme.id}?lang=da"))
    assert "Resultater: Skolefravær 2027" in html
    assert re.search(r"\d,\d", html)  # decimal comma
    assert "konfidensinterval" in html


def test_admin_sees_every_programme(
    client: Any, login_as: Any, make: Any, programme: Any
) -> None:
    other = make.programme("Andet")
    make.session.commit()
    login_as("admin")
    assert client.get(f"/outcomes/{programme.id}").status_code == 200
    assert client.get(f"/outcomes/{other.id}").status_code == 200


def test_coordinator_sees_only_their_programmes(
    client: Any, login_as: Any, make: Any, programme: Any
) -> None:
    other = make.programme("Andet")
    make.session.commit()
    login_as("coordinator", programmes=[programme])
    assert client.get(f"/outcomes/{programme.id}").status_code == 200
    assert client.get(f"/outcomes/{other.id}").status_code == 403
    index = _html(client.get("/outcomes/"))
    assert f'href="/outcomes/{programme.id}"' in index
    assert f'href="/outcomes/{other.id}"' not in index


def test_evaluator_of_another_programme_gets_403(
    client: Any, login_as: Any, make: Any, programme: Any
) -> None:
    other = make.programme("Andet program")
    make.session.commit()
    login_as("evaluator", programmes=[other])
    assert client.get(f"/outcomes/{programme.id}").status_code == 403
    assert client.get("/outcomes/999999").status_code == 403  # no hint whether it exists
    assert client.get(f"/outcomes/?programme={programme.id}").status_code == 400


def test_facilitator_gets_403(client: Any, login_as: Any, programme: Any) -> None:
    login_as("facilitator", programmes=[programme])
    assert client.get("/outcomes/").status_code == 403
    assert client.get(f"/outcomes/{programme.id}").status_code == 403


def test_anonymous_is_sent_to_login(client: Any, programme: Any) -> None:
    response = client.get(f"/outcomes/{programme.id}?band=6-9")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_filters(client: Any, login_as: Any, programme: Any) -> None:
    login_as("evaluator", programmes=[programme])
    first, middle, last = programme.rounds
    html = _html(client.get(f"/outcomes/{programme.id}?band=6-9&lang=en"))
    assert "Life ladder" not in html.split("How these figures")[0]  # no ladder for 6-9
    assert '<option value="6-9" selected>' in html
    html = _html(client.get(f"/outcomes/{programme.id}?band=10-16&lang=en"))
    assert '<td class="num">6</td>' in html  # 6 children of 10-16
    # baseline to the check-in: nobody answered it, so every group is "fewer than 5"
    html = _html(client.get(
        f"/outcomes/{programme.id}?baseline={first.id}&follow_up={middle.id}&lang=en"))
    assert f'<option value="{middle.id}" selected>' in html
    assert "outcome-chart" not in html
    assert html.count("fewer than 5") >= 5


def test_programme_chooser_redirects(client: Any, login_as: Any, make: Any, programme: Any) -> None:
    other = make.programme("Andet")
    make.session.commit()
    login_as("evaluator", programmes=[programme, other])
    html = _html(client.get(f"/outcomes/{programme.id}"))
    assert 'name="programme"' in html
    response = client.get(f"/outcomes/?programme={other.id}")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/outcomes/{other.id}")


@pytest.mark.parametrize("query", [
    "band=7-8", "band=%00", "baseline=abc", "follow_up=-1", "baseline=99999999",
    "baseline=1e3", "follow_up=" + "9" * 40, "baseline={last}&follow_up={first}",
    "baseline={first}&follow_up={first}", "baseline={other}",
])
def test_bad_filters_are_a_translated_400(
    client: Any, login_as: Any, make: Any, programme: Any, query: str
) -> None:
    other = make.programme("Andet")
    make.session.commit()
    login_as("evaluator", programmes=[programme])
    query = query.format(first=programme.rounds[0].id, last=programme.rounds[-1].id,
                         other=other.rounds[0].id)
    response = client.get(f"/outcomes/{programme.id}?{query}&lang=da")
    assert response.status_code == 400
    html = _html(response)
    assert "Filtrene passer ikke sammen" in html
    response = client.get(f"/outcomes/{programme.id}?{query}&lang=en")
    assert response.status_code == 400
    assert "Those filters do not work together" in _html(response)


@pytest.mark.parametrize("value", ["abc", "-3", "", "1" * 40])
def test_bad_programme_choice_is_a_400(client: Any, login_as: Any, programme: Any,
                                       value: str) -> None:
    login_as("evaluator", programmes=[programme])
    response = client.get(f"/outcomes/?programme={value}")
    assert response.status_code == 400


def test_fewer_than_5_children_show_no_figure_and_no_chart(
    client: Any, login_as: Any, make: Any
) -> None:
    small = make.programme("Fire")
    add_children(make, small, 4, seed=1, goals=True)
    make.session.commit()
    login_as("evaluator", programmes=[small])
    html = _html(client.get(f"/outcomes/{small.id}?lang=en"))
    assert "outcome-chart" not in html
    assert "outcome-table" not in html
    body = html.split('id="overview-heading"')[1].split("How these figures")[0]
    assert body.count("fewer than 5") >= 1 + 4 + 1  # overview rows, sections, goals
    assert not re.search(r'<td class="num">\d', body)


def test_a_programme_without_a_second_round(client: Any, login_as: Any, make: Any) -> None:
    single = make.programme("Én runde", rounds=[(RoundKind.BASELINE, "Før", None)])
    add_children(make, single, 5, follow_up=False)
    make.session.commit()
    login_as("evaluator", programmes=[single])
    response = client.get(f"/outcomes/{single.id}?lang=en")
    assert response.status_code == 200
    assert "needs a baseline round and a later round" in _html(response)


def test_nav_link_for_evaluators_only(client: Any, login_as: Any, programme: Any) -> None:
    login_as("evaluator", programmes=[programme])
    assert 'href="/outcomes/"' in _html(client.get("/?lang=en"))
