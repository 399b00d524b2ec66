"""Several opioids together (issue 15 item 7): the rule's `several_drugs` strategy.

Named regression tests for the reviewed examples, and hypothesis properties over two opioids
under every rule file that has a strategy: no drug waits at its full dose longer than the
rule's `max_wait_days` without a warning, the total oral morphine equivalent never rises from
one day to the next, one drug's dose changes at a time, and a group taper longer than the
rule's maximum carries a high warning with its reason.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from plan_helpers import medication, plannable

from taper import equivalence
from taper.dose import MedicationInput, parse_medication
from taper.errors import TaperError
from taper.guideline.loader import LoadedGuideline, load_guideline
from taper.guideline.registry import builtin_ids
from taper.plan import PlanOptions, make_plan
from taper.plan.change_days import closed_days, moved_past, patch_move_days
from taper.plan.invariants import plan_problems
from taper.plan.model import Plan, Step
from taper.plan.options import Pause
from taper.plan.regimen_invariants import regimen_problems

START = dt.date(2027, 1, 4)
DRAFTS = Path(__file__).parent / "fixtures"


def plan(loaded: LoadedGuideline, *meds: str, **options: object) -> Plan:
    return make_plan(
        [parse_medication(m) for m in meds],
        loaded,
        PlanOptions(start=START, **options),  # type: ignore[arg-type]
    )


def of(made: Plan, drug: str) -> list[Step]:
    return [s for s in made.steps if s.drug == drug]


def first_cut(made: Plan, drug: str) -> dt.date | None:
    steps = of(made, drug)
    for before, after in itertools.pairwise(steps):
        if after.dose < before.dose:
            return after.start
    return None


def own_taper_start(made: Plan, drug: str) -> dt.date | None:
    """The first step of the drug's own taper (a hold the tablets force is part of it; the
    interval held after another drug stopped is not)."""
    for step in of(made, drug):
        if step.phase == "taper" and not (step.note and "held one interval" in step.note):
            return step.start
    return None


def full_dose_wait(made: Plan, drug: str, group_first: dt.date) -> int:
    """Days from the group's first taper step to this drug's own first taper step."""
    began = own_taper_start(made, drug)
    return 0 if began is None else (began - group_first).days


def moved_between(made: Plan, loaded: LoadedGuideline, first: dt.date, days: int) -> int:
    """At most the days that dose changes moved off weekends and holidays (change_days) added
    between `first` and `days` later: the closed days right before each step start there (in
    whole patch intervals in a plan with a patch)."""
    closed = closed_days(loaded.guideline)
    every = patch_move_days(made.steps) or 1
    end = first + dt.timedelta(days=days)
    starts = {s.start for s in made.steps if first < s.start <= end}
    return sum(moved_past(day - dt.timedelta(days=1), closed, every) for day in starts)


def daily_ome(made: Plan, loaded: LoadedGuideline) -> dict[dt.date, Fraction]:
    """The class's total reference equivalent on every day of the plan."""
    g = loaded.guideline
    total: dict[dt.date, Fraction] = defaultdict(Fraction)
    for step in made.steps:
        if step.phase == "mapping" or step.dose == 0:
            continue
        drug = next(d for d in g.drugs if d.id == step.drug)
        conv = equivalence.select_conversion(drug, None, step.unit, g)  # type: ignore[arg-type]
        assert conv is not None
        value = equivalence.to_reference(conv, Fraction(step.dose))
        assert value is not None
        day = step.start
        while day <= step.end:
            total[day] += value
            day += dt.timedelta(days=1)
    return total


def with_strategy(tmp_path: Path, first: str, wait: int) -> LoadedGuideline:
    """us-cdc-2022 with another strategy in every opioid rule (a draft rule file)."""
    text = (Path(__file__).parents[1] / "guidelines" / "us-cdc-2022.yaml").read_text("utf-8")
    text = text.replace("first: immediate-release", f"first: {first}")
    for old in ("max_wait_days: 15", "max_wait_days: 3", "max_wait_days: 1"):
        text = text.replace(old, f"max_wait_days: {wait}")
    path = tmp_path / "us-cdc-2022.yaml"
    path.write_text(text, "utf-8")
    return load_guideline(str(path))


# --- the reviewed example -----------------------------------------------------------------


