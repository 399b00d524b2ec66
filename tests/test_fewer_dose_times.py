"""A long-acting drug sheds its dose times as its dose falls (`fewer_dose_times`).

Clinician review 8, issue 15 (an edit a reviewing pharmacist asked for): uk-ashton lorazepam
3 mg switched to diazepam, and the diazepam kept three dose times down to the end, 0.2 + 0.2
+ 0.4 mg of an oral suspension measured three times a day. Diazepam is long-acting (half-life
up to 200 hours, shared/clinical-facts.md) and taken about twice a day, or once daily, in a
taper (shared/formulations.md §4, dosing frequency in a taper). The rule files now say, as
the project's (unverified) choice, that below 5 mg of diazepam at one dose time a step takes
the earliest dose time down first, to zero over the steps, rather than sharing the cut evenly:
the day ends on one evening dose. The daily doses stay the rule's; no dose time rises or
returns, and short-acting drugs keep their even sharing.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import taper.plan.builder as builder
import taper.plan.curve as curve
from taper.dose import parse_medication
from taper.errors import TaperError
from taper.guideline.loader import load_guideline, validate_bytes
from taper.plan import PlanOptions, make_plan
from taper.plan.dosetimes import next_vector
from taper.plan.formulary import kit_for
from taper.plan.invariants import plan_problems
from taper.plan.model import Plan, Step
from taper.plan.regimen import liquid_kit
from taper.plan.regimen_invariants import regimen_problems
from taper.plan.tablets import Kit

START = dt.date(2027, 1, 4)
FULL = Path(__file__).resolve().parent / "corpus" / "valid" / "full.yaml"


def plan(guideline: str, med: str, switch: bool | None = None) -> Plan:
    loaded = load_guideline(guideline)
    result = make_plan([parse_medication(med)], loaded, PlanOptions(start=START, switch=switch))
    assert plan_problems(result, loaded.guideline) == []
    assert regimen_problems(result, loaded.guideline) == []
    return result


def _forget() -> None:
    curve._TRAJECTORIES.clear()
    builder._PLAN_MEMO.clear()


def evenly(guideline: str, med: str, switch: bool | None = None) -> Plan:
    """The plan as before the change: every cut shared evenly over the dose times."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(curve, "tail_quanta", lambda *_: None)
        _forget()
        try:
            return plan(guideline, med, switch)
        finally:
            _forget()


def tapering(result: Plan, drug: str) -> list[Step]:
    return [s for s in result.steps if s.drug == drug and s.phase == "taper"]


def shares(step: Step) -> dict[str, Decimal]:
    return {d.time: d.amount for d in step.doses}


def below(step: Step, amount: Decimal) -> int:
    """How many dose times of the step hold a dose below `amount`."""
    return sum(1 for d in step.doses if 0 < d.amount < amount)


# --- the pharmacist's example, pinned ----------------------------------------------------


def test_uk_ashton_lorazepam_3mg_diazepam_tail_ends_on_one_evening_dose() -> None:
    """Was: 0.2 + 0.2 + 0.4 mg of diazepam suspension three times a day (steps 37-38), 1 + 1
    + 2 mg at 4 mg. Now the morning dose falls to zero from 5 mg, then the midday one, and
    from 5 mg a day the evening dose alone is left, down to 0.4 mg."""
    steps = tapering(plan("uk-ashton", "lorazepam 3 mg"), "diazepam")
    tail = [
        tuple(shares(s).get(t, Decimal(0)) for t in ("morning", "midday", "evening"))
        for s in steps
        if s.dose <= 15
    ]
    d = Decimal
    assert tail == [
        (d(5), d(5), d(5)),
        (d(4), d(5), d(5)),
        (d(3), d(5), d(5)),
        (d(2), d(5), d(5)),
        (d(1), d(5), d(5)),
        (d(0), d(5), d(5)),
        (d(0), d(4), d(5)),
        (d(0), d(3), d(5)),
        (d(0), d(2), d(5)),
        (d(0), d(1), d(5)),
        (d(0), d(0), d(5)),
        (d(0), d(0), d(4)),
        *((d(0), d(0), d(x) / 10) for x in (36, 32, 28, 24, 20, 16, 12, 8, 4)),
    ]
    assert all(below(s, Decimal(5)) <= 1 for s in steps)
    assert list(shares(steps[-1])) == ["evening"]


