"""Where the substitute goes during a crossover: the share replacing a dose time, kept within
the rule's per-dose maximum by moving what is above it to the day's other dose times.

Clinician review R19/R20: lorazepam 1+1+2 mg capped at 30 mg diazepam gave the evening 15 mg,
cut to 10 mg by the per-dose maximum, and the 5 mg left over was never given (25 mg instead
of 30). Here nothing is dropped: what one dose time cannot hold goes first to the dose times
already free of the old drug (or never on it), then to the next ones to be replaced, each
up to the maximum; what even that cannot hold is left to the switch's check after the
crossover (`SwitchingMixin.check_spread`: the day's total and the per-dose maximum).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

from taper.plan.model import DoseTimeName


def spread(
    wanted: dict[DoseTimeName, Fraction],
    name: DoseTimeName,
    exact: Fraction,
    *,
    per_dose: Fraction | None,
    base: Mapping[DoseTimeName, Fraction],
    free: Sequence[DoseTimeName],
    pending: Sequence[DoseTimeName],
) -> None:
    """Add `exact` of the substitute at `name` to `wanted` (exact amounts per dose time from
    this crossover; `base`: what the dose times held before it). Above `per_dose` the rest
    goes to `free` dose times (no old drug left there), then to `pending` ones (the old drug
    still taken there, in the order they will be replaced); what none can hold is left out."""
    if per_dose is None:
        wanted[name] = wanted.get(name, Fraction(0)) + exact
        return

    def room(time: DoseTimeName) -> Fraction:
        return max(Fraction(0), per_dose - base.get(time, Fraction(0)) - wanted.get(time, 0))

    rest = exact
    for time in (name, *free, *pending):
        if rest <= 0:
            break
        part = min(rest, room(time))
        if part > 0:
            wanted[time] = wanted.get(time, Fraction(0)) + part
            rest -= part
