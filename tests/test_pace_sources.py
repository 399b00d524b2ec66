"""Issue 15, item 6, "pace from the sources": plan lengths and tails against published schedules.

The review found taper's plans 1.05-2.4 times as long as published schedules, the extra time
in long holds at the end rather than in small steps (uk-ashton diazepam 20 mg took 826 days,
us-cdc-2022 oxycodone 60 mg 944). A rule's smallest step (`reduction.min_step`,
`slow_down.min_step`, taper/plan/step_floors.py) keeps a share of the current dose from
shrinking below the steps the sources use, and a cut the tablets force up to that size is not
held. Each figure below names the published schedule it is checked against.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from taper.clinic_days import ClinicDays
from taper.dose import parse_medication
from taper.errors import TaperError
from taper.guideline.loader import load_guideline
from taper.plan import PlanOptions, make_plan
from taper.plan.change_days import moved_past
from taper.plan.invariants import plan_problems
from taper.plan.model import AppliedRule, Plan, Step

START = dt.date(2027, 1, 4)


def plan(guideline: str, *meds: str, **options: Any) -> Plan:
    loaded = load_guideline(guideline)
    made = make_plan(
        [parse_medication(m) for m in meds], loaded, PlanOptions(start=START, **options)
    )
    assert plan_problems(made, loaded.guideline) == []
    return made


def taper(made: Plan, drug: str) -> list[Step]:
    """The drug's taper steps, the stop (its first dose of zero) included."""
    out: list[Step] = []
    for step in made.steps:
        if step.drug != drug:
            continue
        if step.phase == "taper" or (out and step.dose == 0):
            out.append(step)
            if step.dose == 0:
                break
    return out


def weeks(steps: list[Step]) -> float:
    """From the first cut to the stop, in weeks."""
    return (steps[-1].start - steps[0].start).days / 7


def planned_days(step: Step) -> int:
    """A step's days less those a dose change moved off weekends and public holidays added
    (taper.plan.change_days; the closed days right before the next step, in any shipped
    region: an upper bound)."""
    days = (step.end - step.start).days + 1
    return days - max(
        moved_past(step.end, ClinicDays(True, country)) for country in ("SE", "NO", "GB", "US")
    )


def longest_run(steps: list[Step]) -> int:
    """The most days at one dose during the taper, as planned (before holiday moves), a
    formulation change's week apart (the same dose on the new product is a step of its own,
    issue 15: not a hold)."""
    best = run = 0
    previous: Step | None = None
    for step in steps:
        days = planned_days(step) if step.dose else 0
        handover = (step.note or "").startswith("from here")
        same = previous is not None and previous.dose == step.dose
        run = run + days if same and not handover else (0 if handover else days)
        previous = step
        best = max(best, run)
    return best


def cuts(steps: list[Step]) -> list[tuple[Decimal, Decimal]]:
    """(dose before, cut) for every cut but the stop."""
    return [(a.dose, a.dose - b.dose) for a, b in itertools.pairwise(steps) if 0 < b.dose < a.dose]


# --- uk-ashton: the UK summary of NICE CKS (shared/formulations.md §5) -----------------------
# "Diazepam ≤40 mg: −2–4 mg to 20, −1–2 mg to 10, −1 mg to 5, then −0.5–1 mg every 1–2
# weeks (30–60 weeks from 40 mg)" (docslib copy, secondary). Ashton's own schedule tables were
# not retrieved (clinical-facts-2.md §6.3); forum descriptions of Ashton-style tapers give the
# same 1 mg, then 0.5 mg diazepam steps (clinical-facts.md §5.2).


def test_uk_ashton_diazepam_20_mg_takes_as_long_as_the_nice_cks_schedule() -> None:
    """From 20 mg the summary's schedule is 5-10 steps of 1-2 mg to 10 mg, 5 steps of 1 mg to
    5 mg, then 5-10 steps of 0.5-1 mg: 15-25 steps every 1-2 weeks, 15 to 50 weeks. Before the
    smallest step the plan took 826 days (118 weeks), most of it 0.2 mg liquid steps every four
    weeks and holds of 56 days."""
    steps = taper(plan("uk-ashton", "diazepam 20 mg"), "diazepam")
    assert 15 <= weeks(steps) <= 50
    assert longest_run(steps) <= 14
    for dose, cut in cuts(steps):
        if dose > 10:
            assert 1 <= cut <= 2, (dose, cut)
        elif dose >= 5:  # the rule slows down below 5 mg
            assert cut == 1, (dose, cut)
        else:
            # 0.5 mg as the oral suspension measures it (0.2 mg a dose, 0.4 mg a day): the
            # smaller cut, never the larger 0.6 mg (clinician review 4, D4); the last, a stop.
            assert Decimal("0.4") <= cut <= Decimal("0.5") or dose == cut, (dose, cut)


