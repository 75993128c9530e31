"""Page weight of every screen of the child's journey, as a tablet's browser sees it.

A fresh SQLite database (the app's own migrations), one programme, and a 7-year-old and a
13-year-old each invited by the app's real operations; the app served on a free local port by
werkzeug in a thread (as the browser tests do); Debian's Chromium, driven by Playwright in a
tablet viewport (768×1024), walks the whole journey: the link → welcome → every question
(answered) → review → finish.  Each age is walked twice: with JavaScript (htmx swaps one
fragment per question) and without (a full-page post and redirect per question).

Each journey starts in a new browser context, so the first screen is loaded with a cold cache;
every later screen is loaded with the cache that first screen left, as on a real tablet.
Then "the next day", with and without JavaScript: a browser on a saved profile opens one
child's link, is closed, and is started again for another child's link — the welcome screen
with the disk cache alone (the memory cache gone, a new session cookie).

Sizes come from the Chrome DevTools Protocol (a CDP session per page): a request's bytes are
``Network.loadingFinished.encodedDataLength`` — the bytes received over the wire, headers
and (compressed) body; a redirect's hop counts with its own response.  A request answered
from the browser's cache (``requestServedFromCache`` / ``fromDiskCache``) counts as a cache
hit, not a request over the network.  Bytes sent (form posts) are not counted.

Figures only, never asserted here (tests/e2e/test_weight.py holds the limits).  Run:

    .venv/bin/python bench/page_weight.py

A readable table per journey, then, as the last line, one JSON object with per-screen figures
and totals for every journey.
"""

from __future__ import annotations

import json
import logging
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import expect, sync_playwright  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from kidsvoice import create_app  # noqa: E402
from kidsvoice.config import Config, random_secret  # noqa: E402
from kidsvoice.db import make_engine  # noqa: E402
from kidsvoice.migrate import upgrade  # noqa: E402
from kidsvoice.models import RoundKind  # noqa: E402
from kidsvoice.operations.invitations import issue  # noqa: E402
from kidsvoice.operations.programmes import create_programme, register_child  # noqa: E402
from kidsvoice.tokens import InvitationTokens  # noqa: E402
from tests.e2e.conftest import CHROMIUM_ARGS, TABLET, chromium_path  # noqa: E402
from tests.e2e.pages import ChildJourney  # noqa: E402

LOCALE = "da"
AGES = (7, 13)
JOURNEYS = [(age, javascript) for javascript in (True, False) for age in AGES]
#: The tablet the next day: a browser restarted on the same profile (disk cache only), a new
#: child's link.  Two children per mode: one fills the cache, the other is measured.
NEXT_DAY = [(age, javascript) for javascript in (True, False) for age in (8, 12)]
TIMEOUT_MS = 15_000
#: htmx marks elements with these classes while a request or swap is under way.
HTMX_BUSY = ".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added"
STATIC_KINDS = {".css": "css", ".js": "js", ".svg": "svg", ".woff": "font", ".woff2": "font",
                ".ttf": "font", ".otf": "font", ".png": "img", ".jpg": "img", ".webp": "img",
                ".ico": "img"}


# --- the network, as the browser saw it --------------------------------------------------

