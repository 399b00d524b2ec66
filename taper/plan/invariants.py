"""The clinical invariants every plan must keep, as a checker that returns problems as data.

Used by the property tests and available to batch runs (a plan that breaks one is a bug in
the planner, never something to print). Each problem is one sentence naming the step.

Evening out (issue 14 item 3): a drug's first fixed dose (its first step after mapping with
doses to take, or its stop) is at most the reported dose and within the rule's largest step
of it, unless the plan carries a high warning that says so (`start-dose-cut`, or
`stop-from-smallest-dose` for a dose below anything the products make).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

from taper.guideline.model import Guideline, Product, TaperRule
from taper.plan.curve import SMALLEST_STEP_ROUNDING
from taper.plan.model import AppliedRule, Plan, Step, TabletCount
from taper.plan.rules import matches

_WHOLE = Decimal(1)


def _allowed_counts(product: Product, strength_split: str) -> Decimal:
    """The smallest part of a tablet this product may be taken as."""
    if product.modified_release or product.form in ("patch", "capsule"):
        return _WHOLE
    if strength_split == "quarter":
        return Decimal("0.25")
    if strength_split == "half":
        return Decimal("0.5")
    return _WHOLE


def plan_problems(plan: Plan, guideline: Guideline) -> list[str]:
    """Every broken invariant of `plan` under `guideline` (empty: the plan is sound)."""
    problems: list[str] = []
    by_drug: dict[str, list[Step]] = defaultdict(list)
    previous_start: dt.date | None = None
    for position, step in enumerate(plan.steps, start=1):
        if step.index != position:
            problems.append(f"step {step.index} is numbered out of order (position {position})")
        if previous_start is not None and step.start < previous_start:
            problems.append(f"step {step.index} starts before the step listed above it")
        previous_start = step.start
        if step.end < step.start:
            problems.append(f"step {step.index} ends before it starts")
        if step.start < plan.start:
            problems.append(f"step {step.index} starts before the plan")
        by_drug[step.drug].append(step)
        problems.extend(_dose_problems(step, guideline))
    rules = {r.id: r for r in guideline.taper_rules}
    changes: dict[dt.date, list[Step]] = defaultdict(list)
    for drug, steps in by_drug.items():
        problems.extend(_drug_problems(plan, drug, steps, rules, changes))
    problems.extend(_evening_out_problems(plan, guideline, rules))
    for day, changed in sorted(changes.items()):
        drugs = {s.drug for s in changed}
        if len(drugs) > 1 and not (len(drugs) == 2 and all(s.phase == "switch" for s in changed)):
            problems.append(f"{day}: doses of {', '.join(sorted(drugs))} change on the same day")
    positive = [s.end for s in plan.steps if s.dose > 0]
    expected_last = max(positive) if positive else None
    if plan.last_dose_date != expected_last:
        problems.append(f"last_dose_date {plan.last_dose_date} is not {expected_last}")
    problems.extend(_dispensing_problems(plan))
    problems.extend(_support_gap_problems(plan, guideline))
    return problems


def _support_gap_problems(plan: Plan, guideline: Guideline) -> list[str]:
    """No stretch from the plan start to the last dose without a support talk for longer
    than the rules' `max_gap_days`."""
    rules = guideline.checkpoints
    if rules is None or rules.support.max_gap_days is None or plan.last_dose_date is None:
        return []
    longest = rules.support.max_gap_days
    last = plan.last_dose_date
    talks = sorted(c.date for c in plan.checkpoints if c.kind == "support" and c.date <= last)
    problems: list[str] = []
    previous = plan.start
    for day in [*talks, last]:
        if (day - previous).days > longest:
            problems.append(
                f"no support talk from {previous} to {day} ({(day - previous).days} days; "
                f"the rules allow {longest})"
            )
        previous = max(previous, day)
    return problems


