"""Clinician review 9, D12: se-vgr's `opioid-eda` is titled "stödsamtal varje vecka" (Eda
vårdcentral: 10 % a week with a weekly nurse call, clinical-facts.md §3.1), but its talks came
only before each change, two weeks apart where the tablets force a hold. The rule's
`talk_every_days: 7` keeps a talk at least every week from the start to the opioid's last dose;
a benzodiazepine rule of the same file keeps the file's 28 days.
"""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from taper.dose import parse_medication
from taper.guideline.loader import load_guideline
from taper.plan import PlanOptions, make_plan
from taper.plan.model import Plan


def _plan(medication: str, start: dt.date) -> Plan:
    return make_plan(
        [parse_medication(medication)],
        load_guideline("se-vgr"),
        PlanOptions(start=start, lang="en"),
    )


def _longest_gap(plan: Plan, after_stop: int = 0) -> int:
    """The most days between support talks from the start to `after_stop` days after the
    stop (the day after the last dose)."""
    assert plan.last_dose_date is not None
    end = plan.last_dose_date + dt.timedelta(days=1 + after_stop)
    talks = sorted({c.date for c in plan.checkpoints if c.kind == "support"})
    days = [plan.start, *[d for d in talks if d <= end], end]
    return max((b - a).days for a, b in itertools.pairwise(days))


def test_review9_se_vgr_oxycodone_40_mg_has_a_talk_every_week_through_its_holds() -> None:
    made = _plan("oxycodone 40 mg", dt.date(2026, 1, 5))
    assert made.rule_ids == ["opioid-eda"]
    # Before: talks on 23 Jan and 6 Feb only, around the 14-day hold at 35 mg.
    talks = {c.date for c in made.checkpoints if c.kind == "support"}
    assert dt.date(2026, 1, 30) in talks
    assert _longest_gap(made) <= 7


def test_a_benzodiazepine_rule_of_the_same_file_keeps_the_file_s_longer_gap() -> None:
    made = _plan("oxazepam 30 mg", dt.date(2026, 1, 5))
    assert "opioid-eda" not in made.rule_ids
    assert _longest_gap(made) > 7


@settings(max_examples=25, deadline=None)
@given(
    medication=st.sampled_from(
        [
            "oxycodone 20 mg",
            "oxycodone 40 mg",
            "oxycodone 45 mg",
            "morphine 60 mg",
            "morphine 90 mg",
            "tramadol 200 mg",
        ]
    ),
    start=st.dates(dt.date(2026, 1, 1), dt.date(2028, 12, 31)),
)
def test_an_opioid_eda_taper_never_goes_a_week_without_a_talk(
    medication: str, start: dt.date
) -> None:
    made = _plan(medication, start)
    assert "opioid-eda" in made.rule_ids
    assert _longest_gap(made, after_stop=7) <= 7


def test_review13_d2_a_talk_after_the_stop_speaks_of_lost_tolerance() -> None:
    """Clinician review 13, D2: the weekly talks ended before the stop and the first aftercare
    contact came 17-18 days after it, across the days withdrawal comes. Now a talk falls in
    the week after the stop, and it carries the aftercare's opioid topics."""
    made = _plan("tramadol 200 mg", dt.date(2026, 1, 5))
    assert made.last_dose_date == dt.date(2026, 3, 1)
    after = [
        c
        for c in made.checkpoints
        if c.kind == "support" and dt.date(2026, 3, 2) <= c.date <= dt.date(2026, 3, 9)
    ]
    assert [c.date for c in after] == [dt.date(2026, 3, 4)]
    assert "lost-tolerance" in after[0].content
