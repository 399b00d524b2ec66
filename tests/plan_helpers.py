"""Shared by the plan property tests: the rule files to plan from and what each can make."""

from __future__ import annotations

from pathlib import Path

from taper.guideline.loader import LoadedGuideline
from taper.guideline.registry import builtin_ids

FIXTURES = Path(__file__).parent / "fixtures"
SOURCES = [str(FIXTURES / f"plan-{name}.yaml") for name in ("se", "uk", "us")] + builtin_ids()


def plannable(loaded: LoadedGuideline) -> list[tuple[str, str]]:
    """(drug, unit) pairs the formulary has marketed tablets or patches of."""
    g = loaded.guideline
    found = {
        (p.drug, p.unit)
        for p in g.formulary
        if p.marketed and p.form != "oral-solution" and any(d.id == p.drug for d in g.drugs)
    }
    return sorted(found)
