"""Making TUB-model plans: `make_plan(medications, guideline, options) -> Plan`.

A plan has the TUB phases on one calendar: mapping of the actual intake, evening out to fixed
doses at fixed times (optionally switching to the region's long-acting drug by a stepwise
crossover), the taper by the region's rule in doses real tablets can make, and aftercare.
`make_plan` is pure and deterministic: the same input gives an identical plan.
"""

from __future__ import annotations

from taper.dose import MedicationInput
from taper.guideline.loader import LoadedGuideline
from taper.plan.model import Plan
from taper.plan.options import Pause, PlanOptions

__all__ = ["Pause", "PlanOptions", "make_plan"]


def make_plan(
    medications: list[MedicationInput], loaded: LoadedGuideline, options: PlanOptions
) -> Plan:
    """A dated, tablet-true tapering plan for `medications` under a rule file.

    Raises `TaperError` (one sentence) for input the rules cannot plan: an unknown drug, a
    speed faster than the rules allow, a pause the rules forbid, a plan that needs specialist
    sign-off without `specialist`, a drug the formulary cannot make.
    """
    from taper.plan.builder import build_plan

    return build_plan(medications, loaded, options)
