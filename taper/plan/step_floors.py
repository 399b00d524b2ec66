"""A rule's pace amounts in one drug's own unit: its smallest steps and its slow-down threshold.

A rule gives its smallest step (`reduction.min_step`, `slow_down.min_step`) and an absolute
slow-down threshold (`slow_down.below_reference_amount`) in the class's reference drug (mg
diazepam or oral morphine a day), or per drug in the drug's own unit. The target curve works
in the drug's unit, so these are converted once per drug (pure; cached).

Why a smallest step (issue 15, "pace from the sources"): a share of the current dose shrinks
with the dose, below the steps the sources use (Ashton-style schedules end in 0.5-1 mg
diazepam steps, formulations.md §5) and below what the tablets make, and a cut the tablets
force beyond that share was held for months. With a smallest step the end of a taper is made
of small steps at the rule's interval, not of holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from taper import equivalence
from taper.errors import TaperError
from taper.guideline.model import DoseUnit, Drug, Guideline, MinStep, Route, TaperRule


@dataclass(frozen=True)
class StepFloors:
    """A rule's pace amounts for one drug, in its unit a day (None: the rule gives none)."""

    min_step: Fraction | None = None  # the reduction's smallest step
    slow_min_step: Fraction | None = None  # the slow-down's (defaults to the reduction's)
    slow_from: Fraction | None = None  # slow down below this dose, whatever the start

    def floor(self, slowing: bool) -> Fraction | None:
        """The smallest step where the taper is (`slowing`: in its slow-down)."""
        if slowing and self.slow_min_step is not None:
            return self.slow_min_step
        return self.min_step


NO_FLOORS = StepFloors()

_CACHE: dict[tuple[object, ...], StepFloors] = {}


def step_floors(
    guideline: Guideline, sha256: str, rule: TaperRule, drug: Drug, unit: DoseUnit, route: Route
) -> StepFloors:
    """The rule's smallest steps and absolute slow-down threshold for `drug` given in `unit`
    by `route` (a drug the class's table cannot convert gets none of the reference ones)."""
    key = (sha256, rule.id, drug.id, unit, route)
    found = _CACHE.get(key)
    if found is not None:
        return found
    sd = rule.slow_down
    result = StepFloors(
        min_step=_amount(guideline, rule.reduction.min_step, drug, unit, route),
        slow_min_step=None if sd is None else _amount(guideline, sd.min_step, drug, unit, route),
        slow_from=None
        if sd is None or sd.below_reference_amount is None
        else _from_reference(guideline, sd.below_reference_amount, drug, unit, route),
    )
    if len(_CACHE) > 10_000:
        _CACHE.clear()
    _CACHE[key] = result
    return result


def _amount(
    guideline: Guideline, step: MinStep | None, drug: Drug, unit: DoseUnit, route: Route
) -> Fraction | None:
    if step is None:
        return None
    for item in step.drugs:
        if item.drug == drug.id and item.unit == unit:
            return Fraction(item.amount)
    return _from_reference(guideline, step.reference_amount, drug, unit, route)


def _from_reference(
    guideline: Guideline, amount: Decimal, drug: Drug, unit: DoseUnit, route: Route
) -> Fraction | None:
    """`amount` of the reference drug in `drug`'s unit; None where the table cannot say (no
    conversion, or a dose-banded one that cannot be inverted there)."""
    try:
        conv = equivalence.select_conversion(drug, route, unit, guideline)
        if conv is None:
            return None
        return equivalence.from_reference(conv, Fraction(amount), drug.id)
    except TaperError:
        return None