@dataclass
class Resource:
    url: str
    method: str
    type: str = ""
    status: int = 0
    wire: int = 0  # bytes received: headers + body as sent (compressed)
    body: int = 0  # decoded body bytes
    cached: bool = False
    encoding: str = ""
    cache_control: str = ""
    done: bool = False
    failed: bool = False

    @property
    def path(self) -> str:
        parts = urlsplit(self.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    @property
    def kind(self) -> str:
        """'document' for pages and htmx fragments; css/js/svg/font/img/other for /static/."""
        path = urlsplit(self.url).path
        if not path.startswith("/static/"):
            return "document"
        return STATIC_KINDS.get(Path(path).suffix.lower(), "other")


class NetworkLog:
    """Every request of one page, from a CDP session of its own."""

    def __init__(self, context: Any, page: Any) -> None:
        self.cdp = context.new_cdp_session(page)
        self.resources: list[Resource] = []
        self.live: dict[str, Resource] = {}
        self.mark = 0
        for event, handler in (
            ("Network.requestWillBeSent", self._sent),
            ("Network.requestServedFromCache", self._from_cache),
            ("Network.responseReceived", self._response),
            ("Network.dataReceived", self._data),
            ("Network.loadingFinished", self._finished),
            ("Network.loadingFailed", self._failed),
        ):
            self.cdp.on(event, handler)
        self.cdp.send("Network.enable")

    def _sent(self, e: dict[str, Any]) -> None:
        if not e["request"]["url"].startswith("http"):
            return  # data: URLs never touch the network
        previous = self.live.get(e["requestId"])
        if previous is not None and "redirectResponse" in e:  # the hop before is complete
            self._fill(previous, e["redirectResponse"])
            previous.wire = int(e["redirectResponse"].get("encodedDataLength", 0))
            previous.done = True
        resource = Resource(url=e["request"]["url"], method=e["request"]["method"],
                            type=e.get("type", ""))
        self.resources.append(resource)
        self.live[e["requestId"]] = resource

    def _fill(self, resource: Resource, response: dict[str, Any]) -> None:
        headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
        resource.status = int(response.get("status", 0))
        resource.encoding = headers.get("content-encoding", "")
        resource.cache_control = headers.get("cache-control", "")
        if response.get("fromDiskCache") or response.get("fromPrefetchCache") \
                or response.get("fromServiceWorker"):
            resource.cached = True

    def _from_cache(self, e: dict[str, Any]) -> None:
        if e["requestId"] in self.live:
            self.live[e["requestId"]].cached = True

    def _response(self, e: dict[str, Any]) -> None:
        resource = self.live.get(e["requestId"])
        if resource is not None:
            resource.type = e.get("type", resource.type)
            self._fill(resource, e["response"])

    def _data(self, e: dict[str, Any]) -> None:
        resource = self.live.get(e["requestId"])
        if resource is not None:
            resource.body += int(e.get("dataLength", 0))

    def _finished(self, e: dict[str, Any]) -> None:
        resource = self.live.pop(e["requestId"], None)
        if resource is not None:
            resource.wire = 0 if resource.cached else int(e.get("encodedDataLength", 0))
            resource.done = True

    def _failed(self, e: dict[str, Any]) -> None:
        resource = self.live.pop(e["requestId"], None)
        if resource is not None:
            resource.failed = resource.done = True

    def settle(self) -> None:
        """Wait until every request the page has started is finished.

        A round trip on this CDP session delivers every event the browser sent on it before;
        the loop ends as soon as nothing is in flight (no fixed pause anywhere)."""
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while True:
            self.cdp.send("Browser.getVersion")
            if not self.live:
                return
            if time.monotonic() > deadline:
                still = [r.url for r in self.live.values()]
                raise TimeoutError(f"requests still in flight: {still}")

    def take(self) -> list[Resource]:
        """The requests since the last call (the screen just shown)."""
        self.settle()
        taken, self.mark = self.resources[self.mark:], len(self.resources)
        return taken


# --- one screen's figures ---------------------------------------------------------------

@dataclass
class Screen:
    name: str
    cache: str
    resources: list[Resource] = field(default_factory=list)

    @property
    def wire(self) -> list[Resource]:
        return [r for r in self.resources if not r.cached and not r.failed]

    def figures(self) -> dict[str, Any]:
        wire = self.wire
        static = [r for r in wire if r.kind != "document"]
        by_kind: Counter[str] = Counter()
        for r in static:
            by_kind[r.kind] += r.wire
        largest = max(wire, key=lambda r: r.wire, default=None)
        return {
            "screen": self.name,
            "cache": self.cache,
            "requests": len(wire),
            "bytes": sum(r.wire for r in wire),
            "document_requests": len(wire) - len(static),
            "document_bytes": sum(r.wire for r in wire if r.kind == "document"),
            "static_requests": len(static),
            "static_bytes": sum(r.wire for r in static),
            "static_by_kind": dict(sorted(by_kind.items())),
            "cache_hits": sum(1 for r in self.resources if r.cached),
            "largest": {"request": f"{largest.method} {largest.path}", "bytes": largest.wire}
            if largest else None,
        }


# --- the app on a fresh database --------------------------------------------------------

class LiveServer:
    def __init__(self, app: Any) -> None:
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)


