"""Who may reach which route: every view declares it, and nothing undeclared is served.

Each view function is decorated with exactly one of

* :func:`public` — anyone (login page, error pages, static files);
* :func:`child_route` — a child holding an invitation session (the ``child`` blueprint checks
  the invitation itself);
* :func:`roles` — logged-in staff with one of the named roles.

:func:`enforce` runs before every request and turns an anonymous visitor into a redirect to the
login page and a staff member of another role into 403.  :func:`check_declarations` runs when
the app is created and refuses to start if any endpoint lacks a declaration, so a new route
without one fails every test at once (fail closed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import current_user

from .models import Role

F = TypeVar("F", bound=Callable[..., Any])

ATTRIBUTE = "kidsvoice_access"


@dataclass(frozen=True)
class Access:
    kind: str  # "public" | "child" | "staff"
    roles: frozenset[Role] = frozenset()


def _declare(access: Access) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        if hasattr(view, ATTRIBUTE):
            raise TypeError(f"{view.__name__} declares its access twice")
        setattr(view, ATTRIBUTE, access)
        return view

    return decorator


def public(view: F) -> F:
    return _declare(Access("public"))(view)


def child_route(view: F) -> F:
    return _declare(Access("child"))(view)


def roles(*allowed: Role) -> Callable[[F], F]:
    if not allowed:
        raise TypeError("roles() needs at least one role")
    return _declare(Access("staff", frozenset(allowed)))


STAFF = (Role.ADMIN, Role.COORDINATOR, Role.FACILITATOR, Role.EVALUATOR)


def access_of(app: Flask, endpoint: str) -> Access | None:
    view = app.view_functions.get(endpoint)
    return getattr(view, ATTRIBUTE, None) if view is not None else None


def check_declarations(app: Flask) -> None:
    missing = sorted(
        endpoint for endpoint in app.view_functions if access_of(app, endpoint) is None
    )
    if missing:
        raise RuntimeError(
            "Every route must declare who may use it (kidsvoice.access); missing: "
            + ", ".join(missing)
        )


def enforce() -> Any:
    """``before_request``: apply the endpoint's declaration."""
    if request.endpoint is None:  # 404 / 405: Flask answers itself
        return None
    access = access_of(current_app, request.endpoint)
    if access is None:  # pragma: no cover - check_declarations prevents this at start-up
        abort(403)
    if access.kind != "staff":
        return None
    if not current_user.is_authenticated:
        if request.method == "GET":
            return redirect(url_for("staff.login", next=request.full_path.rstrip("?")))
        return redirect(url_for("staff.login"))
    if current_user.role not in access.roles:
        abort(403)
    return None
