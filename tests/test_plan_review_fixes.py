"""Clinical review of main (physician + pharmacist), after issue 15: each finding pinned by
name. The invariants behind them are checked over all plans by the property in
test_plan_regimens.py (`taper.plan.regimen_invariants`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tail_helpers import with_tail  # the tails these tests pin (tail_helpers.py)

from taper.dose import parse_medication
from taper.errors import TaperError
from taper.guideline.loader import LoadedGuideline, validate_bytes
from taper.guideline.model import Product
from taper.plan import PlanOptions, make_plan
from taper.plan.holds import longest_run_days
from taper.plan.model import Plan, Step
from taper.plan.regimen_invariants import regimen_problems
from taper.plan.rules import pace
from taper.render import PlanFormat, render_plan

START = dt.date(2027, 1, 4)


def plan(guideline: str, *meds: str, **options: object) -> Plan:
    return make_plan(
        [parse_medication(m) for m in meds],
        with_tail(guideline),
        PlanOptions(start=START, **options),  # type: ignore[arg-type]
    )


def longest_run(result: Plan, drug: str, dose: Decimal) -> int:
    """The most consecutive taper days at `dose`."""
    best = run = 0
    for step in result.steps:
        if step.drug != drug:
            continue
        run = run + step.days if step.phase == "taper" and step.dose == dose else 0
        best = max(best, run)
    return best


# --- 1. a hold before a forced larger cut stops at the rule's longest run at one dose -------


@pytest.mark.parametrize(
    ("med", "held", "dose"),
    [
        ("oxazepam 30 mg", "oxazepam", Decimal(5)),
        ("alprazolam 3 mg", "alprazolam", Decimal("0.5")),
        ("diazepam 20 mg", "diazepam", Decimal(4)),
    ],
)
def test_se_vgr_forced_cut_is_not_held_105_days(med: str, held: str, dose: Decimal) -> None:
    result = plan("se-vgr", med)
    g = with_tail("se-vgr").guideline
    assert regimen_problems(result, g) == []
    rule = next(r for r in g.taper_rules if r.id == result.applied_rules[0].rule)
    limit = longest_run_days(pace(rule, PlanOptions(start=START)))
    assert limit == 63  # 3 intervals of the 21-day slow-down steps
    assert longest_run(result, held, dose) == limit  # was 105 days
    warning = next(w for w in result.warnings if w.code == "tablet-limited")
    assert warning.severity == "high"
    assert "a longer hold would not make the cut smaller" in warning.message
    assert "larger than the rule's step" in warning.message
    assert "hold-too-long" not in {w.code for w in result.warnings}


# --- 2. immediate-release opioids at their label's doses a day (formulations.md §2) ----------


def taper_steps(result: Plan, drug: str) -> list[Step]:
    return [s for s in result.steps if s.drug == drug and s.phase in ("stabilisation", "taper")]


def times_at(step: Step) -> int:
    return len([d for d in step.doses if d.tablets])


@pytest.mark.parametrize(
    ("guideline", "med", "drug", "brand", "dose", "times"),
    [
        ("se-vgr", "tramadol 200 mg", "tramadol", "Tramadol Hexal", Decimal(150), 3),
        ("se-vgr", "tapentadol 200 mg", "tapentadol", "Palexia", Decimal(200), 4),
        ("no-helsedir", "morphine 60 mg", "morphine", "Morfin Takeda", Decimal(60), 4),
        ("us-cdc-2022", "hydromorphone 8 mg", "hydromorphone", "Hydromorphone", Decimal(8), 4),
        ("us-cdc-2022", "oxycodone 40 mg", "oxycodone", "Oxycodone hydrochloride", Decimal(15), 4),
    ],
)
def test_immediate_release_opioids_are_not_given_twice_a_day(
    guideline: str, med: str, drug: str, brand: str, dose: Decimal, times: int
) -> None:
    """Was: Tramadol Hexal 100 mg x2, Palexia 100 mg x2, Morfin Takeda 30 mg x2,
    hydromorphone 4 mg x2, the US oxycodone IR tail 10 mg x2."""
    result = plan(guideline, med, specialist=True)
    g = with_tail(guideline).guideline
    assert regimen_problems(result, g) == []
    steps = [
        s
        for s in taper_steps(result, drug)
        if s.dose == dose and any(brand in t.brand for d in s.doses for t in d.tablets)
    ]
    assert steps
    assert all(times_at(s) == times for s in steps)


# --- 3. se-vgr oxycodone: an immediate-release tail, 10 -> 5 -> 0 ------------------------------


def test_se_vgr_depot_oxycodone_ends_on_immediate_release_capsules() -> None:
    """Was: stopped from 10 mg a day of depot tablets."""
    result = plan("se-vgr", "oxycodone 40 mg")
    g = with_tail("se-vgr").guideline
    assert regimen_problems(result, g) == []
    tail = [s for s in taper_steps(result, "oxycodone") if s.dose <= 10]
    doses = [s.dose for s in tail]
    assert doses[-1] == 5
    assert 10 in doses
    last = tail[-1]
    assert {t.brand for d in last.doses for t in d.tablets} == {"Oxikodon Actavis"}
    change = next(s for s in tail if (s.note or "").startswith("from here"))
    assert "Oxikodon Actavis (immediate release)" in (change.note or "")


def test_us_oxycodone_5_and_15_mg_tablets_are_halved() -> None:
    """formulations.md §2: the US 5 and 15 mg immediate-release tablets are bisected."""
    g = with_tail("us-cdc-2022").guideline
    product = next(p for p in g.formulary if p.brand == "Oxycodone hydrochloride tablets")
    splits = {s.amount: s.split for s in product.strengths}
    assert splits == {Decimal(5): "half", Decimal(15): "half", Decimal(30): "none"}
    result = plan("us-cdc-2022", "oxycodone 10 mg")
    assert result.steps[1].doses[0].tablets[0].count == Decimal("0.5")


IR_LABELLED = [
    ("se-vgr", "Tramadol Hexal", 50),
    ("se-vgr", "Palexia", 50),
    ("se-vgr", "Oxikodon Actavis", 5),
    ("no-helsedir", "Morfin Takeda", 10),
    ("no-helsedir", "Nobligan", 50),
    ("us-cdc-2022", "Hydromorphone hydrochloride tablets", 2),
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=st.sampled_from(IR_LABELLED), units=st.integers(min_value=1, max_value=12))
def test_immediate_release_products_keep_their_label_doses_a_day(
    case: tuple[str, str, int], units: int
) -> None:
    """Property: a named immediate-release product whose label gives its doses a day is given
    at least the label's fewest times a day whenever each time can have a unit; fewer only
    when the dose is too small for that (the tail)."""
    guideline, brand, smallest = case
    g = with_tail(guideline).guideline
    product = next(p for p in g.formulary if p.brand == brand)
    assert product.regimen is not None
    assert product.regimen.doses_per_day
    fewest = min(product.regimen.doses_per_day)
    amount = smallest * units
    try:
        result = plan(guideline, f"{brand} {amount} mg", specialist=True)
    except TaperError as exc:
        refusal = str(exc)
    else:
        refusal = ""
    if refusal:
        assert "\n" not in refusal
        return
    assert regimen_problems(result, g) == []
    first = taper_steps(result, product.drug)[0]
    if first.dose >= fewest * smallest:
        assert times_at(first) >= fewest, first


# --- 4. a label's maximum amount a day (regimen.max_amount_per_day) --------------------------


def test_us_cdc_tramadol_400_is_never_given_as_400_mg_er() -> None:
    """Was: 400 mg tramadol ER a day; the Ultram ER label's maximum is 300 mg a day
    (formulations.md §3). The formulary now has immediate-release tramadol tablets, so the dose
    is given on them (a visible formulation change); without them it is refused."""
    result = plan("us-cdc-2022", "tramadol 400 mg")
    g = with_tail("us-cdc-2022").guideline
    assert regimen_problems(result, g) == []
    er = "Tramadol hydrochloride extended-release tablets"
    for step in result.steps:
        if any(t.brand == er for d in step.doses for t in d.tablets):
            assert step.dose <= 300, step
    assert "formulation-change" in {w.code for w in result.warnings}
    no_ir = g.model_copy(
        update={"formulary": [p for p in g.formulary if p.drug != "tramadol" or p.brand == er]}
    )
    loaded = with_tail("us-cdc-2022")
    bare = LoadedGuideline(no_ir, loaded.path, "3" * 64)
    with pytest.raises(TaperError) as caught:
        make_plan([parse_medication("tramadol 400 mg")], bare, PlanOptions(start=START))
    message = str(caught.value)
    assert "300 mg a day by its label" in message
    assert "immediate-release tramadol tablets" in message
    assert "\n" not in message


def test_a_dose_beyond_the_depot_maximum_moves_to_immediate_release_tablets() -> None:
    """Where the formulary has immediate-release tablets whose label allows the dose, the plan
    gives it on them at their label's doses a day (a visible formulation change)."""
    loaded = with_tail("us-cdc-2022")
    g = loaded.guideline
    ir = Product.model_validate(
        {
            "drug": "tramadol",
            "brand": "Tramadol IR test",
            "strengths": [{"amount": 50}],
            "regimen": {"doses_per_day": [4], "max_amount_per_day": 400, "unverified": "test"},
            "unverified": "test",
        }
    )
    er = "Tramadol hydrochloride extended-release tablets"
    kept = [p for p in g.formulary if p.drug != "tramadol" or p.brand == er]
    changed = LoadedGuideline(
        g.model_copy(update={"formulary": [*kept, ir]}), loaded.path, "2" * 64
    )
    result = make_plan([parse_medication("tramadol 400 mg")], changed, PlanOptions(start=START))
    assert regimen_problems(result, changed.guideline) == []
    first = taper_steps(result, "tramadol")[0]
    assert {t.brand for d in first.doses for t in d.tablets} == {"Tramadol IR test"}
    assert times_at(first) == 4
    assert "formulation-change" in {w.code for w in result.warnings}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    guideline=st.sampled_from(["se-vgr", "no-helsedir", "us-cdc-2022"]),
    amount=st.integers(min_value=1, max_value=14).map(lambda n: n * 50),
)
def test_no_plan_gives_more_a_day_than_a_label_allows(guideline: str, amount: int) -> None:
    """Property: every step stays within every used product's maximum amount a day, or the
    plan is refused in one sentence."""
    loaded = with_tail(guideline)
    try:
        result = plan(guideline, f"tramadol {amount} mg", specialist=True)
    except TaperError as exc:
        refusal = str(exc)
    else:
        refusal = ""
    if refusal:
        assert "\n" not in refusal
        return
    assert regimen_problems(result, loaded.guideline) == []
    caps = {
        p.brand: p.regimen.max_amount_per_day
        for p in loaded.guideline.formulary
        if p.regimen is not None and p.regimen.max_amount_per_day is not None
    }
    for step in result.steps:
        for brand in {t.brand for d in step.doses for t in d.tablets}:
            if brand in caps:
                assert step.dose <= caps[brand], step