def _dose_problems(step: Step, guideline: Guideline) -> list[str]:
    out: list[str] = []
    if step.dose < 0:
        out.append(f"step {step.index}: negative dose {step.dose}")
    if not step.doses:
        loose = (step.note or "").startswith("as taken now")
        if step.dose != 0 and step.phase != "mapping" and not loose:
            out.append(f"step {step.index}: a dose of {step.dose} without dose times")
        return out
    total = sum((d.amount for d in step.doses), Decimal(0))
    if total != step.dose:
        out.append(f"step {step.index}: dose times add up to {total}, not {step.dose}")
    times = [d.time for d in step.doses]
    if len(set(times)) != len(times):
        out.append(f"step {step.index}: a dose time appears twice")
    for dose in step.doses:
        if dose.amount <= 0:
            out.append(f"step {step.index}: {dose.time} has no positive amount")
        if not dose.tablets and (
            step.phase == "mapping" or not _in_formulary(guideline, step.drug, step.unit)
        ):
            # The mapping week's doses as written, or the patient's own tablets until a
            # switch replaces the drug: taken as now, not made from the formulary.
            continue
        made = sum((t.strength * t.count for t in dose.tablets), Decimal(0))
        if made != dose.amount:
            out.append(f"step {step.index}: {dose.time} tablets make {made}, not {dose.amount}")
        for tab in dose.tablets:
            product = next(
                (p for p in guideline.formulary if p.drug == step.drug and p.brand == tab.brand),
                None,
            )
            if product is None or not product.marketed or product.unit != step.unit:
                out.append(f"step {step.index}: {tab.brand} is not a marketed product of it")
                continue
            if product.liquid is not None or tab.liquid is not None:
                out.extend(f"step {step.index}: {p}" for p in liquid_problems(product, tab))
                continue
            strength = next((s for s in product.strengths if s.amount == tab.strength), None)
            if strength is None:
                out.append(f"step {step.index}: {tab.brand} has no {tab.strength} strength")
                continue
            part = _allowed_counts(product, strength.split)
            if tab.count <= 0 or (tab.count / part) != (tab.count / part).to_integral_value():
                out.append(
                    f"step {step.index}: {tab.count} x {tab.brand} {tab.strength} cannot be taken"
                )
    return out


def liquid_problems(product: Product, tab: TabletCount) -> list[str]:
    """A liquid dose names its product's concentration and device, and is a whole number of
    the device's graduations (ml) or of drops at the product's own mg per drop."""
    liquid, measure = product.liquid, tab.liquid
    if liquid is None or measure is None or product.form != "oral-solution":
        return [f"{tab.brand}: a liquid dose of a product that is no oral solution, or the reverse"]
    out = []
    if measure.mg_per_ml != liquid.mg_per_ml or measure.device != liquid.device:
        out.append(f"{tab.brand}: the dose names another concentration or device")
    if liquid.device == "dropper":
        if measure.drops != tab.count or tab.strength != liquid.mg_per_drop:
            out.append(f"{tab.brand}: the drops do not agree with the product's mg per drop")
        whole = tab.count
    else:
        if measure.ml != tab.count or tab.strength != liquid.mg_per_ml:
            out.append(f"{tab.brand}: the ml do not agree with the concentration")
        whole = tab.count / liquid.smallest_ml
    if tab.count <= 0 or whole != whole.to_integral_value():
        out.append(f"{tab.brand}: {tab.count} is not a whole number of the device's measures")
    return out


def _in_formulary(guideline: Guideline, drug: str, unit: str) -> bool:
    return any(
        p.drug == drug and p.unit == unit and p.marketed and p.form != "oral-solution"
        for p in guideline.formulary
    )


def _drug_problems(
    plan: Plan,
    drug: str,
    steps: list[Step],
    rules: dict[str, TaperRule],
    changes: dict[dt.date, list[Step]],
) -> list[str]:
    out: list[str] = []
    for before, after in itertools.pairwise(steps):
        if after.start != before.end + dt.timedelta(days=1):
            out.append(f"{drug}: step {after.index} does not follow step {before.index}")
    if steps[-1].dose != 0:
        out.append(f"{drug}: the plan does not end at zero")
    applied = next((a for a in plan.applied_rules if a.drug == drug), None)
    tapering = False
    warned = {w.code for w in plan.warnings if w.drug == drug}
    if steps[0].start > plan.start:
        changes[steps[0].start].append(steps[0])  # a drug introduced by a switch
    for before, after in itertools.pairwise(steps):
        if after.phase == "taper":
            tapering = True
        if after.dose == before.dose:
            continue
        if before.phase != "mapping":
            changes[after.start].append(after)
        if after.dose > before.dose and (tapering or after.phase != "switch"):
            out.append(f"{drug}: step {after.index} raises the dose")
        if after.dose < before.dose and after.phase in ("taper", "aftercare") and applied:
            rule = rules.get(applied.rule)
            if rule is None:
                continue
            allowed = _allowed_cut(rule, applied, before.dose)
            if Fraction(before.dose - after.dose) > allowed:
                if after.dose == 0 and "stop-instead-of-tail" in warned:
                    continue  # the rule's stop at its stop dose instead of a tail (stop_end.py)
                codes = (
                    {"stop-from-smallest-dose"}
                    if after.dose == 0
                    else {"tablet-limited", "tablet-step-kept"}
                )
                if not after.tablet_limited or not codes & warned:
                    out.append(f"{drug}: step {after.index} cuts more than rule {rule.id} allows")
    return out


def evening_out_warning(first_dose: Decimal) -> str:
    """The high warning that makes a first fixed dose more than one step below the reported
    dose visible to the prescriber: a cut, or a stop (a dose below anything the products
    make)."""
    return "stop-from-smallest-dose" if first_dose == 0 else "start-dose-cut"


