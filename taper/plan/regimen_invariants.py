"""The regimen invariants of issue 15, as a checker that returns problems as data.

- every product limit holds: units per dose and per day, combination ingredient caps;
- a modified-release product is given at least as many times a day as its interval implies;
- during a taper, on the same products, the dose at a time of day never rises and a dropped
  dose time never returns (a formulation change starts a new regimen);
- a product, once stopped during a drug's taper, never returns: each formulation (depot
  tablets, immediate-release tablets, oral solution, patch) is taken in one unbroken run of
  steps (clinician review 6, D4: Oramorph on, off, on again);
- at most two strengths at one dose time in every reduction step;
- the last dose before zero is at most the rule's stop dose;
- a run at one dose longer than the rule's limit carries the `hold-too-long` warning (the
  limit plus the closed days a dose change was moved past, `taper.plan.change_days`);
- a liquid dose names its product's concentration and measuring device and is a whole
  number of the device's graduations (or drops), and an oral solution's tail ends no lower
  than where the rule lets the drug stop.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from taper.guideline.model import Drug, Guideline, Product
from taper.plan.change_days import closed_days, moved_past, patch_move_days
from taper.plan.holds import DEFAULT_HOLD_INTERVALS
from taper.plan.invariants import liquid_problems
from taper.plan.labels import formulation, unit_caps
from taper.plan.model import Plan, Step
from taper.plan.pieces import beyond_depot_spread
from taper.plan.regimen import stop_too_high


def _product(guideline: Guideline, drug: str, brand: str) -> Product | None:
    return next((p for p in guideline.formulary if p.drug == drug and p.brand == brand), None)


def _label_problems(step: Step, guideline: Guideline) -> list[str]:
    out: list[str] = []
    per_day: dict[str, Decimal] = defaultdict(Decimal)
    ingredient_day: dict[str, Decimal] = defaultdict(Decimal)
    mr_times: dict[str, int] = defaultdict(int)
    for dose in step.doses:
        units: dict[str, Decimal] = defaultdict(Decimal)
        for tab in dose.tablets:
            liquid = _product(guideline, step.drug, tab.brand)
            if tab.liquid is not None or (liquid is not None and liquid.liquid is not None):
                if liquid is None:
                    out.append(f"step {step.index}: {tab.brand} is no product of the formulary")
                else:
                    out.extend(f"step {step.index}: {p}" for p in liquid_problems(liquid, tab))
                continue
            units[tab.brand] += tab.count
            per_day[tab.brand] += tab.count
        for brand, count in units.items():
            product = _product(guideline, step.drug, brand)
            if product is None:
                continue
            most, _ = unit_caps([product])
            if most is not None and count > most:
                out.append(
                    f"step {step.index}: {count} x {brand} at {dose.time}, label says {most}"
                )
            for item in product.ingredients:
                amount = item.amount * count
                ingredient_day[item.name] += amount
                if item.max_per_dose is not None and amount > item.max_per_dose:
                    out.append(f"step {step.index}: {amount} mg {item.name} at {dose.time}")
            if product.modified_release:
                mr_times[brand] += 1
    for brand, count in per_day.items():
        product = _product(guideline, step.drug, brand)
        if product is None:
            continue
        most_amount = product.regimen.max_amount_per_day if product.regimen else None
        if most_amount is not None and step.dose > most_amount:
            out.append(f"step {step.index}: {step.dose} a day of {brand}, label: {most_amount}")
        _, most_day = unit_caps([product])
        if most_day is not None and count > most_day:
            out.append(f"step {step.index}: {count} x {brand} a day, label says {most_day}")
        for item in product.ingredients:
            if item.max_per_day is not None and ingredient_day[item.name] > item.max_per_day:
                out.append(f"step {step.index}: {ingredient_day[item.name]} mg {item.name} a day")
        regimen = product.regimen
        if (
            product.modified_release
            and product.form != "patch"
            and regimen is not None
            and regimen.interval_hours
            and step.phase in ("stabilisation", "taper")
        ):
            need = min(4, 24 // regimen.interval_hours)
            times_used = len([d for d in step.doses if d.tablets])
            if mr_times[brand] < need and times_used < need:
                out.append(f"step {step.index}: {brand} given {mr_times[brand]} times a day")
    return out


def _strength_problems(step: Step) -> list[str]:
    out = []
    for dose in step.doses:
        kinds = {(t.brand, t.strength) for t in dose.tablets}
        if len(kinds) > 2:
            out.append(f"step {step.index}: {len(kinds)} strengths at {dose.time}")
    return out


def _time_problems(drug: str, steps: list[Step]) -> list[str]:
    """No dose time rises or returns while the products stay the same (taper steps)."""
    out: list[str] = []
    tapering = [s for s in steps if s.phase == "taper" and s.doses]
    for before, after in itertools.pairwise(tapering):
        brands_before = {t.brand for d in before.doses for t in d.tablets}
        brands_after = {t.brand for d in after.doses for t in d.tablets}
        if (after.note or "").startswith("from here") or brands_after.isdisjoint(brands_before):
            continue  # a formulation change starts a new regimen
        earlier = {d.time: d.amount for d in before.doses}
        for dose in after.doses:
            if dose.time not in earlier:
                out.append(f"{drug}: step {after.index} gives a dose at {dose.time} again")
            elif dose.amount > earlier[dose.time]:
                out.append(f"{drug}: step {after.index} raises the {dose.time} dose")
    return out


def _formulation(guideline: Guideline, drug: str, brand: str) -> str:
    product = _product(guideline, drug, brand)
    return brand if product is None else formulation(product)


def formulation_restarts(plan: Plan, guideline: Guideline) -> list[str]:
    """Each formulation of a drug (depot tablets, immediate-release tablets, an oral
    solution, a patch: `labels.formulation`) is taken in one unbroken run of its steps: a
    patient never starts one, stops it and starts it again (clinician review 6, D4).
    Strengths of one formulation come and go as the dose falls, also from two makers; a
    pause repeats the step before."""
    out: list[str] = []
    by_drug: dict[str, list[Step]] = defaultdict(list)
    for step in plan.steps:
        by_drug[step.drug].append(step)
    for drug, steps in by_drug.items():
        stopped: set[str] = set()
        before: set[str] = set()
        for step in steps:
            if step.phase == "mapping" or not step.doses:
                continue
            kinds = {_formulation(guideline, drug, t.brand) for d in step.doses for t in d.tablets}
            stopped |= before - kinds
            for kind in sorted(kinds & stopped):
                out.append(f"{drug}: step {step.index} gives {kind} again after it was stopped")
            stopped -= kinds  # said once for each return
            before = kinds
    return out


def _stop_problems(plan: Plan, guideline: Guideline, drug: Drug, steps: list[Step]) -> list[str]:
    applied = next((a for a in plan.applied_rules if a.drug == drug.id), None)
    rule = next((r for r in guideline.taper_rules if applied and r.id == applied.rule), None)
    if rule is None:
        return []
    route = next((m.route for m in plan.medications if m.drug == drug.id), "oral")
    out = []
    for before, after in itertools.pairwise(steps):
        if after.dose == 0 and before.dose > 0 and before.phase != "mapping":
            if after.phase == "switch" or before.phase == "switch":
                continue  # replaced by a switch, not stopped
            too_high = stop_too_high(guideline, rule, drug, before.unit, route, before.dose)  # type: ignore[arg-type]
            if too_high is not None:
                out.append(f"{drug.id}: stops from {before.dose} {before.unit}, above {too_high}")
    return out


@dataclass
class _Run:
    """Consecutive taper steps at one dose."""

    dose: Decimal
    days: int = 0
    moved: int = 0  # at most the days added by changes moved off closed days (change_days)
    paused: bool = False
    forced: bool = False  # the step after it is a cut the tablets force


def _hold_problems(plan: Plan, guideline: Guideline, drug: str, steps: list[Step]) -> list[str]:
    applied = next((a for a in plan.applied_rules if a.drug == drug), None)
    rule = next((r for r in guideline.taper_rules if applied and r.id == applied.rule), None)
    if applied is None or rule is None:
        return []
    intervals = (
        DEFAULT_HOLD_INTERVALS if rule.max_hold_intervals is None else rule.max_hold_intervals.value
    )
    longest = max(applied.interval_days, applied.slow_interval_days or 0)
    # A patch's intervals are whole patch changes (taper.plan.holds.longest_run_days).
    hours = [t.change_hours for s in steps for d in s.doses for t in d.tablets if t.change_hours]
    if hours and min(hours) % 24 == 0:
        every = min(hours) // 24
        longest = -(-longest // every) * every
    limit = intervals * longest
    warned = any(w.code == "hold-too-long" and w.drug == drug for w in plan.warnings)
    closed = closed_days(guideline)
    # Every step start of the plan (any drug): a change moved off closed days moves every
    # later step with it, so a run grows by the closed days before any start within it.
    starts = sorted({s.start for s in plan.steps})
    move = patch_move_days(plan.steps) or 1  # a patch plan moves by whole patch intervals
    runs: list[_Run] = []
    for step in steps:
        if runs and step.tablet_limited and runs[-1].dose != step.dose:
            runs[-1].forced = True  # the step after the run is a cut the tablets force
        if step.phase != "taper" or step.dose == 0:
            runs.append(_Run(Decimal(-1)))
            continue
        if runs and runs[-1].dose == step.dose:
            runs[-1].days += step.days
            runs[-1].paused = runs[-1].paused or step.pause
        else:
            runs.append(_Run(step.dose, step.days, paused=step.pause))
        runs[-1].moved += sum(
            moved_past(day - dt.timedelta(days=1), closed, move)
            for day in starts
            if step.start < day <= step.end + dt.timedelta(days=1)
        )
    for run in runs:
        long = run.days - run.moved > limit and not run.paused
        if long and not warned:
            return [f"{drug}: {run.days} days at {run.dose} without a hold warning"]
        if long and run.forced and not hours:
            # A hold before a forced cut stops at the rule's limit (taper.plan.holds); a
            # patch's is held as long as the rule's pace needs, with the warning above.
            return [
                f"{drug}: held {run.days} days at {run.dose} before a forced cut, beyond {limit}"
            ]
    return []


def _patch_problems(steps: list[Step]) -> list[str]:
    """A patch taper step lasts whole patches (taper.plan.patches): no strength changes in
    the middle of a patch."""
    out = []
    for step in steps:
        if step.phase != "taper" or step.dose == 0:
            continue  # a pause lasts whole patches too (taper.plan.patches.whole_pause_days)
        hours = [t.change_hours for d in step.doses for t in d.tablets if t.change_hours]
        if hours and min(hours) % 24 == 0 and step.days % (min(hours) // 24):
            out.append(f"step {step.index}: {step.days} days of patches worn {min(hours)} h")
    return out


def _patch_change_problems(drug: str, steps: list[Step]) -> list[str]:
    """A patch's dose changes only on a patch-change day, counted from the first step it is
    worn (the patient's pages count from there: taper.render.sheet_patches), also when another
    drug's steps, a switch or a replan come first (several_drugs.py, Builder.begin_taper), and
    after a pause (lengthened to whole patches); its taper begins on one."""
    hours = [t.change_hours for s in steps for d in s.doses for t in d.tablets if t.change_hours]
    worn = next(
        (
            s
            for s in steps
            if s.phase != "mapping"
            and s.dose > 0
            and any(t.change_hours for d in s.doses for t in d.tablets)
        ),
        None,
    )
    first = next((s for s in steps if s.phase == "taper"), None)
    if not hours or min(hours) % 24 or worn is None or first is None:
        return []
    every = min(hours) // 24
    out = []
    if (first.start - worn.start).days % every:
        out.append(f"{drug}: step {first.index} begins the taper in the middle of a patch")
    for before, after in itertools.pairwise(steps):
        if after.phase not in ("taper", "aftercare") or after.dose == before.dose:
            continue
        if (after.start - worn.start).days % every:
            out.append(
                f"{drug}: step {after.index} changes the patch dose in the middle of a patch"
            )
    return out


def _depot_spread_problems(step: Step) -> list[str]:
    """A day on depot tablets alone keeps its doses within `DEPOT_SPREAD` of each other
    (clinician review 9, D1: 5 mg in the morning beside 50 mg at night)."""
    if step.phase in ("mapping", "switch") or len(step.doses) < 2:
        return []
    tablets = [t for d in step.doses for t in d.tablets]
    if not tablets or not all(t.modified_release and t.change_hours is None for t in tablets):
        return []
    amounts = [d.amount for d in step.doses]
    if beyond_depot_spread(amounts):
        return [f"{step.drug}: step {step.index} gives depot doses {amounts} a day, lopsided"]
    return []


def regimen_problems(plan: Plan, guideline: Guideline) -> list[str]:
    """Every broken regimen invariant of `plan` under `guideline` (empty: sound)."""
    problems: list[str] = []
    by_drug: dict[str, list[Step]] = defaultdict(list)
    for step in plan.steps:
        by_drug[step.drug].append(step)
        problems.extend(_label_problems(step, guideline))
        problems.extend(_depot_spread_problems(step))
    problems.extend(formulation_restarts(plan, guideline))
    drugs = {d.id: d for d in guideline.drugs}
    for drug, steps in by_drug.items():
        for before, after in itertools.pairwise(steps):
            if after.phase == "taper" and after.dose < before.dose:
                problems.extend(_strength_problems(after))  # every reduction step
        problems.extend(_time_problems(drug, steps))
        problems.extend(_hold_problems(plan, guideline, drug, steps))
        problems.extend(_patch_change_problems(drug, steps))
        if len(by_drug) == 1:
            # Several drugs interleave their steps (several_drugs.py), which can still split
            # a patch step; whole patches are checked for a lone patch drug.
            problems.extend(_patch_problems(steps))
        if drug in drugs:
            problems.extend(_stop_problems(plan, guideline, drugs[drug], steps))
    return problems
