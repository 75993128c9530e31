"""Invitations: issue, hand over (link, QR, letter, e-mail), re-send, revoke, extend, bulk."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from kidsvoice import mail
from kidsvoice.audit import Action
from kidsvoice.models import AuditEntry, Invitation, utcnow
from kidsvoice.shortcode import matches, parse
from tests.web._coordinator import code_in, fresh, link_in, post, text, token_of


def _invite_url(programme, child, round_=None) -> str:
    round_ = round_ or programme.rounds[0]
    return f"/programmes/{programme.id}/children/{child.public_id}/rounds/{round_.id}/invite"


def _audit(session, action: str) -> list[AuditEntry]:
    return list(fresh(session).scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_invite_shows_the_link_qr_code_and_letter_once(client, login_as, make, session,
                                                       app) -> None:
    programme = make.programme(contact="Karin i PPR")
    child = make.child(programme, first_name="Ida", external_ref="SAG-1")
    user = login_as("coordinator", programmes=[programme])
    response = post(client, _invite_url(programme, child), {"days": "14"})
    assert response.status_code == 200
    page = text(response)
    link = link_in(page)
    assert link.startswith("http://localhost/i/")
    code = code_in(page)
    assert "<svg" in page
    assert "QR-kode til Ida" in page
    assert 'class="letter"' in page
    assert "Hej <bdi>Ida</bdi>!" in page
    assert "Karin i PPR" in page
    assert "Linket og koden vises kun nu." in page
    assert 'media="print"' in page

    invitation = fresh(session).scalar(select(Invitation))
    assert invitation.secret_hash not in page
    assert invitation.short_code_hash
    assert matches(parse(code), invitation.short_code_hash,
                                                  app.extensions["kidsvoice.config"].secret_keys)
    remaining = invitation.expires_at - utcnow()
    assert timedelta(days=13, hours=23) < remaining <= timedelta(days=14)
    [entry] = _audit(session, Action.INVITATION_CREATED)
    assert entry.actor_id == user.id
    assert entry.subject == child.public_id
    assert entry.programme_id == programme.id
    # the child page no longer shows any link
    child_page = text(client.get(f"/programmes/{programme.id}/children/{child.public_id}"))
    assert token_of(link) not in child_page
    assert "Inviteret" in child_page


def test_the_link_works_and_swaps_for_a_session(client, login_as, make, app) -> None:
    programme = make.programme()
    child = make.child(programme)
    login_as("coordinator", programmes=[programme])
    link = link_in(text(post(client, _invite_url(programme, child), {"days": "30"})))
    child_browser = app.test_client()
    opened = child_browser.get(link.replace("http://localhost", ""))
    assert opened.status_code == 303
    assert "/i/" not in opened.headers["Location"]


def test_a_new_link_replaces_the_old_one(client, login_as, make, session, app) -> None:
    programme = make.programme()
    child = make.child(programme)
    login_as("coordinator", programmes=[programme])
    first = text(post(client, _invite_url(programme, child), {"days": "30"}))
    second = text(post(client, _invite_url(programme, child), {"days": "30"}))
    old, new = link_in(first), link_in(second)
    assert old != new
    assert code_in(first) != code_in(second)
    child_browser = app.test_client()
    assert child_browser.get(old.replace("http://localhost", "")).status_code == 404
    assert child_browser.get(new.replace("http://localhost", "")).status_code == 303
    entries = _audit(session, Action.INVITATION_CREATED)
    assert [e.detail["new_link"] for e in entries] == [False, True]


def test_invite_with_bad_days_is_refused(client, login_as, make, session) -> None:
    programme = make.programme()
    child = make.child(programme)
    login_as("coordinator", programmes=[programme])
    for days in ("0", "400", "mange", ""):
        response = post(client, _invite_url(programme, child), {"days": days})
        assert response.status_code == 400, days
        assert "Vælg, hvor længe linket skal gælde." in text(response)
    assert fresh(session).scalar(select(Invitation.id)) is None


def test_revoke_and_extend(client, login_as, make, session, app) -> None:
    programme = make.programme()
    child = make.child(programme)
    login_as("coordinator", programmes=[programme])
    link = link_in(text(post(client, _invite_url(programme, child), {"days": "7"})))
    base = f"/programmes/{programme.id}/children/{child.public_id}/rounds/{programme.rounds[0].id}"
    before = fresh(session).scalar(select(Invitation)).expires_at

    extended = post(client, base + "/extend", {"days": "14"})
    assert extended.status_code == 303
    after = fresh(session).scalar(select(Invitation)).expires_at
    assert after - before == timedelta(days=14)
    assert post(client, base + "/extend", {"days": "3"}).status_code == 400
    assert "Vælg, hvor mange dage der skal lægges til." in text(
        post(client, base + "/extend", {"days": "x"}))

    assert post(client, base + "/revoke").status_code == 303
    invitation = fresh(session).scalar(select(Invitation))
    assert invitation.revoked_at is not None
    assert invitation.short_code_hash is None
    assert app.test_client().get(link.replace("http://localhost", "")).status_code == 410
    [entry] = _audit(session, Action.INVITATION_REVOKED)
    assert entry.subject == child.public_id
    refused = post(client, base + "/extend", {"days": "14"})
    assert refused.status_code == 409
    assert "Invitationen er trukket tilbage" in text(refused)
    page = text(client.get(f"/programmes/{programme.id}/children/{child.public_id}"))
    assert "Trukket tilbage" in page
    assert "Nyt link" in page


def test_a_completed_invitation_cannot_be_reissued_or_revoked(client, login_as, make,
                                                               session) -> None:
    programme = make.programme()
    child = make.child(programme)
    invitation, _token = make.invitation(child)
    invitation.completed_at = utcnow()
    login_as("coordinator", programmes=[programme])
    base = f"/programmes/{programme.id}/children/{child.public_id}/rounds/{programme.rounds[0].id}"
    reissued = post(client, base + "/invite", {"days": "30"})
    assert reissued.status_code == 409
    assert "Barnet har allerede svaret i denne runde." in text(reissued)
    assert post(client, base + "/revoke").status_code == 409
    assert post(client, base + "/extend", {"days": "7"}).status_code == 409


def test_revoke_without_an_invitation_is_404(client, login_as, make) -> None:
    programme = make.programme()
    child = make.child(programme)
    login_as("coordinator", programmes=[programme])
    base = f"/programmes/{programme.id}/children/{child.public_id}/rounds/{programme.rounds[0].id}"
    assert post(client, base + "/revoke").status_code == 404


# ---- e-mail ---------------------------------------------------------------------------


@pytest.fixture
def outbox(app, monkeypatch):
    sent: list[dict[str, str]] = []

    def fake_send(config, *, to, subject, body):
        sent.append({"to": to, "subject": subject, "body": body})

    monkeypatch.setattr("kidsvoice.coordinator.views.send_mail", fake_send)
    monkeypatch.setitem(app.extensions, "kidsvoice.config",
                        app.extensions["kidsvoice.config"].with_(mail_server="smtp.example"))
    return sent


def _email_fields(page: str) -> dict[str, str]:
    import re

    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page) or re.search(
        r'id="token" name="token" type="hidden" value="([^"]+)"', page)
    code = re.search(r'name="code" type="hidden" value="([^"]+)"', page) or re.search(
        r'id="code" name="code" type="hidden" value="([^"]+)"', page)
    assert token, "no e-mail form"
    assert code, "no e-mail form"
    return {"token": token.group(1), "code": code.group(1)}


def test_send_the_link_by_email(client, login_as, make, session, outbox, app) -> None:
    programme = make.programme("Skolefravær 2027", contact="Karin i PPR")
    child = make.child(programme, first_name="Amira", language="en", external_ref="SAG-99")
    user = login_as("coordinator", programmes=[programme])
    page = text(post(client, _invite_url(programme, child), {"days": "30"}))
    fields = _email_fields(page)
    response = post(client, f"/programmes/{programme.id}/send",
                    {**fields, "email": "plejefar@example.dk"})
    assert response.status_code == 200
    assert "Sendt til plejefar@example.dk." in text(response)
    [message] = outbox
    assert message["to"] == "plejefar@example.dk"
    assert message["subject"] == "An invitation for Amira"  # the child's language
    assert link_in(page) in message["body"]
    assert code_in(page) in message["body"]
    assert "Karin i PPR" in message["body"]
    for private in ("SAG-99", "Skolefravær", str(child.birth_year)):
        assert private not in message["body"]
    [entry] = _audit(session, Action.INVITATION_SENT)
    assert entry.actor_id == user.id
    assert entry.detail["channel"] == "email"
    assert "plejefar" not in str(entry.detail)


def test_email_with_htmx_swaps_only_the_form(client, login_as, make, outbox) -> None:
    programme = make.programme()
    child = make.child(programme)
    login_as("coordinator", programmes=[programme])
    fields = _email_fields(text(post(client, _invite_url(programme, child), {"days": "30"})))
    response = post(client, f"/programmes/{programme.id}/send",
                    {**fields, "email": "a@example.dk"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert text(response).lstrip().startswith('<div class="email-box"')
    assert len(outbox) == 1


@pytest.mark.parametrize("address", ["", "not-an-address", "a@b", "x" * 250 + "@example.dk"])
def test_email_bad_address_is_refused(client, login_as, make, outbox, address) -> None:
    programme = make.programme()
    child = make.child(programme)
    login_as("coordinator", programmes=[programme])
    fields = _email_fields(text(post(client, _invite_url(programme, child), {"days": "30"})))
    response = post(client, f"/programmes/{programme.id}/send", {**fields, "email": address})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in text(response)
    assert outbox == []


def test_email_of_an_old_link_is_refused(client, login_as, make, outbox) -> None:
    programme = make.programme()
    child = make.child(programme)
    login_as("coordinator", programmes=[programme])
    old = _email_fields(text(post(client, _invite_url(programme, child), {"days": "30"})))
    post(client, _invite_url(programme, child), {"days": "30"})
    response = post(client, f"/programmes/{programme.id}/send", {**old, "email": "a@example.dk"})
    assert response.status_code == 410
    assert "Der er lavet et nyere link siden" in text(response)
    assert outbox == []


def test_email_tampering_and_other_programmes(client, login_as, make, outbox) -> None:
    mine = make.programme("Mine")
    theirs = make.programme("Theirs")
    child = make.child(mine)
    other = make.child(theirs)
    _inv, their_token = make.invitation(other)
    login_as("coordinator", programmes=[mine])
    fields = _email_fields(text(post(client, _invite_url(mine, child), {"days": "30"})))
    send = f"/programmes/{mine.id}/send"
    assert post(client, send, {**fields, "token": "garbage", "email": "a@example.dk"}
                ).status_code == 400
    assert post(client, send, {**fields, "code": "AAA-AAA-AA", "email": "a@example.dk"}
                ).status_code == 410
    assert post(client, send, {**fields, "token": their_token, "email": "a@example.dk"}
                ).status_code == 404
    assert post(client, f"/programmes/{theirs.id}/send", {**fields, "email": "a@example.dk"}
                ).status_code == 404
    assert outbox == []


def test_email_failure_is_reported_not_a_500(client, login_as, make, app, monkeypatch) -> None:
    def broken(config, **kw):
        raise mail.MailError("connection refused")

    monkeypatch.setattr("kidsvoice.coordinator.views.send_mail", broken)
    monkeypatch.setitem(app.extensions, "kidsvoice.config",
                        app.extensions["kidsvoice.config"].with_(mail_server="smtp.example"))
    programme = make.programme()
    child = make.child(programme)
    login_as("coordinator", programmes=[programme])
    page = text(post(client, _invite_url(programme, child), {"days": "30"}))
    response = post(client, f"/programmes/{programme.id}/send",
                    {**_email_fields(page), "email": "a@example.dk"})
    assert response.status_code == 503
    assert "E-mailen kunne ikke sendes." in text(response)
    assert link_in(text(response)) == link_in(page)  # the link is still there to copy or print


def test_without_a_mail_server_there_is_no_email_form(client, login_as, make) -> None:
    programme = make.programme()
    child = make.child(programme)
    login_as("coordinator", programmes=[programme])
    page = text(post(client, _invite_url(programme, child), {"days": "30"}))
    assert "E-mail er ikke sat op på denne server" in page
    assert 'name="email"' not in page


# ---- bulk -----------------------------------------------------------------------------


def test_invite_the_whole_programme(client, login_as, make, session, app) -> None:
    programme = make.programme()
    ida = make.child(programme, first_name="Ida")
    make.child(programme, first_name="Noah", language="en")
    sofie = make.child(programme, first_name="Sofie")
    archived = make.child(programme, first_name="Gone")
    archived.archived_at = utcnow()
    done, _t = make.invitation(sofie)
    done.completed_at = utcnow()
    make.invitation(ida)
    login_as("coordinator", programmes=[programme])
    url = f"/programmes/{programme.id}/rounds/{programme.rounds[0].id}/invite"
    confirm = text(client.get(url))
    assert "1 barn er ikke inviteret endnu." in confirm
    assert "1 barn har et link, men har ikke svaret færdig." in confirm

    response = post(client, url, {"which": "new", "days": "30"})
    assert response.status_code == 200
    page = text(response)
    assert page.count('class="letter"') == 1
    assert "Noah" in page
    assert "Hi <bdi>Noah</bdi>!" in page
    assert "Gone" not in page

    everyone = text(post(client, url, {"which": "all", "days": "30"}))
    assert everyone.count('class="letter"') == 2  # Ida and Noah; never Sofie (done) nor Gone
    assert "Hej <bdi>Ida</bdi>!" in everyone
    assert "Hi <bdi>Noah</bdi>!" in everyone
    links = list(__import__("re").findall(r'value="(http://localhost/i/[^"]+)"',
                                                       everyone))
    assert len(links) == 2
    browser = app.test_client()
    assert all(browser.get(link.replace("http://localhost", "")).status_code == 303
               for link in links)
    nobody = text(post(client, url, {"which": "new", "days": "30"}))
    assert "Ingen havde brug for et nyt link" in nobody


def test_bulk_invite_bad_input(client, login_as, make) -> None:
    programme = make.programme()
    make.child(programme)
    login_as("coordinator", programmes=[programme])
    url = f"/programmes/{programme.id}/rounds/{programme.rounds[0].id}/invite"
    response = post(client, url, {"which": "everybody", "days": "30"})
    assert response.status_code == 400
    assert "Vælg en af mulighederne." in text(response)
    assert post(client, url, {"which": "new", "days": "1000"}).status_code == 400


@pytest.mark.parametrize("role", ["facilitator", "evaluator"])
def test_other_roles_cannot_invite(client, login_as, make, role) -> None:
    programme = make.programme()
    child = make.child(programme)
    login_as(role, programmes=[programme])
    assert post(client, _invite_url(programme, child), {"days": "30"}).status_code == 403
    assert post(client, f"/programmes/{programme.id}/rounds/{programme.rounds[0].id}/invite",
                {"which": "new", "days": "30"}).status_code == 403
    assert post(client, f"/programmes/{programme.id}/send", {"email": "a@b.dk"}).status_code == 403
