"""Every route declares who may use it; nobody else gets in, whatever the route.

Walks the app's URL map: an anonymous visitor gets a redirect to the login page (staff routes)
and every role not allowed gets 403 — never data.  A route added without a declaration makes
``create_app`` itself refuse to start (see ``test_undeclared_route_refuses_to_start``).
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from werkzeug.routing import IntegerConverter

from kidsvoice.access import Access, access_of, check_declarations
from kidsvoice.models import Role

ROLES = [r.value for r in Role]


def _urls(app: Flask) -> list[tuple[str, str, str, Access]]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        access = access_of(app, rule.endpoint)
        assert access is not None, rule.endpoint
        values = {arg: (1 if isinstance(rule._converters.get(arg), IntegerConverter) else "x")
                  for arg in rule.arguments}
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **values)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, url, access))
    return found


def test_every_endpoint_declares_its_access(app: Flask) -> None:
    check_declarations(app)
    for endpoint in app.view_functions:
        assert access_of(app, endpoint) is not None, endpoint


def test_undeclared_route_refuses_to_start(config) -> None:
    from kidsvoice import create_app

    app = create_app(config)  # an app of its own: the shared one must stay as it is
    app.add_url_rule("/undeclared", "undeclared", lambda: "secret")
    with pytest.raises(RuntimeError, match="undeclared"):
        check_declarations(app)
    app.extensions["kidsvoice.db"].dispose()


def test_anonymous_visitors_are_sent_to_login(app: Flask) -> None:
    client = app.test_client()
    checked = 0
    for endpoint, method, url, access in _urls(app):
        if access.kind != "staff":
            continue
        response = client.open(url, method=method)
        assert response.status_code in (302, 303), (endpoint, method, response.status_code)
        assert re.search(r"/login", response.headers["Location"]), endpoint
        checked += 1
    assert checked > 0


@pytest.mark.parametrize("role", ROLES)
def test_roles_not_allowed_get_403(app: Flask, login_as, client, role: str) -> None:
    login_as(role)
    app.config["WTF_CSRF_ENABLED"] = False  # reach the role check with a valid-looking POST
    for endpoint, method, url, access in _urls(app):
        if access.kind != "staff" or Role(role) in access.roles:
            continue
        response = client.open(url, method=method)
        assert response.status_code == 403, (role, endpoint, method, response.status_code)
        assert "KidsVoice" in response.get_data(as_text=True)


def test_child_routes_without_a_child_session_show_no_data(app: Flask) -> None:
    client = app.test_client()
    for endpoint, method, url, access in _urls(app):
        if access.kind != "child":
            continue
        response = client.open(url, method=method)
        assert response.status_code in (302, 303, 400, 403, 404, 410), (endpoint, method)
