"""The planner on typical patients: phases, rules, options, switches, pauses, replanning, safety."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from taper.dose import parse_medication
from taper.errors import TaperError
from taper.guideline.loader import load_guideline
from taper.plan import Pause, PlanOptions, make_plan
from taper.plan.invariants import plan_problems
from taper.plan.model import Plan, Step

FIXTURES = Path(__file__).parent / "fixtures"
SE = str(FIXTURES / "plan-se.yaml")
UK = str(FIXTURES / "plan-uk.yaml")
US = str(FIXTURES / "plan-us.yaml")
START = dt.date(2025, 1, 6)  # a Monday
D = Decimal


def plan(guideline: str, *meds: str, **options: Any) -> Plan:
    loaded = load_guideline(guideline)
    made = make_plan(
        [parse_medication(m) for m in meds], loaded, PlanOptions(start=START, **options)
    )
    assert plan_problems(made, loaded.guideline) == []
    return made


def of(made: Plan, drug: str) -> list[Step]:
    return [s for s in made.steps if s.drug == drug]


def doses(steps: list[Step]) -> list[str]:
    return [str(s.dose) for s in steps]


def codes(made: Plan) -> list[str]:
    return [w.code for w in made.warnings]


# --- a single drug ------------------------------------------------------------------------


def test_long_term_oxazepam_follows_the_tub_phases() -> None:
    made = plan(SE, "oxazepam 25 mg")
    steps = of(made, "oxazepam")
    assert [s.phase for s in steps[:3]] == ["mapping", "stabilisation", "taper"]
    assert steps[-1].phase == "aftercare"
    assert doses(steps) == [
        "25",
        "25",
        "22.5",
        "20",
        "17.5",
        "15",
        "12.5",
        "10",
        "7.5",
        "7.5",  # held longer before the forced 33 % cut (the rule's slow-down allows 10 %)
        "5",
        "5",  # held longer before the forced 50 % cut
        "2.5",
        "0",
    ]
    assert steps[0].start == START
    assert steps[0].days == 7
    assert steps[0].doses == []  # doses as the patient takes them now
    assert steps[1].days == 14  # stabilisation
    assert [(d.time, d.amount) for d in steps[1].doses] == [("morning", D(10)), ("evening", D(15))]
    assert steps[2].days == 14  # the rule's interval
    assert made.last_dose_date == steps[-2].end
    # aftercare: at least the rule file's six months after the last dose
    assert steps[-1].end >= dt.date(2025, 12, 8)
    assert made.rule_ids == ["benzodiazepines"]
    assert made.guideline.id == "plan-se"
    assert made.tool_version
    assert made.language == "sv"


def test_ideal_and_deviation_are_reported() -> None:
    steps = of(plan(SE, "oxazepam 25 mg"), "oxazepam")
    third = steps[3]  # 10 % of 22.5 = 20.25: tablets make 20
    assert (third.ideal, third.dose, third.deviation) == (D("20.25"), D(20), D("-0.25"))


def test_cuts_the_tablets_cannot_make_within_the_rule_are_flagged() -> None:
    made = plan(SE, "oxazepam 25 mg")
    limited = [s for s in of(made, "oxazepam") if s.tablet_limited]
    assert [str(s.dose) for s in limited] == ["5", "2.5", "0"]
    warning = next(w for w in made.warnings if w.code == "tablet-limited")
    assert warning.severity == "high"
    assert "oral solution" in warning.message
    assert "held" in warning.message  # the forced cuts are held longer before
    assert "stop-from-smallest-dose" in codes(made)


def test_unverified_rule_parameters_are_listed() -> None:
    made = plan(SE, "oxazepam 25 mg")
    assert any(u.startswith("rule benzodiazepines reduction:") for u in made.unverified)
    assert any(u.startswith("formulary Sobril") is False for u in made.unverified)


def test_hypnotic_is_taken_at_bedtime() -> None:
    steps = of(plan(SE, "Imovane 7.5 mg"), "zopiclone")
    assert [d.time for d in steps[1].doses] == ["bedtime"]
    # 7.5 is held longer before the forced 33 % cut, 3.75 before the stop (50 % of start)
    assert doses(steps) == ["7.5", "7.5", "7.5", "5", "3.75", "3.75", "0"]


def test_hypnotic_under_a_class_wide_rule_is_still_taken_at_bedtime() -> None:
    made = plan(UK, "temazepam 20 mg", switch=False)
    assert [d.time for d in of(made, "temazepam")[1].doses] == ["bedtime"]
    assert "hypnotic-at-bedtime" in codes(made)


def test_dose_the_tablets_cannot_make_is_rounded_down_with_a_warning() -> None:
    made = plan(SE, "oxazepam 24 mg")
    stabilisation = of(made, "oxazepam")[1]
    assert stabilisation.dose == D("22.5")
    assert stabilisation.ideal == 24
    assert "start-dose-rounded" in codes(made)


def test_dose_below_every_tablet_is_kept_as_taken_then_stopped() -> None:
    made = plan(SE, "oxazepam 1 mg")
    assert doses(of(made, "oxazepam")) == ["1", "1", "0"]
    assert of(made, "oxazepam")[1].doses == []
    assert "below-smallest-dose" in codes(made)


def test_patch_plan_uses_whole_patches_and_does_not_count_them() -> None:
    made = plan(SE, "fentanyl patch 50 mcg/h")
    steps = of(made, "fentanyl")
    assert all(d.time == "patch" for s in steps for d in s.doses)
    assert all(
        t.count == t.count.to_integral_value() for s in steps for d in s.doses for t in d.tablets
    )
    assert not [d for d in made.dispensing if d.drug == "fentanyl"]
    assert "patch-dispensing" in codes(made)


def test_depot_tablets_are_never_split() -> None:
    made = plan(SE, "oxycodone 60 mg")
    assert all(
        t.modified_release and t.count == int(t.count)
        for s in made.steps
        for d in s.doses
        for t in d.tablets
    )


def test_dispensing_counts_whole_tablets_per_step() -> None:
    made = plan(SE, "oxazepam 25 mg")
    stabilisation = of(made, "oxazepam")[1]  # 14 days of 10 mg + 15 mg
    lines = {(d.strength, d.tablets) for d in made.dispensing if d.step == stabilisation.index}
    assert lines == {(D(10), D(14)), (D(15), D(14))}
    last_taper = of(made, "oxazepam")[-2]  # 21 days of half a 5 mg: 10.5 → 11 tablets
    lines = {(d.strength, d.tablets) for d in made.dispensing if d.step == last_taper.index}
    assert lines == {(D(5), D(11))}


def test_mode_start_cuts_a_share_of_the_start_dose() -> None:
    made = plan(US, "oxycodone 50 mg")
    steps = of(made, "oxycodone")
    assert doses(steps[2:6]) == ["45", "40", "35", "30"]  # 10 % of 50 mg a week
    assert steps[2].days == 7
    # below 30 % of the start dose: 10 % of the current dose
    assert made.applied_rules[0].slow_below_percent_of_start == 30


def test_plans_are_identical_on_rerun() -> None:
    first = plan(SE, "oxazepam 25 mg", "oxycodone 60 mg")
    again = plan(SE, "oxazepam 25 mg", "oxycodone 60 mg")
    assert first.model_dump_json() == again.model_dump_json()


# --- rules and options --------------------------------------------------------------------


def test_most_specific_rule_is_chosen() -> None:
    assert plan(SE, "zopiclone 7.5 mg").rule_ids == ["hypnotics"]
    assert plan(SE, "methadone 30 mg", specialist=True).rule_ids == ["substitution"]
    assert plan(SE, "oxycodone 30 mg").rule_ids == ["opioids"]


def test_rule_option_chooses_another_matching_rule() -> None:
    made = plan(SE, "oxazepam 20 mg", rule="benzodiazepines-fast")
    assert made.rule_ids == ["benzodiazepines-fast"]
    assert made.applied_rules[0].mode == "start"


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("nonesuch", "has no taper rule 'nonesuch'"),
        ("opioids", "does not apply to oxazepam"),
    ],
)
def test_rule_option_is_refused_when_it_does_not_fit(rule: str, message: str) -> None:
    with pytest.raises(TaperError, match=message):
        plan(SE, "oxazepam 20 mg", rule=rule)


def test_slower_percent_is_allowed_and_faster_refused() -> None:
    made = plan(SE, "oxazepam 25 mg", percent=D(5))
    assert made.applied_rules[0].percent == 5
    assert plan(SE, "oxazepam 25 mg", percent=D(25)).applied_rules[0].percent == 25  # = max
    with pytest.raises(TaperError, match=r"faster than rule benzodiazepines allows"):
        plan(SE, "oxazepam 25 mg", percent=D(30))


def test_longer_interval_is_allowed_and_shorter_refused() -> None:
    made = plan(SE, "oxazepam 25 mg", interval_days=21)
    assert of(made, "oxazepam")[2].days == 21
    assert plan(SE, "oxazepam 25 mg", interval_days=7).applied_rules[0].interval_days == 7
    with pytest.raises(TaperError, match=r"shorter than rule benzodiazepines allows"):
        plan(SE, "oxazepam 25 mg", interval_days=6)


def test_too_long_a_plan_is_warned_about_never_sped_up() -> None:
    made = plan(SE, "zopiclone 7.5 mg", interval_days=60)
    assert "max-duration-exceeded" in codes(made)
    assert of(made, "zopiclone")[2].days == 60  # the rate stays as asked


# --- switching to a long-acting drug ------------------------------------------------------


def test_recommended_switch_crosses_over_one_dose_time_at_a_time() -> None:
    made = plan(UK, "alprazolam 1.5 mg")
    alprazolam, diazepam = of(made, "alprazolam"), of(made, "diazepam")
    crossover_a = [s for s in alprazolam if s.phase == "switch"]
    crossover_d = [s for s in diazepam if s.phase == "switch"]
    assert doses(crossover_a) == ["0.75", "0"]
    assert [d.time for d in crossover_a[0].doses] == ["morning"]  # the evening went first
    assert doses(crossover_d) == ["15", "30"]  # 0.5 mg alprazolam = 10 mg diazepam
    assert crossover_d[0].start == crossover_a[0].start
    assert crossover_a[-1].replaced_by == "diazepam"
    assert crossover_d[0].days == 7
    assert made.applied_rules[0].drug == "diazepam"
    assert made.applied_rules[0].switched_from == ["alprazolam"]
    assert of(made, "diazepam")[2].phase == "taper"
    assert "switch" in codes(made)


def test_declined_recommended_switch_is_warned_about() -> None:
    made = plan(UK, "alprazolam 1.5 mg", switch=False)
    assert not of(made, "diazepam")
    assert "switch-declined" in codes(made)


def test_optional_switch_happens_only_when_asked() -> None:
    assert not of(plan(SE, "alprazolam 1 mg"), "diazepam")
    assert of(plan(SE, "alprazolam 1 mg", switch=True), "diazepam")


def test_long_acting_drugs_are_not_switched() -> None:
    made = plan(SE, "diazepam 10 mg", switch=True)
    assert "switch-not-needed" in codes(made)
    assert not [s for s in made.steps if s.phase == "switch"]


def test_switch_is_refused_where_no_rule_allows_one() -> None:
    with pytest.raises(TaperError, match="allow no switch"):
        plan(SE, "oxycodone 30 mg", switch=True)


def test_several_drugs_switch_drug_by_drug_into_one() -> None:
    made = plan(UK, "lorazepam 3 mg", "temazepam 20 mg")
    lorazepam, temazepam = of(made, "lorazepam"), of(made, "temazepam")
    last_lorazepam_switch = max(s.start for s in lorazepam if s.phase == "switch")
    first_temazepam_switch = min(s.start for s in temazepam if s.phase == "switch")
    assert first_temazepam_switch >= last_lorazepam_switch
    assert made.applied_rules[0].switched_from == ["lorazepam", "temazepam"]
    assert of(made, "diazepam")[-1].dose == 0


# --- several drugs ------------------------------------------------------------------------


def test_opioid_is_tapered_first_while_the_benzodiazepine_holds() -> None:
    made = plan(SE, "oxazepam 30 mg", "oxycodone 60 mg")
    oxazepam, oxycodone = of(made, "oxazepam"), of(made, "oxycodone")
    oxycodone_stop = next(s.start for s in oxycodone if s.dose == 0)
    first_oxazepam_cut = next(s.start for s in oxazepam if s.dose < 30)
    assert first_oxazepam_cut > oxycodone_stop
    held = [s for s in oxazepam if s.held_for == "oxycodone"]
    assert held
    assert all(s.dose == 30 for s in held)
    assert "threshold:opioid-benzo" in codes(made)


# --- pauses --------------------------------------------------------------------------------


def test_pause_holds_the_current_step_and_shifts_the_rest() -> None:
    plain = of(plan(SE, "oxazepam 25 mg"), "oxazepam")
    paused = of(plan(SE, "oxazepam 25 mg", pauses=(Pause(dt.date(2025, 2, 1), 14),)), "oxazepam")
    pause = next(s for s in paused if s.pause)
    assert pause.dose == D("22.5")
    assert pause.days == 14
    assert paused[-2].end == plain[-2].end + dt.timedelta(days=14)


@pytest.mark.parametrize(
    ("rule", "pause", "message"),
    [
        ("benzodiazepines-fast", Pause(dt.date(2025, 2, 1), 7), "does not allow pauses"),
        (None, Pause(dt.date(2025, 2, 1), 60), "at most 56 days"),
        (None, Pause(dt.date(2025, 1, 8), 7), "falls before the taper"),
        (None, Pause(dt.date(2027, 1, 1), 7), "after the last dose"),
        (None, Pause(dt.date(2024, 12, 1), 7), "before the plan starts"),
    ],
)
def test_pauses_the_rules_do_not_allow_are_refused(
    rule: str | None, pause: Pause, message: str
) -> None:
    with pytest.raises(TaperError, match=message):
        plan(SE, "oxazepam 20 mg", rule=rule, pauses=(pause,))


# --- replanning ---------------------------------------------------------------------------


def test_replan_starts_from_the_current_dose_without_mapping() -> None:
    made = plan(SE, "oxazepam 15 mg", replan=True)
    steps = of(made, "oxazepam")
    assert made.replan
    assert steps[0].phase == "taper"
    assert steps[0].start == START
    assert steps[0].dose == 15
    assert steps[0].days == 14
    assert doses(steps)[1] == "12.5"


def test_replan_of_a_linear_rule_uses_the_original_dose_as_base() -> None:
    without = plan(SE, "oxazepam 10 mg", replan=True, rule="benzodiazepines-fast")
    assert "replan-base-current" in codes(without)
    assert without.applied_rules[0].base == 10
    original = (parse_medication("oxazepam 30 mg"),)
    made = plan(SE, "oxazepam 10 mg", replan=True, rule="benzodiazepines-fast", originals=original)
    assert made.applied_rules[0].base == 30
    assert "replan-base-current" not in codes(made)
    assert doses(of(made, "oxazepam"))[:3] == ["10", "7.5", "5"]  # 10 % of 30 mg a step


def test_original_dose_must_name_a_current_drug() -> None:
    with pytest.raises(TaperError, match="not among the current medications"):
        plan(SE, "oxazepam 10 mg", replan=True, originals=(parse_medication("diazepam 5 mg"),))


# --- safety -------------------------------------------------------------------------------


def test_substitution_drug_needs_specialist_sign_off() -> None:
    with pytest.raises(TaperError, match="needs specialist sign-off"):
        plan(SE, "methadone 30 mg")
    made = plan(SE, "methadone 30 mg", specialist=True)
    assert made.specialist_signoff
    assert {"substitution-drug", "specialist-rule"} <= set(codes(made))
    assert all(w.severity == "high" for w in made.warnings if w.code == "substitution-drug")


def test_dose_above_a_high_threshold_needs_specialist_sign_off() -> None:
    with pytest.raises(TaperError, match="needs specialist sign-off"):
        plan(US, "fentanyl patch 50 mcg/h")  # 120 mg oral morphine a day
    made = plan(US, "fentanyl patch 50 mcg/h", specialist=True)
    assert "threshold:mme-high" in codes(made)


@pytest.mark.parametrize(
    ("med", "message"),
    [
        ("oxazepan 25 mg", "Did you mean"),
        ("nitrazepam 5 mg", "no marketed tablets"),  # Mogadon is not marketed
        ("oxazepam 25 mcg/h", "no marketed tablets"),
    ],
)
def test_bad_medications_are_refused_in_one_sentence(med: str, message: str) -> None:
    with pytest.raises(TaperError, match=message) as caught:
        plan(SE, med)
    assert "\n" not in str(caught.value)


# --- regressions found by the property tests and fuzzing ----------------------------------


def test_regression_dose_below_every_tablet_with_a_recommended_switch() -> None:
    made = plan(UK, "temazepam 8.06 mg")  # below the 10 mg tablet; replaced in one step
    assert of(made, "temazepam")[-1].dose == 0
    assert of(made, "diazepam")


def test_regression_four_small_patches_are_not_a_step() -> None:
    made = plan(US, "fentanyl patch 50 mcg/h", specialist=True)
    assert [d for d in doses(of(made, "fentanyl")) if d != "50"][:3] == ["37", "37", "25"]


def test_invariant_checker_catches_a_raised_dose() -> None:
    loaded = load_guideline(SE)
    made = plan(SE, "oxazepam 25 mg")
    steps = list(made.steps)
    steps[4] = steps[4].model_copy(update={"dose": D(30)})
    broken = made.model_copy(update={"steps": steps})
    problems = plan_problems(broken, loaded.guideline)
    assert any("raises the dose" in p for p in problems)
    assert any("add up to" in p for p in problems)


def test_the_same_drug_on_two_lines_is_one_daily_total() -> None:
    made = plan(SE, "oxazepam 10 mg", "Sobril 15 mg")
    assert of(made, "oxazepam")[1].dose == 25
    assert "merged-lines" in codes(made)


def test_original_dose_belongs_to_a_replan() -> None:
    with pytest.raises(TaperError, match="belongs to a replan"):
        plan(SE, "oxazepam 10 mg", originals=(parse_medication("oxazepam 30 mg"),))


def test_replan_measures_the_slow_down_against_the_original_dose() -> None:
    # slow-down below 25 % of the start dose: 10 mg is below 25 % of 60 mg, not of 10 mg
    made = plan(SE, "oxazepam 10 mg", replan=True, originals=(parse_medication("oxazepam 60 mg"),))
    first_cut = next(s for s in of(made, "oxazepam") if s.ideal is not None)
    assert first_cut.days == 21  # the slow-down interval
    without = plan(SE, "oxazepam 10 mg", replan=True)
    assert next(s for s in of(without, "oxazepam") if s.ideal is not None).days == 14
    assert "replan-base-current" in codes(without)
