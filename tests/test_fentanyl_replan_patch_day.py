"""A patch's dose changes only on its own patch-change days, beside a second drug too.

Found by the regimen property (tests/test_plan_regimens.py): a replan of fentanyl 12.1 mcg/h
with alprazolam 0.5 mg (no-helsedir) or lorazepam 0.5 mg (uk-ashton), --switch and
--specialist, from 2026-01-05. The patch goes on on the replan's first day; the switch to
diazepam held it 14 days (two crossover weeks), so its taper began on day 14, in the middle
of a 72-hour patch, with a one-day "held one interval" step before 15 days of whole patches:
the stop came 16 days after the taper began ("step 9 changes the patch dose in the middle of
a patch"). The same held the patch off its cycle after another drug's switch or taper in
plans without a replan, where the invariant counted from the taper's first step and the
patient's calendar (taper.render.sheet_patches) from the first patch. A patch's taper now
begins on its next change day, counted from the first day the plan has it worn, and the
invariant counts from there too.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from taper.dose import parse_medication
from taper.guideline.loader import load_guideline
from taper.plan import PlanOptions, make_plan
from taper.plan.invariants import plan_problems
from taper.plan.model import Plan, Step
from taper.plan.regimen_invariants import regimen_problems
from taper.render.sheet_patches import patch_change_days
from taper.render.view_builder import build_view

START = dt.date(2026, 1, 5)


def planned(guideline: str, *meds: str, replan: bool = True, switch: bool | None = True) -> Plan:
    loaded = load_guideline(guideline)
    options = PlanOptions(start=START, switch=switch, specialist=True, replan=replan)
    result = make_plan([parse_medication(m) for m in meds], loaded, options)
    assert regimen_problems(result, loaded.guideline) == []
    assert plan_problems(result, loaded.guideline) == []
    return result


def fentanyl(result: Plan) -> list[Step]:
    return [s for s in result.steps if s.drug == "fentanyl"]


def change_days(steps: list[Step]) -> list[dt.date]:
    """The days the patch's dose changes in the taper (the stop included)."""
    return [
        after.start
        for before, after in itertools.pairwise(steps)
        if after.phase in ("taper", "aftercare") and after.dose != before.dose
    ]


@pytest.mark.parametrize(
    ("guideline", "benzodiazepine"),
    [("no-helsedir", "alprazolam 0.5 mg"), ("uk-ashton", "lorazepam 0.5 mg")],
)
def test_a_replanned_patch_beside_a_switch_changes_on_its_own_change_days(
    guideline: str, benzodiazepine: str
) -> None:
    result = planned(guideline, "fentanyl 12.1 mcg/h", benzodiazepine)
    steps = fentanyl(result)
    first_patch = steps[0].start
    assert first_patch == START  # a replan: the patch goes on on its first day
    taper = [s for s in steps if s.phase == "taper"]
    # The taper begins on a change day (day 15, after five patches), not on day 14 with a
    # one-day step; the stop comes after whole patches, on 4 February as before.
    assert (taper[0].start - first_patch).days % 3 == 0
    assert all(s.days % 3 == 0 for s in taper if s.dose > 0), [s.days for s in taper]
    stops = [s.start for s in steps if s.dose == 0 and s.phase in ("taper", "aftercare")]
    assert stops[0] == dt.date(2026, 2, 4)
    for day in change_days(steps):
        assert (day - first_patch).days % 3 == 0, day


def test_the_no_helsedir_case_step_by_step() -> None:
    """The plan the property found, as the prescriber reads it: fixed doses until
    19 January (15 days, five patches), 12 mcg/h one interval more from 20 January, the
    stop on 4 February; diazepam's taper after fentanyl stopped is unchanged."""
    result = planned("no-helsedir", "fentanyl 12.1 mcg/h", "alprazolam 0.5 mg")
    rows = [(s.phase, s.start, s.end, s.dose) for s in fentanyl(result)][:-1]
    assert [(p, a.isoformat(), b.isoformat(), str(d)) for p, a, b, d in rows] == [
        ("stabilisation", "2026-01-05", "2026-01-11", "12"),
        ("stabilisation", "2026-01-12", "2026-01-19", "12"),
        ("taper", "2026-01-20", "2026-02-03", "12"),
        ("taper", "2026-02-04", "2026-03-10", "0"),
    ]
    diazepam = [s for s in result.steps if s.drug == "diazepam" and s.phase == "taper"]
    assert diazepam[0].start == dt.date(2026, 2, 4)
    assert result.steps[-1].end == dt.date(2026, 6, 10)


@pytest.mark.parametrize(
    ("guideline", "meds", "replan", "switch"),
    [
        # the patch's taper after a switch crossover, without a replan
        ("no-helsedir", ("fentanyl 25 mcg/h", "oxazepam 10 mg"), False, True),
        ("no-helsedir", ("fentanyl 12.1 mcg/h", "alprazolam 0.5 mg"), False, True),
        # two opioids: the patch starts later in the group (several_drugs.py)
        ("no-helsedir", ("fentanyl 25 mcg/h", "codeine 10 mg"), True, None),
        ("no-helsedir", ("fentanyl 50 mcg/h", "morphine 10 mg"), False, None),
    ],
)
def test_the_patients_calendar_marks_every_patch_dose_change(
    guideline: str, meds: tuple[str, ...], replan: bool, switch: bool | None
) -> None:
    """The tick calendar boxes a new patch every 72 hours from the first patch; each of the
    patch's dose changes falls on one of those boxes (was 1 or 2 days beside them)."""
    loaded = load_guideline(guideline)
    result = planned(guideline, *meds, replan=replan, switch=switch)
    view = build_view(result, "en", loaded.guideline)
    boxes = patch_change_days(view, "fentanyl")
    changes = change_days(fentanyl(result))
    assert changes
    # the stop is the day the last patch comes off, not a box: the box before it is 3 days
    for day in changes[:-1]:
        assert day in boxes, day
    assert changes[-1] - dt.timedelta(days=3) in boxes


def test_the_invariant_counts_from_the_first_patch() -> None:
    """The regimen invariant flags a patch taper begun in the middle of a patch (the plan as
    main made it: fixed doses 14 days, then the taper), even when its dose changes lie whole
    patches after the taper's first day."""
    loaded = load_guideline("no-helsedir")
    result = planned("no-helsedir", "fentanyl 12.1 mcg/h", "alprazolam 0.5 mg")
    day = dt.timedelta(days=1)
    moved = []
    for step in result.steps:
        if step.drug == "fentanyl" and step.phase == "stabilisation" and step.days == 8:
            step = step.model_copy(update={"end": step.end - day})
        elif step.drug == "fentanyl" and step.phase == "taper":
            step = step.model_copy(update={"start": step.start - day, "end": step.end - day})
        moved.append(step)
    problems = regimen_problems(result.model_copy(update={"steps": moved}), loaded.guideline)
    assert "fentanyl: step 7 begins the taper in the middle of a patch" in problems
