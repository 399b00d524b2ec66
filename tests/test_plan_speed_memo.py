"""The planner's memo of plan skeletons is exact and leaks nothing between patients.

Patients sharing a rule file, medications and options share the date-free part of a plan
(`taper.plan.builder.Skeleton`); the dates, the aftercare end and the checkpoints are worked
out per patient. A memoised plan must equal a plan made from scratch, byte for byte, for any
start date, and changing one plan must never change another.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from plan_helpers import SOURCES, medication, plannable, replan_originals

from taper.dose import Dose, MedicationInput
from taper.errors import TaperError
from taper.guideline.loader import LoadedGuideline, load_guideline
from taper.plan import Pause, PlanOptions, builder, make_plan
from taper.plan.model import Plan


def _fresh(
    meds: list[MedicationInput], loaded: LoadedGuideline, options: PlanOptions
) -> Plan | str:
    """The plan made from scratch (the memo emptied first), or the refusal."""
    builder._PLAN_MEMO.clear()
    return _outcome(meds, loaded, options)


def _outcome(
    meds: list[MedicationInput], loaded: LoadedGuideline, options: PlanOptions
) -> Plan | str:
    try:
        return make_plan(meds, loaded, options)
    except TaperError as exc:
        return f"refused: {exc}"


def _dump(outcome: Plan | str) -> str:
    return outcome if isinstance(outcome, str) else outcome.model_dump_json()


_STARTS = st.one_of(
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)),
    # month ends (aftercare in calendar months), a leap day, the edges of the plan calendar
    st.sampled_from(
        [
            dt.date(2024, 2, 29),
            dt.date(2025, 1, 31),
            dt.date(2025, 8, 31),
            dt.date(1900, 1, 1),
            dt.date(1899, 12, 31),
            dt.date(8999, 12, 31),
            dt.date(8990, 6, 1),
            dt.date(9000, 1, 1),
        ]
    ),
)


_OPTION_FIELDS = [
    f.name for f in dataclasses.fields(PlanOptions) if f.name not in ("start", "pauses")
]


@st.composite
def patient(draw: st.DrawFn, loaded: LoadedGuideline) -> tuple[list[MedicationInput], PlanOptions]:
    """Medications and options; often close to another patient's (same drug, near doses)."""
    pairs = plannable(loaded)
    chosen = draw(
        st.lists(st.sampled_from(pairs), min_size=1, max_size=2, unique_by=lambda p: p[0])
    )
    meds = []
    for drug, unit in chosen:
        amount = draw(st.sampled_from([Decimal(5), Decimal(10), Decimal("12.5"), Decimal(20)]))
        meds.append(medication(drug, amount, unit))
    replan, originals = replan_originals(draw, chosen, meds)
    rules = [r.id for r in loaded.guideline.taper_rules]
    options = PlanOptions(
        start=dt.date(2025, 1, 1),
        lang=draw(st.sampled_from([None, "en", "sv"])),
        switch=draw(st.sampled_from([None, True, False])),
        percent=draw(st.sampled_from([None, Decimal(5), Decimal(10)])),
        interval_days=draw(st.sampled_from([None, 14, 28])),
        specialist=draw(st.sampled_from([True, True, False])),
        replan=replan,
        originals=originals,
        rule=draw(st.sampled_from([None, None, *rules])) if rules else None,
    )
    return meds, options


@st.composite
def clinic_lists(
    draw: st.DrawFn,
) -> tuple[LoadedGuideline, list[tuple[list[MedicationInput], PlanOptions]]]:
    """A list of patients of one rule file: a few kinds of patient, each on several dates,
    in any order (one memo serves the whole list)."""
    loaded = load_guideline(draw(st.sampled_from(SOURCES)))
    assume(plannable(loaded))
    # Kinds of patient that differ from the first in one thing only (a dose, an option), so
    # a memo that overlooked it would hand one kind's plan to another.
    first = draw(patient(loaded))
    kinds = [first]
    for other in draw(st.lists(patient(loaded), max_size=3)):
        field = draw(st.sampled_from(["medications", *_OPTION_FIELDS]))
        if field == "medications":
            kinds.append((other[0], first[1]))
        else:
            changed = {field: getattr(other[1], field)}
            kinds.append((first[0], dataclasses.replace(first[1], **changed)))
    rows = draw(
        st.lists(st.tuples(st.integers(0, len(kinds) - 1), _STARTS), min_size=2, max_size=8)
    )
    return loaded, [
        (kinds[k][0], dataclasses.replace(kinds[k][1], start=start)) for k, start in rows
    ]


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(case=clinic_lists())
def test_a_memoised_plan_equals_a_fresh_one(
    case: tuple[LoadedGuideline, list[tuple[list[MedicationInput], PlanOptions]]],
) -> None:
    loaded, rows = case
    builder._PLAN_MEMO.clear()
    memoised = [_dump(_outcome(meds, loaded, options)) for meds, options in rows]
    fresh = [_dump(_fresh(meds, loaded, options)) for meds, options in rows]
    assert memoised == fresh


