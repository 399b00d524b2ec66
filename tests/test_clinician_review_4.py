"""Clinician review 4 (helper-notes/clinician-review-4.md), items D2, D3 and D10, each pinned
by a named regression on the panel patient the review read (tests/panel.py commands).

- D2: depot tablets stay the backbone while they make the rule's step (reviews 6 and 8 later
  asked that a hold before a larger depot cut give way to the immediate-release tablets).
- D3: a change of product comes on the step that cuts the dose, with its reason on it.
- D10: cuts larger than the rule's share because of its smallest step are listed.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from tail_helpers import with_tail  # the tails these tests pin (tail_helpers.py)

from taper.dose import parse_medication
from taper.plan import PlanOptions, make_plan
from taper.plan.invariants import plan_problems
from taper.plan.model import Plan, Step
from taper.plan.regimen_invariants import regimen_problems
from taper.render import PlanFormat, render_plan

START = dt.date(2027, 1, 4)


def render_text(made: Plan, lang: str) -> str:
    return render_plan(made, PlanFormat.text, lang).decode("utf-8")


def plan(guideline: str, med: str) -> Plan:
    loaded = with_tail(guideline)
    made = make_plan([parse_medication(med)], loaded, PlanOptions(start=START))
    assert plan_problems(made, loaded.guideline) == []
    assert regimen_problems(made, loaded.guideline) == []
    return made


def tapering(made: Plan) -> list[Step]:
    return [s for s in made.steps if s.phase == "taper" and s.dose > 0]


def brands(step: Step) -> set[str]:
    return {t.brand for d in step.doses for t in d.tablets}


def modified(step: Step) -> bool:
    return all(t.modified_release for d in step.doses for t in d.tablets)


def test_us02_hands_over_to_immediate_release_rather_than_hold_the_depot() -> None:
    """us-02 (us-cdc-2022 oxycodone 60 mg). Review 4 (D2) asked for OxyContin as the backbone;
    the plan then held it 60 days before each 5 mg cut from 45 mg down to 20 mg (150 days of
    holds). Clinician reviews 6 (D5) and 8 (plan 9) and the brief: a hold is no substitute for
    a step another product in the formulary makes. Now OxyContin q12h, whole tablets, while it
    makes the rule's step (55, 50, 45 mg), then immediate-release tablets on the cut to
    42.5 mg, a step each month with no hold, and no return to the depot tablets."""
    made = plan("us-cdc-2022", "oxycodone 60 mg")
    steps = tapering(made)
    first_ir = next(i for i, s in enumerate(steps) if not modified(s))
    depot, tail = steps[:first_ir], steps[first_ir:]
    assert [s.dose for s in depot] == [Decimal(n) for n in (55, 50, 45)]
    for step in depot:
        assert brands(step) == {"OxyContin"}
        assert len(step.doses) == 2  # q12h
        assert all(t.count == int(t.count) for d in step.doses for t in d.tablets)
    assert not any(modified(s) for s in tail)
    change = tail[0]
    assert change.dose == Decimal("42.5")
    assert change.ideal is not None  # a cut, not a week at an unchanged dose
    assert change.note is not None
    assert change.note.startswith("from here Oxycodone hydrochloride tablets (immediate release)")
    # A step a month, none held: each run is one interval of about a month.
    for step in steps:
        assert (step.end - step.start).days + 1 <= 32, step.index
    assert not [w for w in made.warnings if w.code in ("tablet-limited", "hold-too-long")]


@pytest.mark.parametrize(
    ("guideline", "med", "held", "cut", "ir"),
    [
        # se-07: Tradolan Retard 100 + 100 until the cut to 150 mg as 3 x 50 mg (22 Feb).
        ("se-vgr", "tramadol 300 mg", Decimal(200), Decimal(150), "Tramadol Hexal"),
        # no-05: Nobligan Retard 100 + 100 until the cut to 150 mg as 3 x 50 mg (15 Mar).
        ("no-helsedir", "tramadol 400 mg", Decimal(200), Decimal(150), "Nobligan"),
    ],
)
def test_tramadol_form_change_on_cutting_step(
    guideline: str, med: str, held: Decimal, cut: Decimal, ir: str
) -> None:
    """se-07 and no-05: was a week of tramadol IR 50 + 50 + 100 at an unchanged 200 mg (no-05:
    200 mg then lasted 21 days, every other dose 14). Now the depot tablets give 200 mg to
    its end and the change to IR is the cut to 150 mg, its reason on that step."""
    made = plan(guideline, med)
    steps = tapering(made)
    for before, after in itertools.pairwise(steps):
        if brands(before) != brands(after):
            assert after.dose < before.dose, after.index  # never an unchanged dose
    change = next(i for i, s in enumerate(steps) if not modified(s))
    before, first = steps[change - 1], steps[change]
    assert modified(before)
    assert before.dose == held
    assert first.dose == cut
    assert brands(first) == {ir}
    assert [t.count for d in first.doses for t in d.tablets] == [1, 1, 1]
    assert first.note is not None
    assert "instead of" in first.note
    assert "cannot make the next step" in first.note
    # Every dose of the depot tablets lasts as long as the rule's interval and its holds: the
    # run at 200 mg is no longer than the run at 250 mg (was 21 against 14 days in no-05).
    runs: dict[Decimal, int] = {}
    for step in steps:
        runs[step.dose] = runs.get(step.dose, 0) + step.days
    assert runs[held] <= runs[Decimal(250)] + 1
    # The sheet and the exports show the change on that step.
    text = render_text(made, "en")
    assert f"Step {first.index}: from here {ir} (immediate release) instead of" in text


@pytest.mark.parametrize(("med", "steps"), [("oxycodone 15 mg", "3, 4, 5, 6, 7")])
def test_us_low_dose_cuts_flagged(med: str, steps: str) -> None:
    """us-01 (us-cdc-2022 oxycodone 15 mg): the monthly 2.5 mg steps (the rule's smallest step,
    a project choice) cut 17-50 % below 20 MME and no warning listed them, while se-vgr plans
    list such cuts. Now listed with their shares, and the earlier stop the rule's stop dose
    allows (20 mg MME: 12.5 mg oxycodone) is named on the clinician page."""
    made = plan("us-cdc-2022", med)
    (listed,) = [w for w in made.warnings if w.code == "step-floor-above-share"]
    assert listed.params["steps"] == steps
    assert "3: 16.7 %; 4: 20 %; 5: 25 %; 6: 33.3 %; 7: 50 %" in listed.message
    assert "So is an earlier stop from 12.5 mg (step 3)" in listed.message
    for lang, words in (("sv", "tidigare utsättning"), ("nb", "tidligere seponering")):
        assert words in render_text(made, lang)


def test_a_benzodiazepine_floor_cut_is_listed_without_an_earlier_stop() -> None:
    """uk-01 (uk-ashton diazepam 20 mg) printed no warning for its 38-60 % cuts at the end
    (review 4, D4); they are listed now, without offering an earlier stop (a benzodiazepine's
    end goes more slowly, NICE CKS, formulations.md §5)."""
    made = plan("uk-ashton", "diazepam 20 mg")
    (listed,) = [w for w in made.warnings if w.code == "step-floor-above-share"]
    # The tail takes the smaller cut now (D4): 0.8 -> 0.4 mg, 50 %, was 1 -> 0.4 mg, 60 %.
    assert "50 %" in listed.message
    assert "60 %" not in listed.message
    assert "earlier stop" not in listed.message


def test_paracetamol_limits_say_they_are_norwegian_outside_norway() -> None:
    """Review 4 D8: a Swedish Citodon plan cited Paralgin forte's Norwegian limits as if they
    were its own region's; a Norwegian plan needs no such sentence."""
    swedish = plan("se-vgr", "Citodon 180 mg")
    norwegian = plan("no-helsedir", "Paralgin forte 240 mg")
    limits = [w.message for w in swedish.warnings if w.code == "paracetamol-lower-limits"]
    assert limits
    assert limits[0].endswith(
        "These are Norwegian figures: the project's sources give none for this region."
    )
    assert all(
        "Norwegian figures" not in w.message
        for w in norwegian.warnings
        if w.code == "paracetamol-lower-limits"
    )


