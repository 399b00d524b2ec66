"""The built-in rule files as they were before `stop_dose.stop_instead_of_tail` (clinician
review 12): an opioid taper goes on below the stop dose with an immediate-release or
oral-solution tail, as us-cdc-2022's still does. Tests that pin how such tails are made (the
hand-over, the top-up, the regimen of the tail, the sheets and calendars that show them) plan
from these, so the shipped files' earlier stop does not hide the mechanism."""

from __future__ import annotations

import hashlib
import tempfile
from functools import cache
from pathlib import Path

from taper.guideline.loader import LoadedGuideline, load_guideline
from taper.guideline.model import TaperRule
from taper.guideline.registry import builtin_ids


def _kept(rule: TaperRule) -> TaperRule:
    stop = rule.stop_dose
    if stop is None or stop.stop_instead_of_tail is None:
        return rule
    return rule.model_copy(
        update={"stop_dose": stop.model_copy(update={"stop_instead_of_tail": None})}
    )


@cache
def with_tail(guideline_id: str) -> LoadedGuideline:
    """The built-in rule file `guideline_id` without `stop_instead_of_tail` (its own hash,
    so no cache mixes the two)."""
    loaded = load_guideline(guideline_id)
    rules = [_kept(r) for r in loaded.guideline.taper_rules]
    guideline = loaded.guideline.model_copy(update={"taper_rules": rules})
    sha = hashlib.sha256(f"{loaded.sha256}/with-tail".encode()).hexdigest()
    return LoadedGuideline(guideline, loaded.path, sha)


@cache
def tail_file(guideline_id: str) -> str:
    """A copy of the built-in rule file without `stop_instead_of_tail`, for the CLI's `-g`."""
    assert guideline_id in builtin_ids()
    source = Path(__file__).resolve().parent.parent / "guidelines" / f"{guideline_id}.yaml"
    lines = source.read_text(encoding="utf-8").split("\n")
    kept: list[str] = []
    skip = False
    for line in lines:
        if line.strip() == "stop_instead_of_tail:":
            skip = True
            continue
        if skip and line.startswith("        unverified:"):
            skip = False
            continue
        skip = False
        kept.append(line)
    folder = Path(tempfile.mkdtemp(prefix="taper-tail-"))
    path = folder / f"{guideline_id}.yaml"
    path.write_text("\n".join(kept), encoding="utf-8")
    return str(path)
