"""Browser tests: the app served on a free local port, driven by a real Chromium.

The server runs in a thread of the test process (werkzeug's threaded server), on the test's own
fresh database; Chromium is Debian's (``/usr/bin/chromium``, or ``KIDSVOICE_CHROMIUM``), since
Playwright's own browser download does not work on our machines.  Screenshots go to the
git-ignored ``tests/e2e/artifacts/`` for people to look at.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

ARTIFACTS = Path(__file__).parent / "artifacts"
TABLET = {"width": 768, "height": 1024}
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("KIDSVOICE_CHROMIUM"), "/usr/bin/chromium",
                      shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        executable = chromium_path()
        launched = p.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        launched.close()


class LiveServer:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def new_page(browser: Any, live_server: LiveServer) -> Iterator[Callable[..., Any]]:
    """``new_page(locale="da", viewport=TABLET, javascript=True)`` → a Playwright page."""
    contexts: list[Any] = []
    offsite: list[str] = []

    def _new(locale: str = "da", viewport: dict[str, int] | None = None,
             javascript: bool = True) -> Any:
        context = browser.new_context(
            base_url=live_server.url,
            locale=locale,
            extra_http_headers={"Accept-Language": locale},
            viewport=viewport or TABLET,
            java_script_enabled=javascript,
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.kidsvoice_javascript = javascript

        def _watch(request: Any) -> None:
            if not request.url.startswith((live_server.url, "data:", "about:")):
                offsite.append(request.url)

        page.on("request", _watch)
        return page

    yield _new
    for context in contexts:
        context.close()
    assert offsite == [], f"requests to other hosts: {offsite}"


@pytest.fixture
def axe_check(browser: Any, request: pytest.FixtureRequest) -> Callable[[Any, str], None]:
    """Fail on any WCAG 2.2 A/AA violation axe finds on the page as it is now.

    axe is itself JavaScript: for a page in a context without JavaScript, the same URL is
    loaded again in a JavaScript-enabled context holding the same cookies (the same session,
    so the server renders the same screen) and checked there.  The pages are the same HTML
    whichever database is underneath, so the check runs on the SQLite pass of each test.
    """
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    params = getattr(getattr(request.node, "callspec", None), "params", {})
    same_html_checked = params.get("backend", "sqlite") != "sqlite"

    def _check(page: Any, name: str) -> None:
        if same_html_checked:
            return
        if getattr(page, "kidsvoice_javascript", True) is False:
            twin = browser.new_context(storage_state=page.context.storage_state(),
                                       viewport=page.viewport_size,
                                       extra_http_headers={"Accept-Language": "da"})
            try:
                twin_page = twin.new_page()
                twin_page.goto(page.url)
                _run(twin_page, name)
            finally:
                twin.close()
            return
        _run(page, name)

    def _run(page: Any, name: str) -> None:
        # Contrast is judged on the settled page, not half-way through a fade-in; and on the
        # whole page, not one still loading after a wait that only proved part of it was there.
        page.wait_for_function(
            "() => document.readyState === 'complete'"
            " && document.getAnimations().every(a => a.playState !== 'running')")
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
        violations = results.response.get("violations", [])
        if violations:
            summary = "\n".join(
                f"- {v['id']} ({v['impact']}): {v['help']} — "
                + "; ".join(n["target"][0] if n.get("target") else "?" for n in v["nodes"][:3])
                for v in violations
            )
            raise AssertionError(f"axe found violations on {name}:\n{summary}")

    return _check


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[[Any, str], Path]:
    """Save a full-page screenshot under tests/e2e/artifacts/ for a person to look at."""

    def _shot(page: Any, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        backend = request.node.callspec.params.get("backend", "") if hasattr(
            request.node, "callspec") else ""
        if backend and backend != "sqlite":  # one set of pictures is enough
            return ARTIFACTS / f"{name}.png"
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot
