"""Page objects: what a person does, in words, so tests read like the journey they check."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

SKIP = {"da": "Det vil jeg helst ikke svare på", "en": "I'd rather not say"}
NEXT = {"da": "Næste", "en": "Next"}
START = {"da": "Start", "en": "Start"}
SEND = {"da": "Send mine svar", "en": "Send my answers"}
KEEP = {"da": "Hold det her væk fra mødet", "en": "Keep this away from the meeting"}


@dataclass
class ChildJourney:
    """A child answering on a tablet, by touch (clicks) or by keyboard alone."""

    page: Any
    locale: str = "da"
    keyboard: bool = False
    javascript: bool = True
    seen_kinds: dict[str, str] = field(default_factory=dict)

    def open(self, token: str) -> None:
        self.page.goto(f"/i/{token}")
        assert "/i/" not in self.page.url, "the token must leave the address bar"

    def start(self) -> None:
        self._press(self.page.get_by_role("button", name=START[self.locale]))
        self.page.wait_for_url(re.compile(r"/c/q/"))

    def kind(self) -> str:
        form = self.page.locator("form.answer-form")
        classes = form.get_attribute("class") or ""
        return classes.split("answer-form--")[-1].split()[0]

    def question_key(self) -> str:
        return self.page.url.rsplit("/", 1)[-1].split("?")[0]

    def heading(self) -> str:
        return self.page.locator("#question").inner_text()

    def progress(self) -> tuple[int, int]:
        text = self.page.locator("#progress-text").inner_text()
        numbers = [int(n) for n in re.findall(r"\d+", text)]
        return numbers[0], numbers[1]

    def _press(self, locator: Any) -> None:
        if self.keyboard:
            locator.focus()
            self.page.keyboard.press("Enter")
        else:
            locator.click()

    def _submit(self, locator: Any) -> None:
        """Press the button that sends the answer.  Without JavaScript that is a full-page post:
        wait for the next page to load, since a click returns once it has only started loading
        (a count of its buttons could then come up short) and a key press does not wait at all."""
        if self.javascript:
            self._press(locator)
            return
        with self.page.expect_navigation():
            self._press(locator)

    def _wait_for_next(self, before: str) -> None:
        if not self.javascript:
            return  # a full-page post: _submit waited for the next page to load
        # The next question has arrived when the address has changed and child.js has moved
        # focus to it, which it does once htmx has settled the swap, a moment later: a key
        # pressed before then could land on the old focus, or lose it to the heading.  (The
        # review after the last answer is a whole new page, where focus stays put: it has
        # arrived once it has loaded, not as soon as its address shows.)
        self.page.wait_for_function(
            "([before]) => document.querySelector('.answer-error')"
            " || (!location.pathname.endsWith('/' + before)"
            "     && (location.pathname.startsWith('/c/q/')"
            "         ? ['question', 'worry-help-heading']"
            "           .includes(document.activeElement && document.activeElement.id)"
            "         : document.readyState === 'complete'))",
            arg=[before])

    def answer(self, plan: dict[str, Any] | None = None) -> tuple[str, Any]:
        """Answer the current question as ``plan`` says (or a sensible default); return
        (question key, what was chosen)."""
        key, kind = self.question_key(), self.kind()
        self.seen_kinds.setdefault(kind, key)
        choice = (plan or {}).get(key)
        if choice == "skip":
            self._submit(self.page.get_by_role("button", name=SKIP[self.locale]))
        elif kind in ("faces", "scale", "choice", "ladder", "goal"):
            buttons = self.page.locator("form.answer-form button[name=answer]")
            index = choice if isinstance(choice, int) else buttons.count() - 1
            self._submit(buttons.nth(index))
            choice = index
        elif kind == "cards":
            boxes = self.page.locator("form.answer-form input[type=checkbox][name=answer]")
            indexes = choice if isinstance(choice, list) else [0, 1]
            for i in indexes:
                if self.keyboard:
                    boxes.nth(i).focus()
                    self.page.keyboard.press("Space")
                else:
                    boxes.nth(i).check()
            self._submit(self.page.get_by_role("button", name=NEXT[self.locale]))
            choice = indexes
        elif kind == "text":
            words = choice if isinstance(choice, str) else f"Mine ord til {key}"
            area = self.page.locator("textarea#text")
            if self.keyboard:
                area.focus()
                self.page.keyboard.type(words)
            else:
                area.fill(words)
            self._submit(self.page.get_by_role("button", name=NEXT[self.locale]))
            choice = words
        self._wait_for_next(key)
        return key, choice

    def on_review(self) -> bool:
        return self.page.url.endswith("/c/svar")

    def keep_from_meeting(self, key: str) -> None:
        box = self.page.locator(f"input[name=hide][value={key}]")
        if self.keyboard:
            box.focus()
            self.page.keyboard.press("Space")
        else:
            box.check()

    def send(self) -> None:
        self._press(self.page.get_by_role("button", name=SEND[self.locale]))
        self.page.wait_for_url(re.compile(r"/c/tak$"))
