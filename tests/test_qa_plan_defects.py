"""QA regression tests: planner defects found by exercising the shipped rule files.

Each test pins one defect seen on the real CLI or library. A test marked
`xfail(strict=True)` documents a bug that is not fixed yet: the suite stays green, and the
fix turns the test into an unexpected pass, so the marker must then be removed.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from taper.dose import parse_medication
from taper.errors import TaperError
from taper.guideline.loader import load_guideline
from taper.plan import Pause, PlanOptions, make_plan
from taper.plan.model import Plan, Step

MONDAY = dt.date(2027, 1, 4)
SATURDAY = dt.date(2027, 1, 2)


def make(guideline: str, *meds: str, start: dt.date = MONDAY, **options: Any) -> Plan:
    loaded = load_guideline(guideline)
    return make_plan(
        [parse_medication(m) for m in meds], loaded, PlanOptions(start=start, **options)
    )


def steps_of(plan: Plan, drug: str) -> list[Step]:
    return [s for s in plan.steps if s.drug == drug]


# --- speed the user asked for -------------------------------------------------------------


def test_a_chosen_slower_percent_is_never_silently_exceeded() -> None:
    chosen = Decimal(1)
    plan = make("se-vgr", "oxazepam 30 mg", percent=chosen)
    steps = steps_of(plan, "oxazepam")
    for before, after in itertools.pairwise(steps):
        if after.phase != "taper" or after.dose >= before.dose:
            continue
        cut = (before.dose - after.dose) / before.dose * 100
        if cut > chosen:
            assert after.tablet_limited, (
                f"step {after.index} cuts {cut:.1f} % although --percent {chosen} was asked, "
                "and is not flagged"
            )


# --- pauses --------------------------------------------------------------------------------


def test_repeated_pauses_cannot_exceed_the_rules_maximum_pause() -> None:
    pauses = (Pause(dt.date(2027, 3, 1), 28), Pause(dt.date(2027, 3, 2), 28))
    try:
        plan = make("se-vgr", "oxazepam 30 mg", pauses=pauses)
    except TaperError:
        return  # refusing the second pause is a fix too
    held = sum(s.days for s in steps_of(plan, "oxazepam") if s.pause)
    assert held <= 28


# --- checkpoints ---------------------------------------------------------------------------


def test_first_reduction_on_day_one_has_a_dose_change_and_a_support_talk() -> None:
    plan = make("se-vgr", "oxycodone 40 mg", rule="opioid-kort-anvandning")
    first = next(s for s in steps_of(plan, "oxycodone") if s.dose < Decimal(40))
    changes = {c.date for c in plan.checkpoints if c.kind == "dose-change"}
    talks = [c.date for c in plan.checkpoints if c.kind == "support"]
    assert first.start in changes
    assert any(day <= first.start for day in talks)


def test_no_checkpoint_before_the_plan_starts() -> None:
    plan = make("us-cdc-2022", "oxycodone 60 mg", start=SATURDAY, rule="cdc-brief-acute")
    assert all(c.date >= plan.start for c in plan.checkpoints)


def test_opioid_overdose_content_follows_the_opioid_stop_in_a_two_drug_plan() -> None:
    plan = make("se-vgr", "Dolcontin 60 mg", "oxazepam 30 mg")
    morphine = steps_of(plan, "morphine")
    stop = next(s.start for s in morphine if s.dose == 0)
    soon = [
        c
        for c in plan.checkpoints
        if stop <= c.date <= stop + dt.timedelta(days=28) and "lost-tolerance" in c.content
    ]
    assert soon, f"no lost-tolerance talk in the 4 weeks after the opioid stop on {stop}"


# --- slow-down near the end ----------------------------------------------------------------


def test_every_step_below_the_slow_down_threshold_lasts_the_slow_interval() -> None:
    plan = make("se-vgr", "oxazepam 30 mg")
    below = [
        s
        for s in steps_of(plan, "oxazepam")
        if s.phase == "taper" and Decimal(0) < s.dose < Decimal("7.5")
    ]
    assert below
    assert all(s.days >= 21 for s in below), [(str(s.dose), s.days) for s in below]


# --- stopping without a taper --------------------------------------------------------------


def test_a_stop_without_any_reduction_is_refused_or_warned_high() -> None:
    try:
        plan = make("us-cdc-2022", "fentanyl patch 25 mcg/h")
    except TaperError:
        return
    reductions = [s for s in steps_of(plan, "fentanyl") if s.phase == "taper" and s.dose > 0]
    if not reductions:
        assert any(w.severity == "high" and w.drug == "fentanyl" for w in plan.warnings)


# --- products ------------------------------------------------------------------------------


def test_a_depot_brand_is_not_silently_planned_with_immediate_release_tablets() -> None:
    plan = make("se-vgr", "OxyContin 40 mg")
    tablets = [t for s in plan.steps for d in s.doses for t in d.tablets]
    all_depot = all(t.modified_release for t in tablets)
    warned = any("OxyContin" in w.message for w in plan.warnings)
    # The immediate-release tail is a visible step of its own ("from here ... instead of ...").
    noted = any((s.note or "").startswith("from here") for s in plan.steps)
    assert all_depot or warned or noted


def test_a_typed_immediate_release_brand_is_respected() -> None:
    plan = make("se-vgr", "Oxycodone G.L. 40 mg")
    tablets = [t for s in plan.steps for d in s.doses for t in d.tablets]
    assert tablets
    assert not any(t.modified_release for t in tablets)
