"""Shared by the plan property tests: the rule files to plan from and what each can make."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from taper.dose import Dose, MedicationInput
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


def medication(drug: str, amount: Decimal, unit: str) -> MedicationInput:
    """A medication as `parse_medication` would give it for "DRUG AMOUNT UNIT"."""
    return MedicationInput(f"{drug} {amount} {unit}", drug, Dose(amount, unit), None)  # type: ignore[arg-type]