def test_a_daily_maximum_below_the_smallest_strength_is_a_validation_error() -> None:
    path = Path(__file__).resolve().parent.parent / "guidelines" / "us-cdc-2022.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "max_amount_per_day: 300", "max_amount_per_day: 50"
    )
    result = validate_bytes(text.encode("utf-8"), "us-cdc-2022.yaml")
    found = [f for f in result.findings if f.rule == "product-regimen"]
    assert [f.level for f in found] == ["error"]
    assert "max_amount_per_day 50 mg is less than the smallest strength (100 mg)" in (
        found[0].message
    )
    clean = validate_bytes(path.read_bytes(), "us-cdc-2022.yaml")
    assert not [f for f in clean.findings if f.rule == "product-regimen"]


# --- 6. patches: whole patches a step, the change interval printed, patches counted -----------


@pytest.mark.parametrize(
    ("guideline", "med", "every"),
    [
        ("se-vgr", "fentanyl 50 mcg/h", 3),
        ("no-helsedir", "fentanyl 50 mcg/h", 3),
        ("us-cdc-2022", "fentanyl 25 mcg/h", 3),
        ("se-vgr", "Norspan 10 mcg/h", 7),
        ("us-cdc-2022", "Butrans 10 mcg/h", 7),
    ],
)
def test_patch_steps_are_whole_patches_and_counted(guideline: str, med: str, every: int) -> None:
    """Was: fentanyl steps of 7 or 14 days (a strength change mid-patch), no change interval
    on the plan and patches not counted for dispensing."""
    result = plan(guideline, med, specialist=True)
    assert regimen_problems(result, with_tail(guideline).guideline) == []
    taper = [s for s in result.steps if s.phase == "taper" and s.dose > 0]
    assert taper
    assert all(s.days % every == 0 for s in taper), [s.days for s in taper]
    hours = every * 24
    assert all(t.change_hours == hours for s in taper for d in s.doses for t in d.tablets)
    by_step = {s.index: s for s in taper}
    counted = [d for d in result.dispensing if d.step in by_step]
    assert counted
    for item in counted:
        step = by_step[item.step]
        worn = sum(
            t.count
            for d in step.doses
            for t in d.tablets
            if (t.brand, t.strength) == (item.brand, item.strength)
        )
        assert item.tablets == worn * -(-step.days * 24 // hours)
    assert "patch-dispensing" not in {w.code for w in result.warnings}


def test_the_patch_change_interval_is_printed_on_each_patch_step() -> None:
    result = plan("no-helsedir", "fentanyl 50 mcg/h", specialist=True)
    text = render_plan(result, PlanFormat.text, "en").decode("utf-8")
    assert "1 × Durogesic 25 mcg/h, a new patch every 72 hours" in text
    sheet = render_plan(result, PlanFormat.html, "en").decode("utf-8")
    assert "put on a new patch every 72 hours" in sheet
    # Two patches at once: the interval once, for both.
    assert "1 × Durogesic 25 mcg/h + 1 × Durogesic 12 mcg/h, new patches every 72 hours" in text
    norspan = render_plan(plan("se-vgr", "Norspan 10 mcg/h"), PlanFormat.text, "sv").decode()
    assert "1 × Norspan 10 mcg/h, nytt plåster var 7:e dag" in norspan


# --- 5. combination products: paracetamol a day, the least time between doses ----------------


def test_paralgin_forte_states_paracetamol_a_day_and_six_hours_apart() -> None:
    """Was: 2 tablets at four times a day with no 'at least 6 h apart' and no paracetamol
    total. Paralgin forte 240 mg codeine is 8 tablets: 3200 mg paracetamol a day."""
    result = plan("no-helsedir", "Paralgin forte 240 mg")
    per_day = next(w for w in result.warnings if w.code == "paracetamol-per-day")
    assert per_day.drug == "codeine"
    assert ": 3200 mg" in per_day.message
    assert "Doses at least 6 hours apart" in per_day.message
    limits = next(w for w in result.warnings if w.code == "paracetamol-lower-limits")
    assert limits.severity == "caution"
    assert "3000 mg a day at 40–50 kg" in limits.message
    assert "2000 mg a day with severe liver disease" in limits.message


def test_citodon_states_paracetamol_a_day_by_step() -> None:
    result = plan("se-vgr", "Citodon 180 mg")
    per_day = next(w for w in result.warnings if w.code == "paracetamol-per-day")
    # 180 mg codeine is 6 tablets of 500 mg paracetamol.
    assert ": 3000 mg" in per_day.message
    steps = [s for s in result.steps if s.drug == "codeine" and s.phase == "taper" and s.dose]
    for step in steps:
        tablets = sum(t.count for d in step.doses for t in d.tablets)
        assert f"{tablets * 500:f}".split(".")[0] + " mg" in per_day.message


def test_paracetamol_warnings_are_translated() -> None:
    result = plan("no-helsedir", "Paralgin forte 240 mg")
    text = render_plan(result, PlanFormat.text, "nb").decode("utf-8")
    assert "gir paracetamol per døgn per trinn" in text
    assert "Dosene med minst 6 timers mellomrom" in text
    assert "sjekk pasientens vekt og leverrisiko" in text