def _evening_out_problems(
    plan: Plan, guideline: Guideline, rules: dict[str, TaperRule]
) -> list[str]:
    out: list[str] = []
    warned = {(w.drug, w.code) for w in plan.warnings if w.severity == "high"}
    said = {(w.drug, w.code) for w in plan.warnings}
    for line in plan.medications:
        steps = [
            s
            for s in plan.steps
            if s.drug == line.drug and s.unit == line.unit and s.phase != "mapping"
        ]
        first = next((s for s in steps if s.doses or s.dose == 0 or s.phase == "switch"), None)
        if first is None or first.phase == "switch":
            continue  # kept as taken now until a switch replaces it
        if first.dose > line.amount:
            out.append(f"{line.drug}: step {first.index} starts above the reported {line.amount}")
            continue
        applied = next((a for a in plan.applied_rules if a.drug == line.drug), None)
        rule = _rule_for(plan, guideline, rules, line.drug, applied)
        if rule is None or first.dose == line.amount:
            continue
        # The step is measured from the reported dose (mode "start": a share of it), or from
        # a replan's original dose when that is larger (the base the planner used; in a plan
        # with a switch the applied base of a drug switched into is the dose after it).
        base = line.amount
        if plan.replan and applied is not None:
            base = max(applied.base, line.amount)
        if applied is not None:
            allowed = _allowed_cut(rule, applied.model_copy(update={"base": base}), line.amount)
        else:  # a drug switched away: the rule's largest share of the reported dose
            allowed = Fraction(line.amount) * _largest_percent(rule) / 100
        needed = (line.drug, evening_out_warning(first.dose))
        if first.dose == 0 and (line.drug, "stop-instead-of-tail") in said:
            continue  # the rule's stop within its stop dose instead of a tail (stop_end.py)
        if Fraction(line.amount - first.dose) > allowed and needed not in warned:
            out.append(
                f"{line.drug}: evening out starts step {first.index} at {first.dose} "
                f"{line.unit}, more than rule {rule.id}'s largest step below the reported "
                f"{line.amount}, without a high warning"
            )
    return out


def _rule_for(
    plan: Plan,
    guideline: Guideline,
    rules: dict[str, TaperRule],
    drug: str,
    applied: AppliedRule | None,
) -> TaperRule | None:
    """The rule the drug is planned by: its applied rule, or (a drug switched away) the
    plan's rule that matches it."""
    if applied is not None:
        return rules.get(applied.rule)
    found = next((d for d in guideline.drugs if d.id == drug), None)
    if found is None:
        return None
    return next((rules[r] for r in plan.rule_ids if r in rules and matches(rules[r], found)), None)


def _largest_percent(rule: TaperRule) -> Fraction:
    """The largest share of a dose one step of the rule may cut, in %."""
    red = rule.reduction
    return Fraction(red.max_percent if red.max_percent is not None else red.percent)


def _allowed_cut(rule: TaperRule, applied: AppliedRule, current: Decimal) -> Fraction:
    """The largest cut the rule allows from `current`: its step, or its smallest step when
    that is larger (the smallest step as the plan applied it, in the drug's unit)."""
    red = rule.reduction
    base = Fraction(applied.base)
    top = _largest_percent(rule)
    sd = rule.slow_down
    slow_from: Fraction | None = None
    if applied.slow_below_amount is not None:
        slow_from = Fraction(applied.slow_below_amount)
    elif sd is not None and sd.below_percent_of_start is not None:
        slow_from = base * Fraction(sd.below_percent_of_start) / 100
    if sd is not None and slow_from is not None and Fraction(current) < slow_from:
        allowed = Fraction(current) * Fraction(sd.percent) / 100
        smallest = applied.slow_min_step if applied.slow_min_step is not None else applied.min_step
    else:
        allowed = Fraction(current) * top / 100 if red.mode == "current" else base * top / 100
        smallest = applied.min_step
    if smallest is not None:
        # As the curve allows it (taper.plan.curve), and rounded to 0.001 in the plan.
        allowed = max(allowed, Fraction(smallest) * SMALLEST_STEP_ROUNDING + Fraction(1, 1000))
    return allowed


def _dispensing_problems(plan: Plan) -> list[str]:
    out: list[str] = []
    dispensed: dict[tuple[int, str, Decimal], Decimal] = {
        (d.step, d.brand, d.strength): d.tablets for d in plan.dispensing
    }
    for step in plan.steps:
        if step.unit != "mg" or step.dose == 0:
            continue
        per_day: dict[tuple[str, Decimal], Decimal] = defaultdict(Decimal)
        for dose in step.doses:
            for tab in dose.tablets:
                per_day[(tab.brand, tab.strength)] += tab.count
        for (brand, strength), count in per_day.items():
            have = dispensed.get((step.index, brand, strength), Decimal(0))
            if have < count * step.days or have != have.to_integral_value():
                out.append(f"step {step.index}: {have} x {brand} {strength} is not enough")
    return out
