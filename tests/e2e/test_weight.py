"""Page weight of the child's journey: light enough for an old school tablet on a weak network.

The first load of a question screen (cold cache) transfers at most 60 KB in all — HTML, CSS,
JavaScript, pictures, fonts, compressed where the server compresses — and each later step at
most 10 KB in one request, with no request to any other host (the ``new_page`` fixture and the
check below fail on any).  Sizes come from the browser's own Resource Timing entries
(``transferSize``: headers and the body as sent).  The figures are written to
tests/e2e/artifacts/weight.txt.
"""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import ARTIFACTS, TABLET
from tests.e2e.pages import ChildJourney

FIRST_LOAD_MAX = 60 * 1024
STEP_MAX = 10 * 1024

ENTRIES = """() => [
  ...performance.getEntriesByType('navigation'),
  ...performance.getEntriesByType('resource'),
].map(e => [e.name, e.transferSize])"""


def _entries(page: Any) -> list[tuple[str, int]]:
    return [(name, int(size)) for name, size in page.evaluate(ENTRIES)]


def test_first_load_and_each_step_are_light(browser, live_server, make, session) -> None:
    child = make.child(age=8)
    _invitation, token = make.invitation(child)
    session.commit()

    # get a child session, then open a question screen in a browser with an empty cache
    warm = browser.new_context(base_url=live_server.url, viewport=TABLET)
    warm_page = warm.new_page()
    journey = ChildJourney(warm_page)
    journey.open(token)
    journey.start()
    state = warm.storage_state()
    warm.close()

    cold = browser.new_context(base_url=live_server.url, viewport=TABLET, storage_state=state)
    page = cold.new_page()
    page.goto("/c/q/W1", wait_until="networkidle")
    first = _entries(page)
    first_total = sum(size for _name, size in first)
    lines = [f"first load of a question screen: {first_total} bytes in {len(first)} requests"]
    lines += [f"  {size:>7}  {name.replace(live_server.url, '')}" for name, size in first]
    assert all(name.startswith(live_server.url) for name, _ in first), first
    assert first_total <= FIRST_LOAD_MAX, lines

    journey = ChildJourney(page)
    seen = len(first)
    steps = 0
    while True:
        key = journey.question_key()
        journey.answer()
        if journey.on_review():
            break  # the last answer leads to a new page, not a swap
        entries = _entries(page)
        step = [e for e in entries[seen:] if "/favicon" not in e[0]]
        seen = len(entries)
        size = sum(s for _n, s in step)
        lines.append(f"step after {key}: {size} bytes in {len(step)} request(s)")
        assert len(step) == 1, (key, step)
        assert step[0][0].startswith(live_server.url)
        assert size <= STEP_MAX, (key, size)
        steps += 1
    cold.close()
    assert steps > 10
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "weight.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
