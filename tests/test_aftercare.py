"""Checkpoints on a plan: support talks, dose changes, aftercare and evaluation (examples)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from care_helpers import D, checkpoint_rules, guideline, schedule, step

from taper.aftercare import (
    TITLE_AFTERCARE,
    TITLE_DOSE_CHANGE,
    TITLE_EVALUATION,
    TITLE_SUPPORT,
    TITLE_SUPPORT_BEFORE_CHANGE,
    TITLES,
    add_period,
    build_checkpoints,
    checkpoint_title,
    dose_changes,
)
from taper.clinic_days import ClinicDays
from taper.plan.model import Checkpoint

MONDAY = D(2026, 3, 2)


def summary(checkpoints: list[Checkpoint]) -> list[tuple[str, str, str]]:
    return [(c.date.isoformat(), c.kind, c.drug or "") for c in checkpoints]


# --- periods and weekdays ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "period", "expected"),
    [
        (D(2026, 1, 10), "14d", D(2026, 1, 24)),
        (D(2026, 1, 10), "2w", D(2026, 1, 24)),
        (D(2026, 1, 10), "1m", D(2026, 2, 10)),
        (D(2026, 1, 31), "1m", D(2026, 2, 28)),  # month-end clamp
        (D(2028, 1, 31), "1m", D(2028, 2, 29)),  # leap year
        (D(2026, 8, 31), "6m", D(2027, 2, 28)),
        (D(2026, 12, 15), "1m", D(2027, 1, 15)),  # year boundary
        (D(2026, 3, 31), "12m", D(2027, 3, 31)),
    ],
)
def test_add_period(day: dt.date, period: str, expected: dt.date) -> None:
    assert add_period(day, period) == expected


def test_add_period_refuses_garbage() -> None:
    with pytest.raises(ValueError, match="not a period"):
        add_period(D(2026, 1, 1), "6 months")


def test_weekend_moves() -> None:
    saturday, sunday = D(2026, 3, 7), D(2026, 3, 8)
    clinic = ClinicDays(True, "SE")
    assert clinic.earlier(saturday) == clinic.earlier(sunday) == D(2026, 3, 6)
    assert clinic.later(saturday) == clinic.later(sunday) == D(2026, 3, 9)
    assert clinic.earlier(MONDAY) == clinic.later(MONDAY) == MONDAY


def test_titles_are_translated_and_unknown_keys_pass_through() -> None:
    assert checkpoint_title(TITLE_AFTERCARE, "sv") == "Eftervårdskontakt"
    assert checkpoint_title(TITLE_SUPPORT, "nb") == "Støttesamtale"
    assert checkpoint_title("Something else", "sv") == "Something else"
    assert all(set(texts) == {"en", "sv", "nb"} for texts in TITLES.values())


# --- dose changes -----------------------------------------------------------------------


def test_dose_changes_reductions_pause_and_stop() -> None:
    steps = schedule(
        MONDAY,
        "oxazepam",
        [
            ("mapping", 7, 30),
            ("stabilisation", 14, 30),
            ("taper", 14, 25),
            ("taper", 7, 25),
            ("taper", 14, 20),
        ],
    )
    last = steps[-1].end
    changes = dose_changes(steps, MONDAY, last)
    assert [(c.date, c.dose_from, c.dose_to) for c in changes] == [
        (D(2026, 3, 23), Decimal(30), Decimal(25)),
        (D(2026, 4, 13), Decimal(25), Decimal(20)),  # the pause (25 → 25) is no change
        (last + dt.timedelta(days=1), Decimal(20), Decimal(0)),  # the stop
    ]


def test_dose_changes_switch_crossover_counts_the_new_drug() -> None:
    oxazepam = schedule(MONDAY, "oxazepam", [("mapping", 7, 30), ("switch", 7, 15)])
    diazepam = schedule(
        MONDAY + dt.timedelta(days=7), "diazepam", [("switch", 7, 5), ("taper", 7, 10)], 10
    )
    last = diazepam[-1].end
    changes = dose_changes([*oxazepam, *diazepam], MONDAY, last)
    assert [(c.date, c.drug, c.dose_from, c.dose_to) for c in changes] == [
        (D(2026, 3, 9), "diazepam", Decimal(0), Decimal(5)),
        (D(2026, 3, 9), "oxazepam", Decimal(30), Decimal(15)),
        (D(2026, 3, 16), "diazepam", Decimal(5), Decimal(10)),
        (D(2026, 3, 16), "oxazepam", Decimal(15), Decimal(0)),
        (D(2026, 3, 23), "diazepam", Decimal(10), Decimal(0)),
    ]


def test_explicit_zero_step_is_the_stop_and_not_counted_twice() -> None:
    steps = schedule(MONDAY, "oxazepam", [("taper", 7, 10), ("aftercare", 30, 0)])
    changes = dose_changes(steps, MONDAY, steps[0].end, {"oxazepam": Decimal(10)})
    assert [(c.date, c.dose_to) for c in changes] == [(D(2026, 3, 9), Decimal(0))]


def test_no_stop_when_the_plan_has_no_last_dose() -> None:
    steps = schedule(MONDAY, "oxazepam", [("mapping", 7, 30), ("stabilisation", 14, 30)])
    assert dose_changes(steps, MONDAY, None) == []


# --- whole plans ------------------------------------------------------------------------


def test_single_drug_plan_golden() -> None:
    steps = schedule(
        MONDAY,
        "oxazepam",
        [("mapping", 7, 30), ("stabilisation", 14, 30), ("taper", 14, 20), ("taper", 14, 10)],
    )
    last = steps[-1].end  # Sunday 2026-04-19
    rules = checkpoint_rules(offsets=("2w", "1m", "6m"))
    got = build_checkpoints(guideline(rules), steps, {"benzodiazepine"}, MONDAY, last)
    assert summary(got) == [
        ("2026-03-02", "support", ""),  # mapping starts
        ("2026-03-09", "support", ""),
        ("2026-03-16", "support", ""),
        ("2026-03-20", "support", "oxazepam"),  # Sunday 22nd moved back to Friday
        ("2026-03-23", "dose-change", "oxazepam"),
        ("2026-04-02", "support", "oxazepam"),  # Friday 3rd is Good Friday: Thursday
        ("2026-04-06", "dose-change", "oxazepam"),
        ("2026-04-17", "support", "oxazepam"),  # before the stop on Monday 20th
        ("2026-04-20", "dose-change", "oxazepam"),
        ("2026-05-04", "aftercare", ""),  # 2w after Sunday 19th = Sunday → Monday
        ("2026-05-19", "aftercare", ""),
        ("2026-10-19", "aftercare", ""),
    ]
    titles = {c.kind: c.title for c in got if c.kind != "support"}
    assert titles == {"dose-change": TITLE_DOSE_CHANGE, "aftercare": TITLE_AFTERCARE}
    assert got[0].title == TITLE_SUPPORT
    assert got[3].title == TITLE_SUPPORT_BEFORE_CHANGE
    assert got[0].content == ["withdrawal-symptoms", "motivation"]
    assert got[-1].content == ["relapse-prevention", "self-help-groups"]  # no opioid content


def test_opioid_taper_adds_overdose_content_to_aftercare() -> None:
    steps = schedule(MONDAY, "oxycodone", [("mapping", 7, 40), ("taper", 7, 20)])
    got = build_checkpoints(guideline(checkpoint_rules()), steps, {"opioid"}, MONDAY, steps[-1].end)
    aftercare = [c for c in got if c.kind == "aftercare"]
    assert aftercare
    for contact in aftercare:
        assert contact.content == [
            "relapse-prevention",
            "self-help-groups",
            "lost-tolerance",
            "overdose-risk",
            "naloxone",
        ]


def test_minimum_period_is_added_when_the_offsets_stop_short() -> None:
    steps = schedule(MONDAY, "oxazepam", [("taper", 7, 10)])
    last = steps[-1].end  # Sunday 2026-03-08
    rules = checkpoint_rules(minimum="6m", offsets=("2w", "1m"), every_days=None)
    aftercare = [
        c.date
        for c in build_checkpoints(guideline(rules), steps, {"benzodiazepine"}, MONDAY, last)
        if c.kind == "aftercare"
    ]
    assert aftercare == [D(2026, 3, 23), D(2026, 4, 8), D(2026, 9, 8)]
    assert aftercare[-1] >= add_period(last, "6m")


def test_evaluation_where_the_rules_give_one() -> None:
    steps = schedule(MONDAY, "oxazepam", [("taper", 5, 10)])
    last = steps[-1].end  # Friday 2026-03-06
    rules = checkpoint_rules(evaluation="6w", offsets=("4w",), minimum="4w")
    got = build_checkpoints(guideline(rules), steps, {"benzodiazepine"}, MONDAY, last)
    evaluation = [c for c in got if c.kind == "evaluation"]
    assert [(c.date, c.title, c.content) for c in evaluation] == [
        (D(2026, 4, 17), TITLE_EVALUATION, ["evaluation"])
    ]


def test_multi_drug_aftercare_follows_the_last_dose_of_all_drugs() -> None:
    opioid = schedule(MONDAY, "oxycodone", [("mapping", 7, 20), ("taper", 7, 10)])
    benzo = schedule(
        MONDAY, "oxazepam", [("mapping", 14, 30), ("taper", 14, 15), ("taper", 14, 5)], 10
    )
    last = benzo[-1].end  # 2026-04-12
    rules = checkpoint_rules(offsets=("2w",), minimum="2w", every_days=None)
    got = build_checkpoints(
        guideline(rules), [*opioid, *benzo], {"opioid", "benzodiazepine"}, MONDAY, last
    )
    aftercare = [c for c in got if c.kind == "aftercare"]
    assert [c.date for c in aftercare] == [D(2026, 4, 27)]
    changes = [(c.date.isoformat(), c.drug) for c in got if c.kind == "dose-change"]
    assert changes == [
        ("2026-03-09", "oxycodone"),
        ("2026-03-16", "oxazepam"),
        ("2026-03-16", "oxycodone"),  # the opioid stop
        ("2026-03-30", "oxazepam"),
        ("2026-04-13", "oxazepam"),
    ]
    # One talk prepares both changes of the 16th; it names no single drug.
    talks = [(c.date.isoformat(), c.drug) for c in got if c.kind == "support"]
    assert ("2026-03-13", None) in talks


def test_refused_plan_has_support_but_no_stop_and_no_aftercare() -> None:
    steps = schedule(MONDAY, "oxazepam", [("mapping", 7, 30), ("stabilisation", 14, 30)])
    got = build_checkpoints(guideline(checkpoint_rules()), steps, {"benzodiazepine"}, MONDAY, None)
    assert {c.kind for c in got} == {"support"}
    assert [c.date for c in got] == [D(2026, 3, 2), D(2026, 3, 9), D(2026, 3, 16)]


def test_empty_plan_has_no_checkpoints() -> None:
    assert build_checkpoints(guideline(checkpoint_rules()), [], set(), MONDAY, None) == []


def test_guideline_without_checkpoint_rules_still_marks_dose_changes() -> None:
    steps = schedule(MONDAY, "oxazepam", [("mapping", 7, 30), ("taper", 7, 15)])
    got = build_checkpoints(guideline(None), steps, {"benzodiazepine"}, MONDAY, steps[-1].end)
    assert summary(got) == [
        ("2026-03-09", "dose-change", "oxazepam"),
        ("2026-03-16", "dose-change", "oxazepam"),
    ]


def test_regular_talks_continue_through_the_taper_without_per_change_talks() -> None:
    steps = schedule(MONDAY, "oxazepam", [("mapping", 7, 30), ("taper", 14, 20), ("taper", 14, 10)])
    rules = checkpoint_rules(
        before_each_reduction=False, every_days=14, offsets=("1m",), minimum="1m"
    )
    got = build_checkpoints(guideline(rules), steps, {"benzodiazepine"}, MONDAY, steps[-1].end)
    talks = [c.date for c in got if c.kind == "support"]
    assert talks == [D(2026, 3, 2), D(2026, 3, 16), D(2026, 3, 30)]
    assert all(c.title == TITLE_SUPPORT for c in got if c.kind == "support")


def test_weekend_talks_stay_inside_mapping_and_stabilisation() -> None:
    saturday = D(2026, 3, 7)
    steps = schedule(saturday, "oxazepam", [("mapping", 7, 30), ("taper", 7, 20)])
    rules = checkpoint_rules(every_days=7, lead_days=0)
    got = build_checkpoints(guideline(rules), steps, {"benzodiazepine"}, saturday, steps[-1].end)
    talks = [c.date for c in got if c.kind == "support"]
    # Regular talk on Saturday → Monday; the change on Saturday 14th → Friday 13th.
    assert talks[:2] == [D(2026, 3, 9), D(2026, 3, 13)]


def test_weekends_allowed_when_the_rules_say_so() -> None:
    sunday = D(2026, 3, 8)
    steps = [step(0, "taper", sunday, 7, 10)]
    rules = checkpoint_rules(
        avoid_weekends=False, lead_days=0, every_days=None, offsets=("1w",), minimum="1w"
    )
    got = build_checkpoints(
        guideline(rules),
        steps,
        {"benzodiazepine"},
        sunday,
        steps[-1].end,
        {"oxazepam": Decimal(10)},
    )
    assert summary(got) == [
        ("2026-03-15", "support", "oxazepam"),
        ("2026-03-15", "dose-change", "oxazepam"),
        ("2026-03-21", "aftercare", ""),
    ]


def test_same_input_same_output() -> None:
    steps = schedule(MONDAY, "oxazepam", [("mapping", 7, 30), ("taper", 7, 15)])
    rules = guideline(checkpoint_rules(evaluation="6w"))
    first = build_checkpoints(rules, steps, {"opioid"}, MONDAY, steps[-1].end)
    second = build_checkpoints(rules, list(reversed(steps)), {"opioid"}, MONDAY, steps[-1].end)
    assert first == second


def test_first_step_already_in_the_taper_is_a_cut_on_day_one() -> None:
    steps = schedule(MONDAY, "oxazepam", [("taper", 7, 10)])
    unknown = dose_changes(steps, MONDAY, steps[-1].end)
    assert next((c.date, c.dose_from, c.dose_to) for c in unknown) == (MONDAY, None, Decimal(10))
    known = dose_changes(steps, MONDAY, steps[-1].end, {"oxazepam": Decimal(15)})
    assert next((c.date, c.dose_from) for c in known) == (MONDAY, Decimal(15))
    same = dose_changes(steps, MONDAY, steps[-1].end, {"oxazepam": Decimal(10)})
    assert [c.date for c in same] == [MONDAY + dt.timedelta(days=7)]


def test_a_talk_before_a_day_one_cut_is_held_on_the_start_date() -> None:
    steps = schedule(MONDAY, "oxazepam", [("taper", 7, 10)])
    rules = checkpoint_rules(lead_days=2, every_days=None)
    got = build_checkpoints(guideline(rules), steps, {"benzodiazepine"}, MONDAY, steps[-1].end)
    assert min(c.date for c in got) == MONDAY
    assert ("2026-03-02", "support", "oxazepam") in summary(got)


# --- public holidays (issue 13) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "holiday", "name"),
    [
        ("SE", D(2027, 3, 29), "Easter Monday"),
        ("SE", D(2027, 3, 26), "Good Friday"),
        ("NO", D(2027, 5, 17), "Constitution Day"),
        ("US", D(2027, 2, 15), "Presidents' Day"),
    ],
)
def test_contacts_avoid_the_region_s_public_holidays(
    country: str, holiday: dt.date, name: str
) -> None:
    """The issue's cases: Easter Monday, Good Friday, 17 May and Presidents' Day."""
    open_days = ClinicDays(True, country)
    assert open_days.closed(holiday), name
    assert open_days.later(holiday) > holiday
    assert open_days.earlier(holiday) < holiday
    assert not open_days.closed(open_days.later(holiday))
    assert not ClinicDays(False, country).closed(holiday)  # the rule file's avoid_weekends off


def test_an_aftercare_contact_on_easter_monday_moves_to_tuesday() -> None:
    steps = schedule(MONDAY, "oxazepam", [("mapping", 7, 30), ("taper", 7, 10)])
    last = D(2027, 3, 15)  # two weeks later is Easter Monday 29 March 2027
    rules = checkpoint_rules(offsets=("2w",))
    got = build_checkpoints(guideline(rules), steps, {"benzodiazepine"}, MONDAY, last)
    aftercare = [c.date for c in got if c.kind == "aftercare"]
    assert D(2027, 3, 30) in aftercare
    assert D(2027, 3, 29) not in aftercare