def test_uk_ashton_diazepam_40_mg_takes_30_to_60_weeks_as_the_nice_cks_schedule() -> None:
    """The summary's own figure: 30-60 weeks from 40 mg. Before: 1,064 days (152 weeks). The
    tail's cuts are 0.4 mg a day where the summary's smallest is 0.5 mg (the suspension measures
    0.2 mg a dose, and the smaller cut is taken: clinician review 4, D4), and a holiday moves a
    step a day, so up to a week more."""
    made = plan("uk-ashton", "diazepam 40 mg")
    steps = taper(made, "diazepam")
    assert 30 <= weeks(steps) <= 61
    assert longest_run(steps) <= 14
    assert not any(w.code == "max-duration-exceeded" for w in made.warnings)


def test_uk_ashton_slow_down_is_half_the_smallest_step_below_5_mg_diazepam() -> None:
    applied = plan("uk-ashton", "diazepam 20 mg").applied_rules[0]
    assert (applied.min_step, applied.slow_min_step, applied.slow_below_amount) == (
        Decimal(1),
        Decimal("0.5"),
        Decimal(5),
    )
    assert applied.slow_interval_days == applied.interval_days == 14


def test_uk_ashton_chosen_percent_is_not_overridden_by_the_smallest_step() -> None:
    """--percent is the prescriber's speed: no smallest step makes its cuts larger."""
    made = plan("uk-ashton", "diazepam 10 mg", percent=Decimal(5))
    assert made.applied_rules[0].min_step is None
    first = taper(made, "diazepam")[0]
    assert first.dose == Decimal("9.5")


# --- us-cdc-2022: 10 % a month or slower (clinical-facts-2.md §7, CDC 2022 p. 17) -------------


def test_us_cdc_oxycodone_60_mg_ends_in_monthly_half_tablet_steps_not_holds() -> None:
    """CDC 2022: "tapers of approximately 10% per month or slower" for use of a year or more.
    Read as 10 % of the original dose a month the taper takes 10 months; the rule cuts 10 % of
    the current dose, and below 25 mg (where 10 % is less than half a 5 mg tablet) 2.5 mg a
    month. Before: 944 days, with 60-day holds before each 2.5 mg cut and a max-duration
    warning; now under the rule's 730 days. OxyContin while it makes the rule's step (to 45 mg),
    then immediate-release tablets, 2.5 mg a month with no hold (clinician reviews 6 and 8: its
    5 mg cuts had been held 60 days each)."""
    made = plan("us-cdc-2022", "oxycodone 60 mg")
    steps = taper(made, "oxycodone")
    assert 300 <= (steps[-1].start - steps[0].start).days <= 730
    tail = [
        s
        for s in steps
        if s.dose and "OxyContin" not in {t.brand for d in s.doses for t in d.tablets}
    ]
    assert tail[0].dose == Decimal("42.5")
    assert longest_run(tail) <= 30
    assert longest_run(steps) <= 30
    assert not any(w.code in ("max-duration-exceeded", "tablet-limited") for w in made.warnings)
    for dose, cut in cuts(tail):
        assert cut <= max(dose / 10, Decimal("2.5")) + Decimal("0.5"), (dose, cut)
    # Whole-tablet depot cuts (5 mg) a month while they are 10 % or less of the dose before.
    for dose, cut in cuts(steps[: steps.index(tail[0]) + 1]):
        assert cut <= 5, (dose, cut)
        assert cut / dose <= Decimal("0.1"), (dose, cut)
    assert [s.dose for s in steps[-4:]] == [Decimal("7.5"), Decimal(5), Decimal("2.5"), 0]


# --- no-helsedir: 10-20 % of the original dose weekly, 1-6 months (clinical-facts.md §4.3) ---