EXAMPLES = [
    ("uk-ashton", "lorazepam 3 mg"),
    ("uk-ashton", "alprazolam 1.5 mg"),
    ("uk-ashton", "diazepam 20 mg"),
    ("uk-ashton", "oxazepam 30 mg"),
    ("se-vgr", "diazepam 15 mg"),
    ("no-helsedir", "diazepam 20 mg"),
]


@pytest.mark.parametrize(("guideline", "med"), EXAMPLES)
def test_the_tail_keeps_the_daily_doses_and_ends_on_one_evening_dose(
    guideline: str, med: str
) -> None:
    """Only how the day's dose is shared changes: the same daily doses on the same days as
    with even sharing, and the last dose before the stop is one evening dose (each plan
    also keeps every regimen invariant: no dose time rises or returns)."""
    new = plan(guideline, med)
    old = evenly(guideline, med)
    assert [(s.drug, s.dose, s.start, s.end) for s in new.steps] == [
        (s.drug, s.dose, s.start, s.end) for s in old.steps
    ]
    steps = tapering(new, "diazepam")
    assert list(shares(steps[-1])) == ["evening"]
    was = tapering(old, "diazepam")
    assert len(was) == len(steps)
    assert any(shares(a) != shares(b) for a, b in zip(was, steps, strict=True))
    if guideline == "uk-ashton":
        # Halves of 2 mg tablets, then a suspension: below 5 mg at a dose time, one at most.
        assert all(below(s, Decimal(5)) <= 1 for s in steps)
        assert len(was[-1].doses) > 1  # was: 0.2 + 0.2 mg, or more
    else:
        # Whole 2 and 5 mg tablets: 4 mg a day was 2 + 2 mg, now 4 mg in the evening.
        four = [shares(s) for s in steps if s.dose == 4]
        assert four
        assert all(day == {"evening": Decimal(4)} for day in four)


@settings(max_examples=40, deadline=None)
@example(guideline="no-helsedir", drug="alprazolam", amount=Decimal(3), switch=True)
@example(guideline="uk-ashton", drug="diazepam", amount=Decimal("7.5"), switch=None)
@given(
    guideline=st.sampled_from(["uk-ashton", "se-vgr", "no-helsedir"]),
    drug=st.sampled_from(["diazepam", "lorazepam", "alprazolam", "oxazepam", "clonazepam"]),
    amount=st.decimals(min_value=Decimal("0.5"), max_value=Decimal(40), places=1),
    switch=st.sampled_from([None, True, False]),
)
def test_any_plan_keeps_the_daily_doses_of_even_sharing(
    guideline: str, drug: str, amount: Decimal, switch: bool | None
) -> None:
    """Whatever the start (a diazepam of 6 or 7.5 mg already below the tail at both dose
    times, whole tablets that cannot make 3 + 5 mg), the tail changes how a day's dose is
    shared, never the daily doses or their days: where it cannot share the dose even sharing
    reached, that step is shared evenly (uk-ashton diazepam 7.5 mg; no-helsedir alprazolam
    3 mg, panel no-02, took 28 days less while the tail chose its own doses)."""
    med = f"{drug} {amount} mg"
    try:
        new = plan(guideline, med, switch)
    except TaperError:
        return
    old = evenly(guideline, med, switch)
    assert [(s.drug, s.dose, s.start, s.end) for s in new.steps] == [
        (s.drug, s.dose, s.start, s.end) for s in old.steps
    ]


@pytest.mark.parametrize(
    ("guideline", "med"),
    [
        ("se-vgr", "lorazepam 3 mg"),
        ("uk-ashton", "oxazepam 30 mg"),
        ("no-helsedir", "oxazepam 30 mg"),
    ],
)
def test_a_short_acting_drug_keeps_its_even_sharing(guideline: str, med: str) -> None:
    """No rule names oxazepam, lorazepam or alprazolam: tapered as they are, their cuts are
    shared over the day as before."""
    drug = med.split()[0]
    new = tapering(plan(guideline, med, switch=False), drug)
    old = tapering(evenly(guideline, med, switch=False), drug)
    assert new
    assert [shares(s) for s in new] == [shares(s) for s in old]


