"""The rendered answer options of an unanswered question are kept per language and reused
(kidsvoice/child/options.py): what is kept must be exactly what a fresh render gives, and
nothing that depends on one child — an answer, a goal in the child's words — is ever kept."""

from __future__ import annotations

from types import MappingProxyType

import pytest
from flask import Flask

from kidsvoice.child.options import AnswerOptions
from kidsvoice.models import AnswerStatus
from kidsvoice.operations.answers import SavedAnswer
from kidsvoice.questionnaire import GoalRef, Question, QuestionKind


def _every_question(app: Flask) -> list[Question]:
    """Every question a child can be shown, module questions and goal questions included."""
    found: dict[int, Question] = {}
    for questionnaire in app.extensions["kidsvoice.questionnaires"]:
        for question in questionnaire.questions:
            if question.kind is not QuestionKind.GOAL:
                found[id(question)] = question
    return list(found.values())


def _options(app: Flask) -> AnswerOptions:
    options: AnswerOptions = app.jinja_env.globals["answer_options"]  # type: ignore[assignment]
    return options


@pytest.mark.parametrize("language", ["da", "en"])
def test_a_kept_block_is_exactly_a_fresh_render_in_each_language(app: Flask, language) -> None:
    options = _options(app)
    questions = _every_question(app)
    kinds = {q.kind for q in questions}
    assert kinds >= {QuestionKind.FACES, QuestionKind.CARDS, QuestionKind.TEXT,
                     QuestionKind.LADDER, QuestionKind.SCALE}
    with app.test_request_context(headers={"Accept-Language": language}):
        for question in questions:
            first = options(question, None, None)
            again = options(question, None, None)
            assert again is first, question.key  # kept, not rendered twice
            assert str(first) == str(options.render(question, None, None)), question.key
            assert "option--chosen" not in first
            assert " checked" not in first


def test_languages_are_kept_apart(app: Flask) -> None:
    options = _options(app)
    faces = next(q for q in _every_question(app) if q.kind is QuestionKind.FACES)
    with app.test_request_context(headers={"Accept-Language": "da"}):
        danish = str(options(faces))
    with app.test_request_context(headers={"Accept-Language": "en"}):
        english = str(options(faces))
    assert danish != english
    with app.test_request_context(headers={"Accept-Language": "da"}):
        assert str(options(faces)) == danish


def test_an_answered_question_is_rendered_with_its_answer_and_never_kept(app: Flask) -> None:
    options = _options(app)
    faces = next(q for q in _every_question(app) if q.kind is QuestionKind.FACES)
    chosen = faces.options[1]
    answer = SavedAnswer(faces.key, AnswerStatus.ANSWERED, chosen.score, None, None, False)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        blank = options(faces)
        answered = options(faces, answer)
        assert answered.count("option--chosen") == 1
        assert f'value="{chosen.code}" class="option option--face option--chosen"' in answered
        assert options(faces) is blank  # the answer did not replace what is kept
        assert "option--chosen" not in options(faces)


def test_a_goal_in_the_childs_words_is_never_kept(app: Flask, make, session) -> None:
    options = _options(app)
    child = make.child(age=12)
    session.commit()
    template = next(q for questionnaire in app.extensions["kidsvoice.questionnaires"]
                    for q in questionnaire.questions if q.kind is QuestionKind.GOAL)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        mine, theirs = (
            options(Question(**{**_fields(template), "key": f"goal-{goal.id}",
                                "params": MappingProxyType({"goal": goal.text})}), None, child)
            for goal in (GoalRef(1, "Read a whole book"), GoalRef(2, "Sleep <b>well</b>"))
        )
    assert "Read a whole book" in mine
    assert "Read a whole book" not in theirs
    assert "Sleep &lt;b&gt;well&lt;/b&gt;" in theirs  # the child's words, escaped
    assert not options._blocks or all(
        kept[0].kind is not QuestionKind.GOAL for kept in options._blocks.values())


def _fields(question: Question) -> dict[str, object]:
    return {f: getattr(question, f) for f in question.__dataclass_fields__}
