"""A question's answer options, rendered once per language and reused for every child.

The options block (``child/_q_<kind>.html``: a dozen picture cards with their icons and
labels, five faces, a ladder) was the largest part of a child's answer step (about a quarter
of its server time, ``bench/load.py``), and for a question the child has not answered yet it
is the same for every child: no answer marked, no child's words in it.  Such a block is kept
per (question, language) for the life of the worker; anything that depends on the child — an
answer to mark, a goal in the child's words (``question.params``), the child's variant in a
goal's layout — is rendered afresh each time.  In debug mode (templates reloaded as they are
edited) nothing is kept.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import get_locale
from markupsafe import Markup

from ..questionnaire import Question, QuestionKind


class AnswerOptions:
    """The ``answer_options(question, answer, child)`` template function."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        #: (id of the question, language) → (the question, its rendered block).  The question
        #: is kept with its block so that a new question object can never take a dead one's id.
        self._blocks: dict[tuple[int, str], tuple[Question, Markup]] = {}

    def __call__(self, question: Question, answer: Any = None, child: Any = None) -> Markup:
        if not self._same_for_everyone(question, answer):
            return self.render(question, answer, child)
        key = (id(question), str(get_locale()))
        kept = self._blocks.get(key)
        if kept is None or kept[0] is not question:
            kept = (question, self.render(question, None, None))
            self._blocks[key] = kept
        return kept[1]

    def render(self, question: Question, answer: Any, child: Any) -> Markup:
        template = self.app.jinja_env.get_template(f"child/_q_{question.kind}.html")
        html = template.render(question=question, answer=answer, child=child)
        return Markup(html)  # noqa: S704 - an autoescaped template's output, as include gives

    def _same_for_everyone(self, question: Question, answer: Any) -> bool:
        return (answer is None and not question.params and question.kind is not QuestionKind.GOAL
                and not self.app.debug and not self.app.jinja_env.auto_reload)


def init_app(app: Flask) -> None:
    app.jinja_env.globals["answer_options"] = AnswerOptions(app)
