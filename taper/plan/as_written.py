"""Dose times as the medication list gave them ("oxazepam 10+10+15 mg"): mapping shows them,
and evening out starts from them when the formulary's tablets make each dose exactly.

The rule's number of dose times is only the default: a patient who takes 10+10+15 mg keeps
morning, midday and evening (TUB: fixed doses at fixed times starts from the real intake).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import cast

from taper.plan.fast import trusted
from taper.plan.model import DoseAtTime, DoseTimeName
from taper.plan.tablets import Kit

Given = tuple[tuple[DoseTimeName, Decimal], ...]


def given_times(times: Sequence[tuple[str, Decimal]]) -> Given:
    """The dose times of a parsed medication (taper.dose_forms names plan dose times)."""
    return tuple((cast(DoseTimeName, name), amount) for name, amount in times)


def as_taken(given: Given) -> list[DoseAtTime]:
    """The mapping week's doses as written: amounts per time, from the patient's own tablets."""
    return [trusted(DoseAtTime, time=name, amount=amount, tablets=[]) for name, amount in given]


def split_as_written(
    kit: Kit, given: Given, quanta: int, *, bedtime: bool
) -> dict[DoseTimeName, int] | None:
    """Each dose time's quanta as written, when the tablets make every dose exactly and the
    doses add up to `quanta` (the evened-out daily dose); None otherwise.

    Never for modified-release (depot) products or patches, whose dosing interval the rule's
    dose times keep (a 12-hour tablet is not given four times a day), nor for sleeping drugs,
    which are taken once at bedtime."""
    if kit.modified_release or kit.patch or bedtime:
        return None
    per_time: dict[DoseTimeName, int] = {}
    for name, amount in given:
        q = kit.quanta(amount)
        if q is None or not q or not kit.per_time_makeable(q):
            return None
        per_time[name] = q
    return per_time if sum(per_time.values()) == quanta else None
