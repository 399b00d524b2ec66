"""The Contacts list names one dose change a day (clinician review 4, D12): a switch plan
changes two drugs on one date, and uk-02 listed "Dose change" twice on 18 Jan, 25 Jan and
1 Feb, uk-05 on 18 Jan. The plan keeps a dose-change checkpoint per drug (its JSON says which
drug changes); the lists merge them."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from taper.dose import parse_medication
from taper.guideline.loader import load_guideline
from taper.plan import PlanOptions, make_plan
from taper.render import PlanFormat, render_plan

START = dt.date(2027, 1, 4)


@pytest.mark.parametrize("med", ["lorazepam 3 mg", "zopiclone 7.5 mg"])
@pytest.mark.parametrize("fmt", [PlanFormat.text, PlanFormat.markdown])
def test_a_switch_plan_lists_one_dose_change_a_day(med: str, fmt: PlanFormat) -> None:
    plan = make_plan(
        [parse_medication(med)], load_guideline("uk-ashton"), PlanOptions(start=START, lang="en")
    )
    # Two drugs do change on one day (the switch), so the test can fail.
    per_day = Counter(c.date for c in plan.checkpoints if c.kind == "dose-change")
    assert max(per_day.values()) == 2
    text = render_plan(plan, fmt, "en").decode("utf-8")
    lines = [line for line in text.splitlines() if line.rstrip().endswith("Dose change")]
    assert len(lines) == len(per_day)
    assert len(lines) == len(set(lines))


def test_the_plan_still_names_each_drugs_dose_change() -> None:
    plan = make_plan(
        [parse_medication("lorazepam 3 mg")],
        load_guideline("uk-ashton"),
        PlanOptions(start=START, lang="en"),
    )
    day = dt.date(2027, 1, 18)
    drugs = {c.drug for c in plan.checkpoints if c.kind == "dose-change" and c.date == day}
    assert drugs == {"lorazepam", "diazepam"}