def test_us06_once_a_day_hydromorphone_offers_an_earlier_stop() -> None:
    """Review 5: us-06 gives IR hydromorphone 2 mg once a day for 91 days; the caution said
    so but, unlike us-01/us-02's listed cuts, offered no earlier stop within the stop dose."""
    made = plan("us-cdc-2022", "hydromorphone 8 mg")
    (fewer,) = [w.message for w in made.warnings if w.code == "immediate-release-fewer-times"]
    assert fewer.endswith(
        "So is an earlier stop from 4 mg (step 6), within the stop dose of rule cdc-long-term."
    )
    assert "tidigare utsättning från 4 mg (steg 6)" in render_text(made, "sv")


def test_uk_fentanyl_patch_keeps_the_rules_pace_in_whole_patch_intervals() -> None:
    """Clinician review 5: uk-ashton fentanyl 25 mcg/h was cut to 12 after 15 days (42 // 15
    left room for one hold); review 6 rejected 30 days at 25 and 45 at 12 (twice the rule's
    pace of 10 % of the start dose every 14 days). Now 75 days at 25 mcg/h (5 whole 15-day
    patch intervals: 13 of 25 mcg/h is 5.2 steps of 2.5) and one interval at 12, the rule's
    stop dose (clinician review 7: 78 days there did not make the stop smaller)."""
    made = plan("uk-ashton", "fentanyl patch 25 mcg/h")
    runs: dict[Decimal, int] = {}
    for step in made.steps:
        if step.phase == "taper" and step.dose > 0:
            runs[step.dose] = runs.get(step.dose, 0) + step.days
    assert runs == {Decimal(25): 75, Decimal(12): 15}