def test_no_helsedir_alprazolam_3_mg_pace_is_helsedirektoratets() -> None:
    """Helsedirektoratet's avrusning guideline: weekly reductions of about 10-20 % of the
    original dose, the taper over 1-6 months; the slow-down near the end (relatively long
    over the final phase) cuts no more per day than the main pace."""
    made = plan("no-helsedir", "alprazolam 3 mg", switch=True)
    steps = taper(made, "diazepam")
    base = next(a.base for a in made.applied_rules if a.drug == "diazepam")
    assert 4 <= weeks(steps) <= 26
    main = [(d, c) for d, c in cuts(steps) if d >= base * Decimal("0.3")]
    assert main
    assert all(c <= base / 5 for _, c in main)
    assert all(planned_days(s) <= 7 <= s.days for s in steps if s.dose >= base * Decimal("0.3"))
    slow = [s for s in steps if 0 < s.dose < base * Decimal("0.3")]
    assert slow
    assert all((s.end - s.start).days + 1 >= 14 for s in slow)


# --- se-vgr: oxazepam (no Swedish source gives a step size) ----------------------------------


def test_se_vgr_oxazepam_30_mg_holds_at_most_three_slow_intervals_and_offers_no_switch() -> None:
    """The Swedish oxazepam tablets make 2.5 mg steps at the least; below 7.5 mg that is a
    third of the dose or more. No product of se-vgr makes a smaller step, so the cut is held
    (at most three slow-down intervals, 63 days) with a high warning. The taper stays within
    the rule's 365 days. The warning used to name a switch to diazepam; clinician review 8,
    D4: se-vgr's diazepam 2 mg tablets (6 mg oxazepam) step more coarsely than oxazepam's
    2.5 mg halves, so it no longer offers that switch."""
    made = plan("se-vgr", "oxazepam 30 mg")
    steps = taper(made, "oxazepam")
    assert longest_run(steps) <= 63
    assert weeks(steps) * 7 <= 365
    limited = next(w for w in made.warnings if w.code == "tablet-limited")
    assert "--switch" not in limited.message


# --- the smallest step, as a property ---------------------------------------------------------


def _smallest(applied: AppliedRule, dose: Decimal) -> Fraction | None:
    slow = applied.slow_below_amount
    if slow is not None and dose < slow and applied.slow_min_step is not None:
        return Fraction(applied.slow_min_step)
    return None if applied.min_step is None else Fraction(applied.min_step)


@settings(max_examples=40, deadline=None)
@given(
    case=st.sampled_from(
        [
            ("uk-ashton", "diazepam", "mg", Decimal("0.5"), 60),
            ("uk-ashton", "lorazepam", "mg", Decimal("0.5"), 8),
            ("uk-ashton", "temazepam", "mg", Decimal(10), 6),
            ("us-cdc-2022", "oxycodone", "mg", Decimal(5), 24),
            ("us-cdc-2022", "morphine", "mg", Decimal(10), 12),
            ("us-cdc-2022", "hydromorphone", "mg", Decimal(2), 8),
        ]
    ),
    data=st.data(),
)
def test_no_step_is_smaller_than_the_rules_smallest_step(
    case: tuple[str, str, str, Decimal, int], data: st.DataObject
) -> None:
    """Every cut is at least half the rule's smallest step, but the last step to zero and the step
    onto the last dose before it (down to the smallest dose the tablets make, which an oral
    solution's tail stops from); no cut is larger than the rule allows without its warning
    (`plan_problems`, in `plan`)."""
    guideline, drug, unit, quantum, most = case
    amount = quantum * data.draw(st.integers(min_value=1, max_value=most))
    try:
        made = plan(guideline, f"{drug} {amount} {unit}")
    except TaperError:
        return  # a refusal (a product limit, a specialist's dose) has no steps to check
    for applied in made.applied_rules:
        steps = taper(made, applied.drug)
        last = next((s.dose for s in reversed(steps) if s.dose > 0), None)
        for before, after in itertools.pairwise(steps):
            if after.dose in (0, before.dose):
                continue
            if after.dose == last:
                continue  # onto the last dose the products make before the stop
            smallest = _smallest(applied, before.dose)
            if smallest is None:
                continue
            cut = Fraction(before.dose - after.dose)
            # Where the products cannot make the smallest step, the smaller cut they make is
            # taken, while it is at least half that step (clinician review 4, D4).
            assert cut >= smallest / 2, (applied.drug, before.dose, after.dose)