def test_the_memo_is_used_and_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = load_guideline("se-vgr")
    monkeypatch.setattr(builder, "PLAN_MEMO_SIZE", 3)
    builder._PLAN_MEMO.clear()
    for amount in (10, 20, 30, 40, 50):
        meds = [
            MedicationInput(f"oxazepam {amount} mg", "oxazepam", Dose(Decimal(amount), "mg"), None)
        ]
        make_plan(meds, loaded, PlanOptions(start=dt.date(2026, 1, 5)))
        make_plan(meds, loaded, PlanOptions(start=dt.date(2026, 3, 7)))
    assert len(builder._PLAN_MEMO) == 3  # the oldest go first
    amounts = [key[1][0].dose.amount for key in builder._PLAN_MEMO]  # type: ignore[index]
    assert amounts == [Decimal(30), Decimal(40), Decimal(50)]


def test_pauses_are_not_memoised() -> None:
    loaded = load_guideline("se-vgr")
    meds = [MedicationInput("oxazepam 20 mg", "oxazepam", Dose(Decimal(20), "mg"), None)]
    builder._PLAN_MEMO.clear()
    options = PlanOptions(start=dt.date(2026, 1, 5), pauses=(Pause(dt.date(2026, 4, 1), 7),))
    assert builder.memo_key(meds, loaded, options) is None
    make_plan(meds, loaded, options)
    assert not builder._PLAN_MEMO


def test_the_memo_key_covers_every_option_but_the_dates() -> None:
    """A new PlanOptions field must be added to `memo_key` (or make plans unshareable)."""
    fields = {f.name for f in dataclasses.fields(PlanOptions)}
    assert fields - {"start", "pauses"} == {
        "lang",
        "switch",
        "percent",
        "interval_days",
        "specialist",
        "rule",
        "replan",
        "originals",
    }
    loaded = load_guideline("se-vgr")
    meds = [MedicationInput("oxazepam 20 mg", "oxazepam", Dose(Decimal(20), "mg"), None)]
    base = PlanOptions(start=dt.date(2026, 1, 5))
    changed = [
        dataclasses.replace(base, lang="en"),
        dataclasses.replace(base, switch=True),
        dataclasses.replace(base, percent=Decimal(5)),
        dataclasses.replace(base, interval_days=28),
        dataclasses.replace(base, specialist=True),
        dataclasses.replace(base, rule="benzodiazepines"),
        dataclasses.replace(base, replan=True),
        dataclasses.replace(base, replan=True, originals=tuple(meds)),
    ]
    keys = {builder.memo_key(meds, loaded, o) for o in [base, *changed]}
    assert len(keys) == 1 + len(changed)
    later = dataclasses.replace(base, start=dt.date(2027, 5, 1))
    assert builder.memo_key(meds, loaded, later) == builder.memo_key(meds, loaded, base)


def test_plans_sharing_a_skeleton_share_no_mutable_state() -> None:
    loaded = load_guideline("se-vgr")
    meds = [MedicationInput("zolpidem 10 mg", "zolpidem", Dose(Decimal(10), "mg"), None)]
    builder._PLAN_MEMO.clear()
    first = make_plan(meds, loaded, PlanOptions(start=dt.date(2026, 1, 5), switch=True))
    expected = make_plan(meds, loaded, PlanOptions(start=dt.date(2026, 2, 9), switch=True))
    before = expected.model_dump_json()
    assert first.warnings
    assert first.applied_rules
    # Change every list and dict a plan holds (except the shared tablet lists of steps, which
    # the planner never hands out for change: their owners are the formulary's kits).
    for name in ("medications", "rule_ids", "steps", "checkpoints", "warnings", "dispensing"):
        getattr(first, name).clear()
    first.unverified.append("changed")
    first.applied_rules[0].switched_from.append("changed")
    first.warnings.clear()
    third = make_plan(meds, loaded, PlanOptions(start=dt.date(2026, 2, 9), switch=True))
    assert third.model_dump_json() == before
    assert expected.model_dump_json() == before


def test_a_shared_skeleton_warning_keeps_its_own_params() -> None:
    loaded = load_guideline("se-vgr")
    meds = [MedicationInput("zolpidem 10 mg", "zolpidem", Dose(Decimal(10), "mg"), None)]
    builder._PLAN_MEMO.clear()
    one = make_plan(meds, loaded, PlanOptions(start=dt.date(2026, 1, 5), switch=True))
    two = make_plan(meds, loaded, PlanOptions(start=dt.date(2026, 1, 6), switch=True))
    with_params = [w for w in one.warnings if w.params]
    assert with_params
    with_params[0].params["changed"] = "yes"
    assert all("changed" not in w.params for w in two.warnings)
