"""Clinician review 4 (helper-notes/clinician-review-4.md), the benzodiazepine items:

- D4: the tails of uk-01, uk-02 and uk-05 were rounded toward the larger cut (4 -> 3.4 -> ...
  -> 1.0 -> 0.4 mg, -60 %; 2 -> 1.4 -> 0.8 -> 0.2 mg, -75 %) and nothing flagged it. Where the
  suspension cannot make the rule's 0.5 mg step it now takes the smaller cut (0.4 mg), and a
  cut beyond the rule's step is listed on the clinician page.
- D5: halves of two strengths at one dose time (½ x 5 mg + 1½ x 2 mg) and strengths switching
  back and forth (uk-02: 2 mg -> ½ x 5 mg -> 2 mg).
- D11: tablets -> suspension at an unchanged dose for 7 days; the change is now made on the
  step that cuts the dose.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from taper.dose import parse_medication
from taper.guideline.loader import load_guideline
from taper.plan import PlanOptions, make_plan
from taper.plan.invariants import plan_problems
from taper.plan.model import Plan, Step
from taper.plan.regimen_invariants import regimen_problems

START = dt.date(2027, 1, 4)  # the review's start date
UK01 = "diazepam 20 mg"
UK02 = "lorazepam 3 mg"
UK05 = "zopiclone 7.5 mg"
SUSPENSION = "Diazepam oral suspension 2 mg/5 ml"
# uk-ashton's diazepam steps: 10 % of the dose, at least 1 mg; below 5 mg, at least 0.5 mg.
SLOW_BELOW = Decimal(5)


def uk(med: str) -> Plan:
    result = make_plan(
        [parse_medication(med)], load_guideline("uk-ashton"), PlanOptions(start=START)
    )
    g = load_guideline("uk-ashton").guideline
    assert plan_problems(result, g) == []
    assert regimen_problems(result, g) == []
    return result


def diazepam(result: Plan) -> list[Step]:
    return [s for s in result.steps if s.drug == "diazepam" and s.phase in ("taper", "switch")]


def rule_step(before: Decimal) -> Decimal:
    """The rule's step from `before` mg a day (uk-ashton's reduction and slow-down)."""
    smallest = Decimal("0.5") if before < SLOW_BELOW else Decimal(1)
    return max(before / 10, smallest)


def cuts(result: Plan) -> list[tuple[Step, Step]]:
    """(before, after) for every cut of diazepam that is not the stop."""
    return [(a, b) for a, b in itertools.pairwise(diazepam(result)) if Decimal(0) < b.dose < a.dose]


def test_uk05_tail_takes_smaller_cut() -> None:
    """2 -> 1.4 -> 0.8 -> 0.2 mg (-30/-43/-75 %) was the tail; now 0.4 mg steps to 0.4 mg."""
    steps = diazepam(uk(UK05))
    tail = [s.dose for s in steps if s.dose < SLOW_BELOW]
    expected = [Decimal(4), *(Decimal(n) / 10 for n in range(36, 0, -4))]
    assert tail == expected


def test_uk01_and_uk02_tails_take_the_smaller_cut() -> None:
    """4 -> 3.4 -> 2.8 -> 2.2 -> 1.6 -> 1.0 -> 0.4 mg was the tail of both; now every cut below
    5 mg is at most the rule's 0.5 mg (0.4 mg as the suspension measures it), down to 0.4 mg."""
    for med in (UK01, UK02):
        result = uk(med)
        low = [(a, b) for a, b in cuts(result) if a.dose < SLOW_BELOW]
        assert low, med
        assert all(a.dose - b.dose in (Decimal("0.4"), Decimal("0.5")) for a, b in low), med
        last = [s for s in diazepam(result) if s.dose > 0][-1]
        assert last.dose == Decimal("0.4"), med