def test_cdc_oxycodone_and_hydromorphone_are_tapered_in_turn_not_one_after_the_other() -> None:
    """Review: oxycodone 120 mg + hydromorphone 8 mg under us-cdc-2022 stopped the depot
    oxycodone first and left immediate-release hydromorphone at its full dose for over two
    years. Now the immediate-release hydromorphone starts, and oxycodone's first cut comes at
    most 15 days (half an interval) later."""
    loaded = load_guideline("us-cdc-2022")
    made = plan(loaded, "oxycodone 120 mg", "hydromorphone 8 mg")
    assert plan_problems(made, loaded.guideline) == []
    taper = [s for s in made.steps if s.phase == "taper"]
    assert taper[0].drug == "hydromorphone"
    group_first = taper[0].start
    assert full_dose_wait(made, "oxycodone", group_first) <= 15
    hydro_cut = first_cut(made, "hydromorphone")
    oxy_cut = first_cut(made, "oxycodone")
    assert hydro_cut is not None
    assert oxy_cut is not None
    assert (hydro_cut - group_first).days < 365
    assert (oxy_cut - group_first).days <= 15
    # Both are tapered through the same months, not one after the other.
    stops = {
        d: next(s.start for s in of(made, d) if s.dose == 0) for d in ("oxycodone", "hydromorphone")
    }
    assert stops["hydromorphone"] < stops["oxycodone"]
    assert oxy_cut < stops["hydromorphone"]
    said = [w for w in made.warnings if w.code == "several-drugs"]
    assert len(said) == 1
    assert "hydromorphone, oxycodone" in said[0].message
    assert "rule cdc-long-term several_drugs" in " ".join(made.unverified)


def test_cdc_two_opioids_change_one_at_a_time() -> None:
    loaded = load_guideline("us-cdc-2022")
    made = plan(loaded, "oxycodone 120 mg", "hydromorphone 8 mg")
    changes: dict[dt.date, set[str]] = defaultdict(set)
    for drug in ("oxycodone", "hydromorphone"):
        steps = of(made, drug)
        for before, after in itertools.pairwise(steps):
            if after.dose != before.dose:
                changes[after.start].add(drug)
    assert changes
    assert all(len(drugs) == 1 for drugs in changes.values())


def test_as_given_with_a_long_wait_tapers_one_after_another_until_the_wait_runs_out(
    tmp_path: Path,
) -> None:
    loaded = with_strategy(tmp_path, "as-given", 90)
    made = plan(loaded, "oxycodone 120 mg", "hydromorphone 8 mg")
    assert plan_problems(made, loaded.guideline) == []
    taper = [s for s in made.steps if s.phase == "taper"]
    assert taper[0].drug == "oxycodone"
    group_first = taper[0].start
    wait = full_dose_wait(made, "hydromorphone", group_first)
    # Dose changes that fell on closed days began on the next working day (change_days):
    # the wait is at most that much longer than the rule's 90 days.
    moved = moved_between(made, loaded, group_first, wait)
    assert moved <= 6
    assert 0 < wait <= 90 + moved  # it began before oxycodone stopped
    oxy_stop = next(s.start for s in of(made, "oxycodone") if s.dose == 0)
    assert group_first + dt.timedelta(days=wait) < oxy_stop
    assert "at the latest 90 days after the first cut" in " ".join(
        w.message for w in made.warnings if w.code == "several-drugs"
    )


def test_a_short_first_taper_lets_the_next_start_one_interval_after_its_stop(
    tmp_path: Path,
) -> None:
    """The next drug starts one interval after the previous stopped when that comes first."""
    loaded = with_strategy(tmp_path, "as-given", 400)
    made = plan(loaded, "oxycodone 10 mg", "hydromorphone 8 mg", rule="cdc-brief-acute")
    assert plan_problems(made, loaded.guideline) == []
    oxy_stop = next(s.start for s in of(made, "oxycodone") if s.dose == 0)
    held = [s for s in of(made, "hydromorphone") if s.note and "after oxycodone stopped" in s.note]
    assert held
    assert held[0].start == oxy_stop


def test_group_duration_warning_is_given_when_the_limit_is_exceeded(tmp_path: Path) -> None:
    text = (Path(__file__).parents[1] / "guidelines" / "us-cdc-2022.yaml").read_text("utf-8")
    text = text.replace("      value: 730\n", "      value: 60\n")
    path = tmp_path / "us-cdc-2022.yaml"
    path.write_text(text, "utf-8")
    loaded = load_guideline(str(path))
    made = plan(loaded, "oxycodone 120 mg", "hydromorphone 8 mg")
    long = [w for w in made.warnings if w.code == "several-drugs-duration"]
    assert len(long) == 1
    assert long[0].severity == "high"
    assert "longer than the 60 days rule cdc-long-term gives as its maximum, because" in (
        long[0].message
    )