def invite_children(app: Any, config: Config) -> dict[tuple[int, bool], str]:
    """One programme; per journey (age × JavaScript or not) a child and an invitation, by
    the app's own operations."""
    tokens = InvitationTokens(config.secret_keys)
    links: dict[tuple[int, bool], str] = {}
    with Session(bind=app.extensions["kidsvoice.db"].engine) as s:
        programme = create_programme(
            s, name="Page weight",
            rounds=[(RoundKind.BASELINE, "Before", None), (RoundKind.FOLLOW_UP, "After", None)])
        today = date.today()
        for age, javascript in JOURNEYS + NEXT_DAY:
            child = register_child(
                s, programme=programme, first_name="Ida" if age < 10 else "Noah",
                birth_year=today.year - age, language=LOCALE,
                supported_languages=config.locales, today=today)
            issued = issue(s, child=child, round_=programme.rounds[0], tokens=tokens,
                           days=config.invitation_days, code_keys=config.secret_keys,
                           actor_label="bench")
            links[age, javascript] = issued.token
        s.commit()
    return links


# --- the journey ------------------------------------------------------------------------

def _question_screen(page: Any, javascript: bool) -> str:
    """Wait for the question the address names to be on the page; return its key."""
    key = page.url.rsplit("/", 1)[-1].split("?")[0]
    page.locator(f'form.answer-form[action$="/c/q/{key}"]').wait_for(state="attached")
    if javascript:
        expect(page.locator(HTMX_BUSY)).to_have_count(0)
    page.wait_for_load_state("load")
    return key


def walk(browser: Any, base_url: str, token: str, *, javascript: bool) -> list[Screen]:
    context = browser.new_context(
        base_url=base_url, locale=LOCALE, extra_http_headers={"Accept-Language": LOCALE},
        viewport=TABLET, java_script_enabled=javascript)
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        log = NetworkLog(context, page)
        journey = ChildJourney(page, locale=LOCALE, javascript=javascript)
        screens: list[Screen] = []

        def record(name: str) -> None:
            cache = "cold" if not screens else "warm"
            screens.append(Screen(name, cache, log.take()))

        journey.open(token)  # /i/<token> → 303 → /c
        page.get_by_role("button", name="Start").wait_for()
        page.wait_for_load_state("load")
        record("welcome")

        journey.start()  # a plain form post → 303 → the first question
        n = 1
        key = _question_screen(page, javascript)
        record(f"q{n} {key} ({journey.kind()})")
        while True:
            journey.answer()
            page.wait_for_url(lambda url, before=key: not urlsplit(url).path.endswith(
                f"/{before}"))
            if journey.on_review():
                page.get_by_role("button", name="Send mine svar").wait_for()
                page.wait_for_load_state("load")
                record("review")
                break
            n += 1
            key = _question_screen(page, javascript)
            record(f"q{n} {key} ({journey.kind()})")

        journey.send()  # → /c/tak
        page.wait_for_load_state("load")
        record("done")
        offsite = [r.url for s in screens for r in s.resources if not r.url.startswith(base_url)]
        if offsite:
            raise RuntimeError(f"requests to other hosts: {offsite}")
        return screens
    finally:
        context.close()


def next_day(playwright: Any, executable: str, base_url: str, profile: Path,
             tokens: tuple[str, str], *, javascript: bool) -> list[Screen]:
    """The welcome screen for a second child after the browser was restarted: what the disk
    cache saves when the memory cache is gone (a tablet switched off overnight)."""
    screens: list[Screen] = []
    for token in tokens:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=executable, args=CHROMIUM_ARGS, headless=True,
            base_url=base_url, locale=LOCALE, extra_http_headers={"Accept-Language": LOCALE},
            viewport=TABLET, java_script_enabled=javascript)
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            log = NetworkLog(context, page)
            ChildJourney(page, locale=LOCALE, javascript=javascript).open(token)
            page.get_by_role("button", name="Start").wait_for()
            page.wait_for_load_state("load")
            screens.append(Screen("welcome" if not screens else "welcome, next day",
                                  "cold" if not screens else "disk", log.take()))
        finally:
            context.close()
    return screens


# --- report -----------------------------------------------------------------------------

def _kb(n: int) -> str:
    return f"{n / 1024:6.1f}"