def test_the_rule_is_on_the_clinician_page_as_a_project_choice() -> None:
    unverified = plan("uk-ashton", "lorazepam 3 mg").unverified
    assert any(u.startswith("rule ashton-anxiolytic fewer_dose_times: ") for u in unverified)
    # A diazepam taken once a day sheds no dose time: the choice is not listed.
    once = plan("uk-ashton", "nitrazepam 5 mg").unverified
    assert not any("fewer_dose_times" in u for u in once)


# --- the rule file's checks ---------------------------------------------------------------


def test_a_short_acting_drug_named_gets_a_warning() -> None:
    text = FULL.read_text(encoding="utf-8").replace(
        "      - {drug: diazepam, below: 5, unit: mg, unverified: project choice}",
        "      - {drug: oxazepam, below: 5, unit: mg, unverified: project choice}",
    )
    found = validate_bytes(text.encode(), "full.yaml").findings
    assert [(f.rule, f.level) for f in found] == [("fewer-dose-times", "warning")]
    assert "oxazepam, which is not `long_acting`" in found[0].message


# --- the sharing itself (hypothesis) ------------------------------------------------------


def _suspension() -> Kit:
    loaded = load_guideline("uk-ashton")
    tablets = kit_for(loaded.guideline, loaded.sha256, "diazepam", "mg", None)
    assert tablets is not None
    kit = liquid_kit(loaded.guideline, loaded.sha256, tablets)
    assert kit is not None
    return kit


SUSPENSION = _suspension()
# Every dose of the suspension up to this many measures is one a dose time can take.
MOST = 40


@st.composite
def days(draw: st.DrawFn) -> tuple[tuple[int, ...], int, int, tuple[int, ...]]:
    times = draw(st.integers(2, 4))
    before = tuple(draw(st.lists(st.integers(0, MOST), min_size=times, max_size=times)))
    total = sum(before)
    daily = draw(st.integers(0, max(total - 1, 0)))
    tail = draw(st.integers(1, MOST))
    ranks = tuple(draw(st.permutations(range(times))))
    return before, daily, tail, ranks


@settings(max_examples=300, deadline=None)
@given(day=days())
def test_below_the_tail_the_dose_time_dropped_first_takes_the_cut(
    day: tuple[tuple[int, ...], int, int, tuple[int, ...]],
) -> None:
    """On an oral suspension (every measure a dose time can take), below the tail a later
    dose time is lowered only when every dose time the rule drops before it is at zero: no
    later time is cut below the tail while an earlier one still holds a dose. The day holds
    the daily dose, no time rises, a dropped time stays dropped -- also where the search
    is greedy (four dose times of many measures)."""
    before, daily, tail, ranks = day
    assert all(SUSPENSION.per_time_makeable(q) for q in range(1, MOST + 1))
    after = next_vector(SUSPENSION, before, daily, 1, ranks, tail)
    if daily == 0 or sum(before) == 0:
        return
    assert after is not None
    assert sum(after) == daily
    assert all(a <= b for a, b in zip(after, before, strict=True))
    for i, j in itertools.permutations(range(len(before)), 2):
        if ranks[i] < ranks[j] and after[i] > 0:
            # time i is dropped before time j and still holds a dose
            assert after[j] >= min(before[j], tail), (before, after, ranks, tail)
    # So at most one dose time is below the tail beyond those below it before.
    was = sum(1 for b in before if 0 < b < tail)
    assert sum(1 for a in after if 0 < a < tail) <= was + 1


def test_above_the_tail_the_cut_is_shared_evenly() -> None:
    """The tail leaves the doses above it as even sharing gives them (13 + 13 + 14 + 14
    measures, not 9 + 15 + 15 + 15), and takes the earliest down below it."""
    assert next_vector(SUSPENSION, (15, 15, 15, 15), 54, tail=10) == (13, 13, 14, 14)
    assert next_vector(SUSPENSION, (15, 15, 15, 15), 54) == (13, 13, 14, 14)
    assert next_vector(SUSPENSION, (10, 10, 10), 25, tail=10) == (5, 10, 10)
    assert next_vector(SUSPENSION, (10, 10, 10), 25) == (8, 8, 9)
    # The rule's drop order: midday first, then morning; evening kept longest.
    assert next_vector(SUSPENSION, (10, 10, 10), 15, drop=(1, 0, 2), tail=10) == (5, 0, 10)
