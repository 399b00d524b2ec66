"""Shared by the plan property tests: the rule files to plan from and what each can make."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from hypothesis import strategies as st

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


def replan_originals(
    draw: st.DrawFn, chosen: Sequence[tuple[str, str]], meds: Sequence[MedicationInput]
) -> tuple[bool, tuple[MedicationInput, ...]]:
    """Whether the plan is a replan and, sometimes, the first plan's starting dose (the first
    drug at one to three times its current dose)."""
    replan = draw(st.booleans())
    originals: tuple[MedicationInput, ...] = ()
    if replan and draw(st.booleans()):
        drug, unit = chosen[0]
        amount = meds[0].dose.amount * draw(st.sampled_from([1, 2, 3]))
        originals = (medication(drug, amount, unit),)
    return replan, originals
