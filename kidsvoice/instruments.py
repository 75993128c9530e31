"""The questionnaires this installation serves, loaded once at start-up.

Wraps :func:`kidsvoice.questionnaire.load_registry` with the publication check: every version
listed in ``questionnaires/published.txt`` must still have the digest it was published with.
"""

from __future__ import annotations

from pathlib import Path

from .models import Response
from .questionnaire import Question, QuestionnaireError, QuestionnaireRegistry, load_registry

QUESTIONNAIRE_DIR = Path(__file__).resolve().parent / "questionnaires"
PUBLISHED = QUESTIONNAIRE_DIR / "published.txt"


def published_digests(path: Path = PUBLISHED) -> dict[tuple[str, int], str]:
    digests = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        qid, version, digest = line.split()
        digests[(qid, int(version))] = digest
    return digests


def load_instruments(directory: Path = QUESTIONNAIRE_DIR) -> QuestionnaireRegistry:
    registry = load_registry(directory)
    published = published_digests(directory / "published.txt")
    for (qid, version), digest in published.items():
        try:
            questionnaire = registry.get(qid, version)
        except KeyError:
            raise QuestionnaireError(directory, f"published {qid} v{version} is missing") from None
        if questionnaire.digest != digest:
            raise QuestionnaireError(
                questionnaire.path,
                f"{qid} v{version} was published and must not be edited in place; "
                "publish a new version as a new file instead",
            )
    return registry


def question_of(
    registry: QuestionnaireRegistry | None, response: Response, key: str
) -> Question | None:
    """The question an answer of ``response`` answered: its questionnaire version and the
    child's age variant (None when the version or the key is not known here)."""
    if registry is None:
        return None
    try:
        questionnaire = registry.get(response.questionnaire_id, response.questionnaire_version)
    except KeyError:
        return None
    return next(
        (q for q in questionnaire.questions
         if q.key == key and q.ages in ("all", response.variant)),
        None,
    )
