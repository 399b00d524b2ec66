"""Short-acting benzodiazepines at 3 fixed times a day, not 12-hourly.

Clinician review 2, finding 2 (and review 1, defect 6): alprazolam 3 mg (no-02) and lorazepam
3 mg (uk-02) were evened out to 1.5 mg twice a day before the switch to diazepam, and oxazepam
stayed twice a day in se-01 and se-13. The rule files now give oxazepam, immediate-release
alprazolam and lorazepam 3 or 4 dose times a day in their product regimen (Helsedirektoratet's
patient recipe: 3-5 fixed times a day; trappned.no: oxazepam four times a day; Norsk
legemiddelhåndbok: oxazepam 3-4 times a day; shared/clinical-facts.md §4.3, clinical-facts-2.md
§5.1). A patient's own dose times as written are kept (NHI.no: keep the same number of doses);
diazepam stays at the rule's 1-2 a day and hypnotics at bedtime.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest

from taper.dose import parse_medication
from taper.guideline.loader import load_guideline
from taper.plan import PlanOptions, make_plan
from taper.plan.invariants import plan_problems
from taper.plan.model import Plan, Step
from taper.plan.regimen_invariants import regimen_problems

START = dt.date(2026, 1, 5)
SHORT_ACTING = {"oxazepam", "alprazolam", "lorazepam"}


def plan(guideline: str, *meds: str, switch: bool | None = None) -> Plan:
    result = make_plan(
        [parse_medication(m) for m in meds],
        load_guideline(guideline),
        PlanOptions(start=START, switch=switch),
    )
    g = load_guideline(guideline).guideline
    assert regimen_problems(result, g) == []
    assert plan_problems(result, g) == []
    return result


def test_a_mapping_week_as_written_is_no_plan_problem() -> None:
    """The mapping week of dose times as written (`oxazepam 10+10+15 mg`) is taken as now,
    from the patient's own tablets; the plan checker read it as formulary tablets that make
    0 mg ("step 1: morning tablets make 0, not 10"), so every such plan failed the check."""
    made = make_plan(
        [parse_medication("oxazepam 10+10+15 mg")],
        load_guideline("se-vgr"),
        PlanOptions(start=START),
    )
    mapping = made.steps[0]
    assert mapping.phase == "mapping"
    assert [d.amount for d in mapping.doses] == [Decimal(10), Decimal(10), Decimal(15)]
    assert plan_problems(made, load_guideline("se-vgr").guideline) == []


def fixed(result: Plan, drug: str) -> Step:
    return next(s for s in result.steps if s.drug == drug and s.phase == "stabilisation")


def times(step: Step) -> dict[str, Decimal]:
    return {d.time: d.amount for d in step.doses}


def no_rise_and_no_return(result: Plan, drug: str) -> None:
    """Between taper steps no dose time rises, and a dropped one never comes back."""
    steps = [s for s in result.steps if s.drug == drug and s.phase == "taper"]
    for before, after in itertools.pairwise(steps):
        prior = times(before)
        for name, amount in times(after).items():
            assert name in prior, f"{drug}: {name} returns at step {after.index}"
            assert amount <= prior[name], f"{drug}: {name} rises at step {after.index}"


def label_note(result: Plan, drug: str) -> bool:
    return any(w.code == "dose-times-from-label" and w.drug == drug for w in result.warnings)


def test_se01_oxazepam_30_mg_is_evened_out_at_three_times_not_twice() -> None:
    result = plan("se-vgr", "oxazepam 30 mg")
    step = fixed(result, "oxazepam")
    assert times(step) == {
        "morning": Decimal(10),
        "midday": Decimal(10),
        "evening": Decimal(10),
    }
    assert label_note(result, "oxazepam")
    no_rise_and_no_return(result, "oxazepam")
    # The dose times are dropped by the rule's order near the end (evening kept longest).
    last = [s for s in result.steps if s.drug == "oxazepam" and s.dose > 0][-1]
    assert list(times(last)) == ["evening"]


def test_se13_oxazepam_20_mg_with_tramadol_is_given_three_times_a_day() -> None:
    result = plan("se-vgr", "oxazepam 20 mg", "tramadol 200 mg")
    step = fixed(result, "oxazepam")
    assert list(times(step)) == ["morning", "midday", "evening"]
    assert sum(times(step).values()) == 20
    no_rise_and_no_return(result, "oxazepam")


def test_no02_alprazolam_3_mg_is_evened_out_at_three_times_before_the_switch() -> None:
    result = plan("no-helsedir", "alprazolam 3 mg", switch=True)
    step = fixed(result, "alprazolam")
    assert times(step) == {"morning": Decimal(1), "midday": Decimal(1), "evening": Decimal(1)}
    # No alprazolam step gives 1.5 mg at one time (the 12-hourly regimen of the review).
    for s in result.steps:
        if s.drug == "alprazolam":
            assert all(d.amount <= 1 for d in s.doses), s.index
    # The crossover replaces one dose time a week: 3 -> 2 -> 1 -> 0 alprazolam dose times.
    counts = [len(s.doses) for s in result.steps if s.drug == "alprazolam" and s.doses]
    assert counts[-3:] == [3, 2, 1]
    assert sum(times(fixed(result, "alprazolam")).values()) == 3


def test_uk02_lorazepam_3_mg_is_evened_out_at_three_times_before_the_switch() -> None:
    result = plan("uk-ashton", "lorazepam 3 mg")
    step = fixed(result, "lorazepam")
    assert times(step) == {"morning": Decimal(1), "midday": Decimal(1), "evening": Decimal(1)}
    assert label_note(result, "lorazepam")
    diazepam = [s for s in result.steps if s.drug == "diazepam" and s.phase == "taper"]
    assert diazepam
    assert all(len(s.doses) <= 3 for s in diazepam)


def test_dose_times_as_written_are_kept_without_a_label_note() -> None:
    """NHI.no: keep the same number of doses. Temesta 1+0+1 stays morning and evening; the
    plan does not say it is given 3 times a day."""
    result = plan("se-vgr", "Temesta 1 mg 1+0+1")
    assert list(times(fixed(result, "lorazepam"))) == ["morning", "evening"]
    assert not label_note(result, "lorazepam")
    no_rise_and_no_return(result, "lorazepam")


def test_four_dose_times_as_written_stay_four() -> None:
    result = plan("se-vgr", "oxazepam 10 mg 1+1+1+1")
    assert len(fixed(result, "oxazepam").doses) == 4
    assert not label_note(result, "oxazepam")


@pytest.mark.parametrize(
    ("guideline", "med", "drug", "count"),
    [
        ("se-vgr", "diazepam 15 mg", "diazepam", 2),
        ("no-helsedir", "diazepam 20 mg", "diazepam", 2),
        ("se-vgr", "zopiclone 7.5 mg", "zopiclone", 1),
        ("no-helsedir", "nitrazepam 10 mg", "nitrazepam", 1),
        ("se-vgr", "zolpidem 10 mg", "zolpidem", 1),
    ],
)
def test_diazepam_and_hypnotics_keep_their_dose_times(
    guideline: str, med: str, drug: str, count: int
) -> None:
    result = plan(guideline, med)
    step = fixed(result, drug)
    assert len(step.doses) == count
    if count == 1:
        assert step.doses[0].time == "bedtime"


@pytest.mark.parametrize("guideline", ["se-vgr", "no-helsedir", "uk-ashton"])
def test_rule_files_give_short_acting_benzodiazepines_three_or_four_times(guideline: str) -> None:
    g = load_guideline(guideline).guideline
    for product in g.formulary:
        regimen = product.regimen
        short = product.drug in SHORT_ACTING and not product.modified_release
        if short and product.marketed:
            assert regimen is not None, product.brand
            assert regimen.doses_per_day == [3, 4], product.brand
            assert regimen.source or regimen.unverified, product.brand
        elif product.drug in {"diazepam", "clonazepam", "nitrazepam", "zopiclone", "zolpidem"}:
            assert regimen is None or not regimen.doses_per_day, product.brand
