"""The end of an opioid taper at the rule's stop dose (`stop_dose.stop_instead_of_tail`).

From a dose at or below the stop dose the rule lets the drug stop; a rule that sets
`stop_instead_of_tail` stops there (after one interval at that dose) rather than go on with a
tail the review found of little use (clinician reviews 9 and 12: se-vgr oxycodone depot 5 + 5 mg
followed by one 5 mg capsule a day; se-10 morphine 20 mg followed by six months of 1 mg steps of
oral solution; no-05 and uk-11 tramadol ending on one 50 mg capsule a day):

- a step that would start a new product (immediate-release tablets or an oral solution after
  depot tablets, or a solution topping them up): the patient would learn a new product for the
  last weeks of a taper that may already stop;
- a step that gives an immediate-release product at fewer dose times than its regimen (one
  capsule a day): it acts for a few hours, so withdrawal comes between doses.

Never from above the stop dose (no abrupt stop), and not for a benzodiazepine (its last part
is the hardest; the rule-file check `stop-instead-of-tail` refuses the field there).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Literal

from taper.guideline.model import TaperRule
from taper.plan.curve import TaperStep
from taper.plan.decimals import tidy
from taper.plan.labels import least_regimen_times
from taper.plan.tablets import Kit
from taper.plan.topup import TopUpKit

# The tail a stop replaces: a change to another formulation, or an immediate-release product
# at fewer dose times than its regimen.
EndedBy = Literal["formulation", "fewer-times"]


def stops_instead_of_tail(rule: TaperRule) -> bool:
    """Whether `rule` ends an opioid taper at its stop dose rather than with a tail."""
    stop = rule.stop_dose
    return (
        rule.drug_class == "opioid" and stop is not None and stop.stop_instead_of_tail is not None
    )


def doses_given(kit: Kit, step: TaperStep, times: int) -> tuple[int, ...]:
    """The step's dose at each dose time (quanta of `kit`)."""
    if step.per_time or not step.quanta:
        return step.per_time
    split = kit.split(step.quanta, times)
    return () if split is None else split.amounts


def fewer_than_regimen(kit: Kit, step: TaperStep, times: int, first: int) -> bool:
    """Whether `step` gives an immediate-release product of `kit` at fewer dose times than
    its regimen (`labels.least_regimen_times`, as the clinician page's caution counts
    them; `first`: the dose times the kit's first dose had)."""
    if kit.modified_release or kit.patch or isinstance(kit, TopUpKit) or not step.quanta:
        return False
    doses = [q for q in doses_given(kit, step, times) if q]
    brands = {t.brand for q in doses for t in kit.tablets(q)}
    wanted = least_regimen_times(kit.products, brands, lambda _: first)
    return wanted is not None and len(doses) < wanted


def stop_here(step: TaperStep, hold_days: int) -> TaperStep:
    """`step` made a stop from the dose before it, held `hold_days` more first (one interval
    when the plan starts at the stop dose, as `curve.trajectory` does; else none)."""
    return replace(
        step,
        quanta=0,
        deviation=tidy(Decimal(0) - step.ideal),
        limited=False,
        hold=hold_days,
        per_time=(),
        capped=False,
        beyond_step=False,
        above_share=False,
        mixed=False,
    )
