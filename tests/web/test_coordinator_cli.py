"""``kidsvoice invite``: one line per child, links that work, clear errors."""

from __future__ import annotations

from sqlalchemy import select

from kidsvoice.audit import Action
from kidsvoice.models import AuditEntry, utcnow
from tests.web._coordinator import fresh


def _lines(result) -> list[list[str]]:
    return [line.split("\t") for line in result.stdout.splitlines() if line.strip()]


def test_invite_a_whole_round_then_one_child(runner, make, session, app) -> None:
    programme = make.programme("Skolefravær 2027")
    ida = make.child(programme, first_name="Ida")
    make.child(programme, first_name="Noah")
    done = make.child(programme, first_name="Sofie")
    invitation, _token = make.invitation(done)
    invitation.completed_at = utcnow()
    session.commit()

    result = runner.invoke(args=["invite", "--programme", "Skolefravær 2027", "--round",
                                 "baseline"])
    assert result.exit_code == 0, result.output
    lines = _lines(result)
    assert [line[1] for line in lines] == ["Ida", "Noah"]
    browser = app.test_client()
    for _public_id, _name, code, url in lines:
        assert len(code) == 10
        assert url.startswith("http://localhost/i/")
        assert browser.get(url.removeprefix("http://localhost")).status_code == 303
    assert lines[0][0] == ida.public_id

    again = runner.invoke(args=["invite", "--programme", "Skolefravær 2027", "--round", "1"])
    assert again.exit_code == 0
    assert _lines(again) == []

    reissued = runner.invoke(args=["invite", "--programme", "Skolefravær 2027", "--round", "1",
                                   "--reissue"])
    assert [line[1] for line in _lines(reissued)] == ["Ida", "Noah"]

    one = runner.invoke(args=["invite", "--programme", "Skolefravær 2027", "--round", "Before",
                              "--child", ida.public_id, "--days", "7"])
    assert one.exit_code == 0, one.output
    [[public_id, name, _code, url]] = _lines(one)
    assert (public_id, name) == (ida.public_id, "Ida")
    assert browser.get(lines[0][3].removeprefix("http://localhost")).status_code == 404  # old
    entries = list(fresh(session).scalars(
        select(AuditEntry).where(AuditEntry.action == Action.INVITATION_CREATED)))
    assert len(entries) == 5
    assert all(e.actor == "cli" for e in entries)


def test_invite_errors_are_clear(runner, make, session) -> None:
    programme = make.programme("Læring")
    done = make.child(programme, first_name="Emil")
    invitation, _token = make.invitation(done)
    invitation.completed_at = utcnow()
    session.commit()
    cases = [
        (["--programme", "Nope", "--round", "1"], "No programme named 'Nope'"),
        (["--programme", "Læring", "--round", "7"], "no such round"),
        (["--programme", "Læring", "--round", "1", "--child", "nobody"], "No child 'nobody'"),
        (["--programme", "Læring", "--round", "1", "--child", done.public_id],
         "already answered"),
        (["--programme", "Læring", "--round", "1", "--days", "0"], "Invalid value"),
    ]
    for args, message in cases:
        result = runner.invoke(args=["invite", *args])
        assert result.exit_code != 0, args
        assert message in result.output, (args, result.output)