def test_without_a_strategy_drugs_are_still_tapered_one_after_another(tmp_path: Path) -> None:
    text = (Path(__file__).parents[1] / "guidelines" / "us-cdc-2022.yaml").read_text("utf-8")
    kept = text.splitlines(keepends=True)
    out: list[str] = []
    skip = False
    for line in kept:
        if line.startswith("    several_drugs:"):
            skip = True
            continue
        if skip and line.startswith("      "):
            continue
        skip = False
        out.append(line)
    path = tmp_path / "us-cdc-2022.yaml"
    path.write_text("".join(out), "utf-8")
    loaded = load_guideline(str(path))
    made = plan(loaded, "oxycodone 120 mg", "hydromorphone 8 mg")
    assert not [w for w in made.warnings if w.code.startswith("several-drugs")]
    oxy_stop = next(s.start for s in of(made, "oxycodone") if s.dose == 0)
    hydro_cut = first_cut(made, "hydromorphone")
    assert hydro_cut is not None
    assert hydro_cut > oxy_stop


# --- properties -----------------------------------------------------------------------------


def _with_strategies() -> list[str]:
    found = []
    for name in builtin_ids():
        g = load_guideline(name).guideline
        if any(r.several_drugs is not None for r in g.taper_rules):
            found.append(name)
    return found