def summarise(screens: list[Screen]) -> dict[str, Any]:
    rows = [s.figures() for s in screens]
    warm = [r for r in rows if r["cache"] != "cold"]
    return {
        "screens": rows,
        "screen_count": len(rows),
        "first_screen_cold_bytes": rows[0]["bytes"],
        "first_screen_cold_requests": rows[0]["requests"],
        "max_screen_bytes": max(r["bytes"] for r in rows),
        "max_warm_screen_bytes": max((r["bytes"] for r in warm), default=0),
        "median_warm_screen_bytes": sorted(r["bytes"] for r in warm)[len(warm) // 2] if warm
        else 0,
        "total_bytes": sum(r["bytes"] for r in rows),
        "total_requests": sum(r["requests"] for r in rows),
        "total_static_bytes": sum(r["static_bytes"] for r in rows),
        "total_document_bytes": sum(r["document_bytes"] for r in rows),
    }


def print_table(name: str, screens: list[Screen], summary: dict[str, Any]) -> None:
    print(f"\n== {name}: {summary['screen_count']} screens, "
          f"{summary['total_requests']} requests, {_kb(summary['total_bytes']).strip()} KB ==")
    print(f"{'screen':<22} {'cache':<5} {'req':>3} {'KB':>6} {'doc KB':>6} {'static KB':>9}  "
          f"{'css':>5} {'js':>5} {'svg':>5} {'font':>5}  {'hits':>4}  largest")
    for row in summary["screens"]:
        kinds = row["static_by_kind"]
        largest = row["largest"]
        big = f"{largest['request'].split('?')[0]} {_kb(largest['bytes']).strip()} KB" \
            if largest else "-"
        print(f"{row['screen']:<22} {row['cache']:<5} {row['requests']:>3} "
              f"{_kb(row['bytes'])} {_kb(row['document_bytes'])} {_kb(row['static_bytes']):>9}  "
              f"{_kb(kinds.get('css', 0)):>5} {_kb(kinds.get('js', 0)):>5} "
              f"{_kb(kinds.get('svg', 0)):>5} {_kb(kinds.get('font', 0)):>5}  "
              f"{row['cache_hits']:>4}  {big}")
    print(f"first screen (cold) {_kb(summary['first_screen_cold_bytes']).strip()} KB in "
          f"{summary['first_screen_cold_requests']} requests; warm screens at most "
          f"{_kb(summary['max_warm_screen_bytes']).strip()} KB, median "
          f"{_kb(summary['median_warm_screen_bytes']).strip()} KB")
    static = {}
    for screen in screens:
        for r in screen.wire:
            if r.kind != "document":
                static.setdefault(r.path.split("?")[0], []).append(r)
    if static:
        print("static files over the network (path, times fetched, KB on the wire, KB decoded, "
              "encoding, cache-control):")
        for path, fetched in sorted(static.items()):
            r = fetched[0]
            print(f"  {path:<32} {len(fetched):>2}x {_kb(r.wire)} {_kb(r.body)}  "
                  f"{r.encoding or 'identity':<8} {r.cache_control}")


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    executable = chromium_path()
    if executable is None:
        raise SystemExit("no Chromium found (set KIDSVOICE_CHROMIUM)")
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        config = Config(env="development", secret_keys=(random_secret(),), database_url=url)
        app = create_app(config)
        links = invite_children(app, config)
        server = LiveServer(app)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS,
                                            headless=True)
                print(f"Chromium {browser.version}, viewport {TABLET['width']}×"
                      f"{TABLET['height']}, locale {LOCALE}; bytes over the wire "
                      "(headers + body as sent)")
                for age, javascript in JOURNEYS:
                    name = f"{age}y-{'js' if javascript else 'nojs'}"
                    screens = walk(browser, server.url, links[age, javascript],
                                   javascript=javascript)
                    summary = summarise(screens)
                    print_table(name, screens, summary)
                    results[name] = summary
                browser.close()
                for javascript in (True, False):
                    name = f"next-day-{'js' if javascript else 'nojs'}"
                    tokens = tuple(links[age, javascript] for age in (8, 12))
                    screens = next_day(p, executable, server.url, Path(tmp) / name, tokens,
                                       javascript=javascript)
                    summary = summarise(screens)
                    print_table(name, screens, summary)
                    results[name] = summary
        finally:
            server.stop()
            app.extensions["kidsvoice.db"].dispose()
    print(json.dumps({"bench": "page_weight", "viewport": TABLET, "locale": LOCALE,
                      "journeys": results}, separators=(",", ":")))


if __name__ == "__main__":
    main()