def test_every_cut_beyond_the_rules_step_is_listed() -> None:
    """uk-01 printed no warnings at all; a cut larger than the rule's step (not the stop) is
    now named, with its share, on the clinician page."""
    for med in (UK01, UK02, UK05):
        result = uk(med)
        listed = {
            n.strip()
            for w in result.warnings
            if w.code == "tablet-step-beyond-rule"
            for n in w.params.get("steps", "").split(",")
        }
        beyond = {str(b.index) for a, b in cuts(result) if a.dose - b.dose > rule_step(a.dose)}
        assert beyond <= listed, (med, beyond, listed)
    # uk-01's one such cut: 13.5 -> 12 mg (11.1 %), where 12.5 mg needs ½ x 5 mg beside 2 mg.
    assert any(w.code == "tablet-step-beyond-rule" for w in uk(UK01).warnings)


def test_uk01_one_strength_per_dose_time() -> None:
    """uk-01 steps 8 and 12 (½ x 5 + 1½ x 2, ½ x 5 + ½ x 2), uk-02 step 16 and uk-05's bedtime
    ½ x 5 + ½ x 2 mg: no dose time takes a part tablet beside another strength now."""
    for med in (UK01, UK02, UK05):
        for step in diazepam(uk(med)):
            for dose in step.doses:
                kinds = {(t.brand, t.strength) for t in dose.tablets}
                halves = [t for t in dose.tablets if t.count != t.count.to_integral_value()]
                assert not (len(kinds) > 1 and halves), (med, step.index, dose)


def test_uk02_strengths_do_not_switch_back_and_forth() -> None:
    """uk-02 steps 19-25 went 2 mg -> ½ x 5 mg -> 2 mg: once the day is made of 2 mg tablets
    alone below 10 mg, no 5 mg tablet comes back (since diazepam sheds its dose times, the
    5 mg evening tablet stays down to 5 mg a day, then 2 mg tablets alone)."""
    steps = [s for s in diazepam(uk(UK02)) if s.dose < 10 and s.dose > 0]
    strengths = [
        {t.strength for d in s.doses for t in d.tablets if t.liquid is None} for s in steps
    ]
    strengths = [s for s in strengths if s]  # tablet steps
    first = next(i for i, s in enumerate(strengths) if s == {Decimal(2)})
    assert all(s == {Decimal(2)} for s in strengths[first:]), strengths


def test_uk_tablet_to_suspension_on_cutting_step() -> None:
    """uk-01 step 17 and uk-05 step 11 gave the suspension at the tablets' dose for 7 days; the
    change now comes with the first cut, its note still saying why."""
    for med in (UK01, UK02, UK05):
        steps = diazepam(uk(med))
        change = next(
            i
            for i, s in enumerate(steps)
            if s.note and s.note.startswith(f"from here {SUSPENSION}")
        )
        assert "instead of Diazepam tablets" in (steps[change].note or "")
        assert steps[change].dose < steps[change - 1].dose, med
        assert steps[change].ideal is not None, med
        assert all(t.liquid is None for d in steps[change - 1].doses for t in d.tablets), med
        assert all(t.liquid for d in steps[change].doses for t in d.tablets), med


def test_a_solution_change_before_a_held_cut_keeps_the_dose_times() -> None:
    """Found by the regimen property while making D11: with --percent 5 the first cut on the
    suspension is held, and the hold (on the new product) was shared over morning and evening
    (0.4 + 0.6 mg) before an evening-only 0.8 mg, raising the evening dose. The hold is now on
    the tablets and the suspension starts with the cut, at the same dose time."""
    g = load_guideline("uk-ashton")
    result = make_plan(
        [parse_medication("oxazepam 0.5 mg")],
        g,
        PlanOptions(start=START, percent=Decimal(5), specialist=True),
    )
    assert regimen_problems(result, g.guideline) == []
    steps = diazepam(result)
    at = next(i for i, s in enumerate(steps) if s.note and s.note.startswith("from here"))
    assert steps[at].dose < steps[at - 1].dose
    assert [d.time for d in steps[at].doses] == [d.time for d in steps[at - 1].doses]
