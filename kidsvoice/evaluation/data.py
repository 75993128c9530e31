"""What the outcome pages and commands need from the app: the questionnaires and the configured
reliability parameters (``KIDSVOICE_RELIABILITY_FILE`` in the Flask config overrides the shipped,
empty ``kidsvoice/data/reliability.toml``; the tests use it)."""

from __future__ import annotations

from collections.abc import Mapping

from flask import current_app

from ..outcomes import ReliabilityParams
from ..questionnaire import QuestionnaireRegistry
from ..reliability import ReliabilityKey, load_reliability


def registry() -> QuestionnaireRegistry:
    loaded: QuestionnaireRegistry = current_app.extensions["kidsvoice.questionnaires"]
    return loaded


def configured_reliability() -> Mapping[ReliabilityKey, ReliabilityParams]:
    return load_reliability(current_app.config.get("KIDSVOICE_RELIABILITY_FILE"))