def test_uk_co_codamol_says_the_labels_hours_between_doses() -> None:
    """Clinician review 5: the uk-ashton co-codamol plan printed no dose interval; the emc
    leaflet's 2 tablets every 4-6 hours gives at least 4 hours between doses."""
    made = plan("uk-ashton", "co-codamol 240 mg")
    (per_day,) = [w.message for w in made.warnings if w.code == "paracetamol-per-day"]
    assert per_day.endswith("Doses at least 4 hours apart (Co-codamol 30/500 tablets: label).")


def test_combination_tablets_are_counted_as_tablets_on_the_sheet() -> None:
    """Nurse review 4: co-codamol cells said "2 × 30 mg", which a UK patient could take for
    plain codeine 30 mg tablets; a combination product is counted in tablets."""
    made = plan("uk-ashton", "co-codamol 240 mg")
    html = render_plan(made, PlanFormat.html, "en").decode("utf-8").replace("\u00a0", " ")
    assert "2 × 30 mg" not in html
    assert "2 tablets" in html
    assert "1 tablet" in html
    sv = render_plan(plan("se-vgr", "Citodon 180 mg"), PlanFormat.html, "sv").decode("utf-8")
    assert "2 tabletter" in sv.replace("\u00a0", " ")


def test_a_benzodiazepine_sheet_says_not_to_stop_suddenly_and_an_opioid_sheet_does_not() -> None:
    """Nurse review 4: the diazepam sheet had no "Important" box at all; the rule files'
    sourced `sudden-stop` sentence (Vård och insats) stands there for a benzodiazepine only."""
    diazepam = render_plan(plan("uk-ashton", "diazepam 20 mg"), PlanFormat.html, "en")
    morphine = render_plan(plan("uk-ashton", "morphine 60 mg"), PlanFormat.html, "en")
    oxazepam = render_plan(plan("se-vgr", "oxazepam 30 mg"), PlanFormat.html, "sv")
    assert b"seizures (fits)" in diazepam
    assert b"seizures (fits)" not in morphine
    assert "för en del till och med kramper" in oxazepam.decode("utf-8")


def test_a_switch_at_a_point_equivalence_is_not_called_the_lower_end() -> None:
    """Clinician review 6: uk-ashton lorazepam 3 mg -> diazepam 30 mg (Ashton's point 1 mg =
    10 mg) was said to start "from the lower end of the equivalence range"."""
    point = plan("uk-ashton", "lorazepam 3 mg")
    (said,) = [w.message for w in point.warnings if w.code == "switch"]
    assert "at the rule's equivalence" in said
    assert "lower end" not in said
