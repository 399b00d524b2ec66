"""Dose changes avoid the region's closed days (taper.plan.change_days): a step that would
begin on a weekend or a public holiday of the rule file's country begins on the next working
day, every later step with it, so no step is ever shorter than planned."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from taper.dose import parse_medication
from taper.guideline.loader import load_guideline
from taper.plan import PlanOptions, make_plan
from taper.plan.invariants import plan_problems
from taper.plan.model import Plan


def plan(guideline: str, med: str, start: dt.date) -> Plan:
    loaded = load_guideline(guideline)
    made = make_plan([parse_medication(med)], loaded, PlanOptions(start=start))
    assert plan_problems(made, loaded.guideline) == []
    return made


def starts(made: Plan) -> list[dt.date]:
    return [s.start for s in made.steps]


def test_a_dose_change_on_easter_monday_is_made_on_the_tuesday() -> None:
    made = plan("no-helsedir", "diazepam 20 mg", dt.date(2027, 1, 4))
    assert dt.date(2027, 3, 29) not in starts(made)  # Easter Monday 2027
    moved = next(s for s in made.steps if s.start == dt.date(2027, 3, 30))
    before = next(s for s in made.steps if s.end == dt.date(2027, 3, 29))
    assert before.days == 15  # the step before holds a day longer (planned: 14)
    assert moved.start.weekday() == 1


def test_a_dose_change_on_good_friday_waits_until_after_easter_monday() -> None:
    # Started on the Friday a week before Good Friday: the step after the mapping week
    # would begin on Good Friday 2027 (26 March).
    made = plan("no-helsedir", "diazepam 20 mg", dt.date(2027, 3, 19))
    mapping, stabilisation = made.steps[0], made.steps[1]
    assert mapping.start == dt.date(2027, 3, 19)  # the plan's first day is the prescriber's
    assert stabilisation.start == dt.date(2027, 3, 30)  # not Good Friday, Saturday to Monday
    assert mapping.days == 11  # the mapping week held 4 days longer, not cut
    # the same doses as a plan that meets no holiday at first, each step at least its
    # planned week (no-helsedir's interval)
    other = plan("no-helsedir", "diazepam 20 mg", dt.date(2027, 3, 29))
    assert [s.dose for s in made.steps] == [s.dose for s in other.steps]
    assert all(s.days >= 7 for s in made.steps if s.phase == "taper")


def test_17_may_is_a_holiday_in_norway_and_not_in_sweden() -> None:
    start = dt.date(2027, 5, 10)  # the mapping week ends on Sunday 16 May
    norway = plan("no-helsedir", "diazepam 20 mg", start)
    sweden = plan("se-vgr", "diazepam 20 mg", start)
    assert norway.steps[1].start == dt.date(2027, 5, 18)
    assert sweden.steps[1].start == dt.date(2027, 5, 17)


def test_a_dose_change_at_christmas_waits_until_after_boxing_day() -> None:
    # 25 December 2028 is a Monday: Christmas Day and Boxing Day (annandag jul) are closed.
    for guideline in ("se-vgr", "uk-ashton"):
        made = plan(guideline, "diazepam 20 mg", dt.date(2028, 12, 18))
        assert made.steps[1].start == dt.date(2028, 12, 27), guideline
        assert made.steps[0].days == 9, guideline


def test_no_step_is_shorter_and_the_tablets_cover_the_longer_steps() -> None:
    # Christmas 2027 is a Saturday: the UK's bank holidays are Monday 27 and Tuesday 28
    # December, so the change after the mapping week waits until Wednesday 29 December.
    made = plan("uk-ashton", "diazepam 20 mg", dt.date(2027, 12, 20))
    assert made.steps[1].start == dt.date(2027, 12, 29)
    longer = [s for s in made.steps if s.days % 7]
    assert longer  # at least one step held a day or more longer
    for step in made.steps:
        per_day = sum((t.count for d in step.doses for t in d.tablets), Decimal(0))
        if step.dose == 0 or step.unit != "mg" or not per_day:
            continue
        dispensed = sum((d.tablets for d in made.dispensing if d.step == step.index), Decimal(0))
        assert dispensed >= per_day * step.days, step.index


def test_every_dose_change_is_on_a_working_day() -> None:
    from taper.clinic_days import public_holidays

    for guideline, country, part in (
        ("se-vgr", "SE", None),
        ("no-helsedir", "NO", None),
        ("uk-ashton", "GB", "ENG"),
    ):
        made = plan(guideline, "oxazepam 30 mg", dt.date(2027, 1, 8))
        for step in made.steps[1:]:
            assert step.start.weekday() < 5, (guideline, step.start)
            assert step.start not in public_holidays(country, step.start.year, part), guideline


def test_a_patch_change_on_a_weekend_waits_whole_patch_intervals() -> None:
    """Clinician review 6, D2: se-vgr fentanyl 25 mcg/h changed the dose on Sunday 7 February
    and stopped on Saturday 6 March 2027. A patch plan's dose changes move by whole 72-hour
    patches (one more patch of the strength before), so each comes on a working day and the
    patch rhythm is kept."""
    made = plan("se-vgr", "fentanyl 25 mcg/h", dt.date(2027, 1, 4))
    taper = [s for s in made.steps[1:] if s.phase != "mapping"]
    assert all(s.start.weekday() < 5 for s in taper)
    # every step after the mapping week lasts whole patches
    assert all(s.days % 3 == 0 for s in made.steps[1:] if s.phase != "aftercare")
    assert any(w.code == "change-moved" for w in made.warnings)


def test_a_friday_start_with_a_patch_keeps_its_patch_rhythm_on_working_days() -> None:
    made = plan("se-vgr", "fentanyl 50 mcg/h", dt.date(2027, 1, 8))  # a Friday
    assert all(s.start.weekday() < 5 for s in made.steps)
    second = made.steps[1].start
    assert all((s.start - second).days % 3 == 0 for s in made.steps[1:])


def test_a_weekly_patch_keeps_its_dates() -> None:
    """A week later is the same weekday: a weekly patch's changes are not moved."""
    from taper.plan.change_days import patch_move_days

    made = plan("us-cdc-2022", "Butrans 10 mcg/h", dt.date(2027, 1, 8))
    assert patch_move_days(made.steps) is None
    assert [w for w in made.warnings if w.code == "change-moved"] == []


