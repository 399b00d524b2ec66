"""Switching to a long-acting drug: how much of it, at how many dose times, and when.

Published substitution schedules start low: NHS Scotland's boards advise not starting above
30 mg diazepam a day (formulations.md §4), labels give at most 10 mg in one dose, and the
substitute is held until it is at steady state before the first cut. So, pure and separate
from the builder's calendar:

- the substitute starts at the *lower* end of the equivalence range (the end that gives the
  least of the new drug), never the point value when the sources give a range;
- the rule file's `switch.limits` caps the daily dose: above the cap the plan is refused
  without `--specialist`; with it, the substitute starts at the equivalent (`above_cap:
  refuse`) or at the cap with a high warning that the cap, not the equivalence, sets the dose
  (`above_cap: cap`: NHS Lothian reduces to 30 mg gradually first and asks for a specialist
  opinion, so starting at the cap, an abrupt cut of the load, is a specialist's decision);
- the substitute is spread over enough dose times that none exceeds the per-dose maximum;
- after the crossover the patient stays on the substitute for the rule's stabilisation days
  before the first cut.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from taper import equivalence
from taper.dose import format_amount
from taper.errors import TaperError
from taper.guideline.model import Conversion, Drug, Switch, SwitchLimits, TaperRule

# Plans have at most four dose times (morning, midday, evening, night).
MAX_DOSE_TIMES = 4


@dataclass(frozen=True)
class Substitute:
    """The substitute's dose for one switched drug (exact, before tablets)."""

    reference_low: Fraction  # the source's reference equivalent at the range's lower end
    reference_point: Fraction  # at the table's point value
    equivalent: Fraction  # substitute daily dose the equivalence gives (lower end, reduced)
    daily: Fraction  # what the plan gives (the equivalent, or the cap)
    capped: bool
    times: int  # dose times needed for the daily dose within the per-dose maximum

    @property
    def scale(self) -> Fraction:
        """The share of the (lower-end) equivalent the plan gives: 1, or below at the cap."""
        return Fraction(1) if self.equivalent == 0 else self.daily / self.equivalent


def reference_ends(conv: Conversion, amount: Fraction) -> tuple[Fraction, Fraction]:
    """(lower end, point value) of a daily dose's reference equivalent."""
    computed = equivalence.compute(conv, amount)
    if computed.value is None:
        raise TaperError(
            f"Cannot switch {conv.drug}: the equivalence table gives no value for "
            f"{format_amount(_dec(amount))} mg."
        )
    low = computed.range[0] if computed.range is not None else computed.value
    return min(low, computed.value), computed.value


def substitute(
    *,
    source: Drug,
    target: Drug,
    conv_from: Conversion,
    conv_to: Conversion,
    amount: Fraction,
    keep: Fraction,
    already: Fraction,
    sw: Switch,
    rule_id: str,
    specialist: bool,
) -> Substitute:
    """The substitute dose for `amount` a day of `source` (`already`: the target drug the
    patient takes or was switched to before; the cap applies to the day's total of it)."""
    low, point = reference_ends(conv_from, amount)
    equivalent = equivalence.from_reference(conv_to, low, target.id) * keep
    daily = equivalent
    capped = False
    limits = sw.limits
    cap = None if limits is None else Fraction(limits.max_daily)
    if limits is not None and cap is not None and already + equivalent > cap:
        total = f"{format_amount(_dec(already + equivalent))} mg {target.id} a day"
        without = "with --no-switch" if sw.policy == "recommended" else "without --switch"
        if limits.above_cap == "cap":
            if already >= cap:
                raise TaperError(
                    f"The patient already takes {format_amount(_dec(already))} mg {target.id} "
                    f"a day, at or above rule {rule_id}'s cap of "
                    f"{format_amount(limits.max_daily)} mg at a switch; {source.id} cannot be "
                    "switched to it."
                )
            if not specialist:
                # Starting at the cap cuts the load at once (alprazolam 6 mg: 120 -> 30 mg,
                # -75 % within the crossover); the boards that set the cap reduce to it
                # gradually first and send the rest to a specialist (formulations.md §4).
                cut = (already + equivalent - cap) * 100 / (already + equivalent)
                raise TaperError(
                    f"Switching {format_amount(_dec(amount))} mg {source.id} gives {total}, "
                    f"above rule {rule_id}'s cap of {format_amount(limits.max_daily)} mg a day "
                    f"at the switch, and starting at the cap would cut the load by "
                    f"{format_amount(_dec(cut).quantize(Decimal(1)))} % within the crossover; "
                    "add --specialist once a specialist has approved starting at the cap, or "
                    f"taper {without}."
                )
            daily, capped = cap - already, True
        elif not specialist:
            raise TaperError(
                f"Switching {format_amount(_dec(amount))} mg {source.id} gives {total}, above "
                f"rule {rule_id}'s cap of {format_amount(limits.max_daily)} mg a day at the "
                "switch; add --specialist once a specialist has approved a higher start, or "
                f"taper {without}."
            )
    times = dose_times(already + daily, sw, limits)
    return Substitute(low, point, equivalent, daily, capped, times)


def dose_times(daily: Fraction, sw: Switch, limits: SwitchLimits | None) -> int:
    """The rule's dose times, or more where the per-dose maximum needs them (at most 4)."""
    count = sw.doses_per_day
    if limits is None:
        return count
    needed = math.ceil(daily / Fraction(limits.max_per_dose))
    if needed > MAX_DOSE_TIMES:
        raise TaperError(
            f"{format_amount(_dec(daily))} mg a day would need more than {MAX_DOSE_TIMES} dose "
            f"times of at most {format_amount(limits.max_per_dose)} mg; check the dose."
        )
    return max(count, needed)


def switches(drug: Drug, rule: TaperRule) -> bool:
    """Whether the rule may switch this drug at all: not the target itself, and not a
    long-acting drug unless the rule names it (Ashton substitutes clonazepam)."""
    sw = rule.switch
    if sw.policy == "never" or sw.target is None or drug.id == sw.target:
        return False
    if drug.id in sw.long_acting_switched:
        return True
    return not (sw.applies_to_short_acting_only and drug.long_acting)


def _dec(value: Fraction) -> Decimal:
    return equivalence.quantize(value)
