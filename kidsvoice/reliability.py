"""Configured reliability parameters for the Reliable Change Index.  PURE: no Flask.

The file is ``kidsvoice/data/reliability.toml`` (its header documents the format).  It is kept
outside ``kidsvoice/questionnaires/``, where every ``*.toml`` is loaded as a questionnaire.
KidsVoice ships it **empty**: its own items have no published norms yet, and a value must never
be invented.  Without a configured value, :mod:`kidsvoice.outcome_data` pools s1 and r from the
programme's baselines (≥ 30 of the same form) or reports "too few answers to judge".
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from .outcomes import ReliabilityParams
from .response_scores import MEASURES

DEFAULT_PATH: Final = Path(__file__).resolve().parent / "data" / "reliability.toml"

ReliabilityKey = tuple[str, int, str, str]
"""(questionnaire id, questionnaire version, measure, form), e.g.
``("kidsvoice-standard", 1, "heard", "10-16")``."""


class ReliabilityFileError(ValueError):
    """The reliability file is malformed; the message names the file and the table."""


def parse_reliability(data: Mapping[str, Any], where: str = "reliability.toml") -> dict[
    ReliabilityKey, ReliabilityParams
]:
    """Validate the parsed TOML and return its parameters (source ``"configured"``)."""
    result: dict[ReliabilityKey, ReliabilityParams] = {}
    for qid, versions in data.items():
        if not isinstance(versions, Mapping):
            raise ReliabilityFileError(f"{where}: [{qid}] must be a table of versions")
        for version, measures in versions.items():
            if not version.isdigit() or not isinstance(measures, Mapping):
                raise ReliabilityFileError(f"{where}: [{qid}.{version}] must be a version number")
            for measure, forms in measures.items():
                if measure not in MEASURES or not isinstance(forms, Mapping):
                    raise ReliabilityFileError(
                        f"{where}: [{qid}.{version}.{measure}]: unknown measure; "
                        f"expected one of {', '.join(MEASURES)}"
                    )
                for form, values in forms.items():
                    name = f"[{qid}.{version}.{measure}.{form!r}]"
                    if form.split("+")[0] not in ("6-9", "10-16") or not isinstance(
                        values, Mapping
                    ):
                        raise ReliabilityFileError(f"{where}: {name}: unknown form")
                    if set(values) != {"s1", "r", "source"}:
                        raise ReliabilityFileError(f"{where}: {name} needs s1, r and source")
                    s1, r, source = values["s1"], values["r"], values["source"]
                    if not isinstance(source, str) or not source.strip():
                        raise ReliabilityFileError(f"{where}: {name}: source must say where from")
                    if not all(
                        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
                        for v in (s1, r)
                    ):
                        raise ReliabilityFileError(f"{where}: {name}: s1 and r must be numbers")
                    try:
                        params = ReliabilityParams(s1=float(s1), r=float(r), source="configured")
                    except ValueError as exc:
                        raise ReliabilityFileError(f"{where}: {name}: {exc}") from None
                    result[(qid, int(version), measure, form)] = params
    return result


@lru_cache(maxsize=8)
def _load(path: str, mtime_ns: int) -> Mapping[ReliabilityKey, ReliabilityParams]:
    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    return MappingProxyType(parse_reliability(data, path))


def load_reliability(path: Path | str | None = None) -> Mapping[ReliabilityKey, ReliabilityParams]:
    """The configured parameters in ``path`` (default: the shipped, empty file)."""
    file = Path(path) if path is not None else DEFAULT_PATH
    return _load(str(file), file.stat().st_mtime_ns)