@st.composite
def two_opioids(draw: st.DrawFn) -> tuple[LoadedGuideline, list[MedicationInput], PlanOptions]:
    loaded = load_guideline(draw(st.sampled_from(_with_strategies())))
    g = loaded.guideline
    opioids = [
        (drug, unit)
        for drug, unit in plannable(loaded)
        if next(d for d in g.drugs if d.id == drug).group == "opioid"
    ]
    assume(len({d for d, _ in opioids}) >= 2)
    chosen = draw(
        st.lists(st.sampled_from(opioids), min_size=2, max_size=2, unique_by=lambda p: p[0])
    )
    meds = [
        medication(
            drug,
            draw(st.decimals(min_value=Decimal(1), max_value=Decimal(120), places=1)),
            unit,
        )
        for drug, unit in chosen
    ]
    rules = [r.id for r in g.taper_rules if r.several_drugs is not None]
    options = PlanOptions(
        start=START,
        rule=draw(st.sampled_from([None, *rules])),
        specialist=True,
        percent=draw(st.sampled_from([None, Decimal(5)])),
    )
    return loaded, meds, options


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=two_opioids())
def test_two_opioids_keep_the_strategy_invariants(
    case: tuple[LoadedGuideline, list[MedicationInput], PlanOptions],
) -> None:
    loaded, meds, options = case
    try:
        made = make_plan(meds, loaded, options)
    except TaperError:
        return
    assert plan_problems(made, loaded.guideline) == []
    drugs = list(dict.fromkeys(s.drug for s in made.steps))
    if len(drugs) < 2:
        return
    rule = next(r for r in loaded.guideline.taper_rules if r.id == made.applied_rules[0].rule)
    block = rule.several_drugs
    if block is None:
        return
    taper = [s for s in made.steps if s.phase == "taper"]
    group_first = min(
        (c for c in (own_taper_start(made, d) for d in drugs) if c is not None), default=None
    )
    if group_first is not None and taper:
        for drug in drugs:
            wait = full_dose_wait(made, drug, group_first)
            warned = any(w.code == "several-drugs-wait" and w.drug == drug for w in made.warnings)
            moved = moved_between(made, loaded, group_first, wait)
            # A patch waits for its next patch change (its dose changes only with a new
            # patch): up to the wait rounded up to whole patches.
            hours = [
                t.change_hours
                for s in made.steps
                if s.drug == drug
                for d in s.doses
                for t in d.tablets
                if t.change_hours
            ]
            every = min(hours) // 24 if hours and min(hours) % 24 == 0 else 1
            allowed = -(-block.max_wait_days // every) * every
            assert wait <= allowed + moved or warned, (drug, wait, moved)
    # The total never rises from one day to the next once the taper has begun.
    totals = daily_ome(made, loaded)
    days = sorted(d for d in totals if taper and d >= taper[0].start)
    for today, tomorrow in itertools.pairwise(days):
        assert totals[tomorrow] <= totals[today], (today, totals[today], totals[tomorrow])
    # Over the rule's maximum: the high warning with its reason.
    stops = [s.start for s in made.steps if s.dose == 0 and s.phase != "mapping"]
    if group_first is not None and stops:
        length = (max(stops) - group_first).days
        # less the days dose changes were moved off weekends and holidays (change_days)
        length -= moved_between(made, loaded, group_first, length)
        if length > rule.max_duration_days.value + 1:
            assert any(w.code == "several-drugs-duration" for w in made.warnings)


def test_a_substitution_drug_under_its_specialist_rule_is_not_grouped() -> None:
    """Methadone's LAR rule has no strategy: it still waits for the analgesic to stop."""
    loaded = load_guideline("no-helsedir")
    made = plan(loaded, "oxycodone 40 mg", "methadone 30 mg", specialist=True)
    assert not [w for w in made.warnings if w.code == "several-drugs"]
    oxy_stop = next(s.start for s in of(made, "oxycodone") if s.dose == 0)
    began = own_taper_start(made, "methadone")
    assert began is not None
    assert began > oxy_stop


def test_review8_two_opioids_never_cut_their_total_faster_than_the_rule() -> None:
    """Clinician review 8 (reject): us-cdc-2022 oxycodone 120 mg + hydromorphone 8 mg, each at
    10 % a month of its own dose, took the total down 85 -> 67.5 mg MME (-21 %) within a
    month, where hydromorphone's stop fell beside oxycodone's cut. Changes of different drugs
    within one interval now cut together at most the rule's largest share of the total."""
    loaded = load_guideline("us-cdc-2022")
    meds = [parse_medication("oxycodone 120 mg"), parse_medication("hydromorphone 8 mg")]
    made = make_plan(meds, loaded, PlanOptions(start=dt.date(2027, 1, 4)))
    assert plan_problems(made, loaded.guideline) == []
    factor = {"oxycodone": Decimal("1.5"), "hydromorphone": Decimal(5)}
    changes: list[tuple[dt.date, str, Decimal, Decimal]] = []  # day, drug, total before, cut
    by_drug: dict[str, list[Step]] = {}
    for step in made.steps:
        by_drug.setdefault(step.drug, []).append(step)

    def total(day: dt.date) -> Decimal:
        return sum(
            (s.dose * factor[s.drug] for s in made.steps if s.start <= day <= s.end), Decimal(0)
        )

    for drug, steps in by_drug.items():
        for before, after in itertools.pairwise(steps):
            if after.dose < before.dose:
                cut = (before.dose - after.dose) * factor[drug]
                changes.append((after.start, drug, total(before.end), cut))
    changes.sort()
    applied = made.applied_rules[0]
    for i, (day, drug, _, _cut) in enumerate(changes):
        window = [c for c in changes[: i + 1] if (day - c[0]).days < applied.interval_days]
        if len({c[1] for c in window}) < 2:
            continue  # one drug's own change: its own limits hold
        start_total = max(c[2] for c in window)
        assert sum(c[3] for c in window) <= start_total * applied.percent / 100, (day, drug)
    note = next(w for w in made.warnings if w.code == "several-drugs")
    assert note.message.startswith("Tapered in turn")


def test_a_pause_beside_a_put_off_patch_stop_leaves_no_day_without_a_step() -> None:
    """Found by hypothesis: us-cdc-2022 buprenorphine 0.25 mcg/h (no patch makes it, so it is
    stopped) with hydromorphone and codeine and a one-day --pause: the pause took the patch's
    next dose (its stop) and skipped it, leaving a day between its last step and aftercare."""
    loaded = load_guideline("us-cdc-2022")
    meds = [
        parse_medication(m)
        for m in ("buprenorphine 0.25 mcg/h", "hydromorphone 0.25 mg", "codeine 0.25 mg")
    ]
    options = PlanOptions(
        start=dt.date(2025, 1, 6), specialist=True, pauses=(Pause(dt.date(2025, 2, 4), 1),)
    )
    made = make_plan(meds, loaded, options)
    assert plan_problems(made, loaded.guideline) == []


def test_two_changes_due_on_one_day_let_the_one_at_its_longest_run_go_first() -> None:
    """Found by hypothesis: se-vgr morphine 5 mg + oxycodone 6.3 mg: oxycodone's stop fell on
    the day of a morphine cut and waited a day, 22 days at 5 mg against the rule's 21."""
    loaded = load_guideline("se-vgr")
    meds = [parse_medication("morphine 5.0 mg"), parse_medication("oxycodone 6.3 mg")]
    made = make_plan(meds, loaded, PlanOptions(start=dt.date(2026, 1, 5), specialist=True))
    assert regimen_problems(made, loaded.guideline) == []