def test_a_moved_change_is_said_on_the_plan() -> None:
    """A later dose change holds the dose before it longer than the rule's interval: the plan
    says so (never a clinical parameter changed silently); a plan that moves none says nothing."""
    made = plan("no-helsedir", "diazepam 20 mg", dt.date(2027, 3, 19))
    moved = [w for w in made.warnings if w.code == "change-moved"]
    assert len(moved) == 1
    assert moved[0].severity == "info"
    assert moved[0].params["days"] == "4"  # Good Friday to Easter Monday
    count = int(moved[0].params["count"])
    assert count >= 1
    assert "up to 4 days longer" in moved[0].message
    assert moved[0].message.startswith(f"{count} dose change")
    on_mondays = plan("se-vgr", "oxazepam 30 mg", dt.date(2027, 1, 4))  # every change a Monday
    assert [w for w in on_mondays.warnings if w.code == "change-moved"] == []


def test_the_moved_change_note_is_translated() -> None:
    from taper.render.i18n import texts
    from taper.render.messages import Reader

    loaded = load_guideline("no-helsedir")
    made = plan("no-helsedir", "diazepam 20 mg", dt.date(2027, 3, 19))
    warning = next(w for w in made.warnings if w.code == "change-moved")
    said = Reader(texts("nb"), loaded.guideline).warning(warning.code, warning.message)
    assert said is not None
    assert "virkedag" in said
    assert "4 dager" in said


def test_a_change_moved_by_one_day_says_a_day() -> None:
    made = plan("no-helsedir", "diazepam 20 mg", dt.date(2027, 1, 4))  # Easter Monday: 1 day
    moved = next(w for w in made.warnings if w.code == "change-moved")
    assert moved.params["days"] == "1"
    assert moved.message.endswith("The dose before is taken a day longer than planned.")
