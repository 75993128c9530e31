"""Names in Danish order in the database, the same as Python's (kidsvoice/name_order.py)."""

from __future__ import annotations

from sqlalchemy import select

from kidsvoice.models import Child
from kidsvoice.name_order import by_name, name_key

NAMES = ["Åse", "zara", "Ægir", "Øjvind", "alma", "Bo", "Ärla", "Örjan", "æble", "Aase",
         "ida", "Ida", "émile", "Zoë", "ø"]
DANISH = ["Aase", "alma", "Bo", "ida", "Ida", "zara", "Zoë", "Ægir", "æble", "Ärla", "ø",
          "Øjvind", "Örjan", "Åse", "émile"]


def test_the_python_key_sorts_the_danish_way() -> None:
    assert sorted(NAMES, key=lambda n: (name_key(n), NAMES.index(n))) == [
        "Aase", "alma", "Bo", "ida", "Ida", "zara", "Zoë", "æble", "Ægir", "Ärla", "ø",
        "Øjvind", "Örjan", "Åse", "émile"]
    assert name_key(None) is None


def test_the_database_sorts_as_python_does(make, session) -> None:
    programme = make.programme()
    for name in NAMES:
        make.child(programme, first_name=name)
    session.commit()
    in_sql = list(session.scalars(
        select(Child.first_name).where(Child.programme_id == programme.id)
        .order_by(by_name(Child.first_name), Child.id)))
    assert in_sql == sorted(NAMES, key=lambda n: (name_key(n), NAMES.index(n)))
    assert [n.casefold() for n in in_sql][-2:] == ["åse", "émile"]
