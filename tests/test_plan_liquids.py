"""Issue 15 item 3, liquids: an oral solution makes the steps tablets cannot, and the tail
after depot tablets when the formulary has no immediate-release tablets.

Named regressions pin the examples; a property checks every liquid dose of plans over the
built-in rule files: it is a whole number of the oral syringe's graduations and every
format shows its mg, ml, concentration and measuring device.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taper.dose import parse_medication
from taper.errors import TaperError
from taper.guideline.loader import load_guideline
from taper.plan import PlanOptions, make_plan
from taper.plan.invariants import plan_problems
from taper.plan.model import Plan, Step
from taper.plan.regimen_invariants import regimen_problems
from taper.render import PlanFormat, render_plan
from taper.render.dose_text import tablet_text
from taper.render.i18n import texts

START = dt.date(2026, 1, 5)
ROOT = Path(__file__).resolve().parent.parent


def plan(guideline: str, *meds: str, **options: object) -> Plan:
    return make_plan(
        [parse_medication(m) for m in meds],
        load_guideline(guideline),
        PlanOptions(start=START, **options),  # type: ignore[arg-type]
    )


def sound(result: Plan, guideline: str) -> None:
    g = load_guideline(guideline).guideline
    assert regimen_problems(result, g) == []
    assert plan_problems(result, g) == []


def liquid_steps(result: Plan) -> list[Step]:
    return [s for s in result.steps if any(t.liquid for d in s.doses for t in d.tablets)]


def test_us_cdc_morphine_er_60_has_an_oral_solution_tail_instead_of_a_refusal() -> None:
    """Refused before ("would need immediate-release morphine tablets or an oral solution"):
    us-cdc-2022 lists only extended-release morphine tablets, which cannot make the taper's
    steps; its morphine oral solution 10 mg/5 ml now makes them: first as a top-up of the
    depot tablets, then alone once they give no dose (review-2 us-05, tests/test_depot_topup.py)."""
    result = plan("us-cdc-2022", "morphine 60 mg")
    sound(result, "us-cdc-2022")
    steps = [s for s in result.steps if s.dose > 0]
    assert steps[1].doses[0].tablets[0].brand == "Morphine sulfate extended-release tablets"
    changes = [s for s in result.steps if s.note and s.note.startswith("from here")]
    assert len(changes) == 2
    assert "topped up with Morphine sulfate oral solution" in (changes[0].note or "")
    assert "Morphine sulfate oral solution 10 mg/5 ml 2 mg/ml" in (changes[1].note or "")
    assert "the depot tablets cannot make the next step" in (changes[1].note or "")
    tail = [s for s in steps if s.index >= changes[1].index]
    assert tail
    assert all(s in liquid_steps(result) for s in tail)
    # No cut beyond the rule on the solution above its stop: steps of 10 % a month or less.
    assert steps[-1].dose <= Decimal(20)


def test_a_step_the_tablets_cannot_make_is_made_with_the_oral_solution() -> None:
    """uk-ashton diazepam 10 mg: from 3 mg the 2 mg tablets (halved: 1 mg) could only cut to
    2 mg (a third); the 2 mg/5 ml suspension makes the rule's 10 % step (2.7 mg)."""
    result = plan("uk-ashton", "diazepam 10 mg")
    sound(result, "uk-ashton")
    change = next(s for s in result.steps if s.note and s.note.startswith("from here"))
    assert "Diazepam oral suspension 2 mg/5 ml 0.4 mg/ml" in (change.note or "")
    assert "instead of Diazepam tablets (immediate release)" in (change.note or "")
    doses = [s.dose for s in result.steps if s.phase == "taper" and s.dose > 0]
    assert Decimal("2.8") in doses or Decimal("2.6") in doses  # 10 % steps below 3 mg
    assert not any(s.tablet_limited and s.dose > 0 and s.dose >= 2 for s in result.steps)


def test_the_month_long_hold_before_a_forced_cut_is_gone_with_the_oral_solution() -> None:
    """The issue's example: uk-ashton diazepam was held 112 more days at 2 mg before a forced
    cut to 1 mg (the tablets' smallest step); the suspension steps down instead, and its tail
    goes on below the smallest tablet dose in the rule's steps (clinician review R24/R25)."""
    result = plan("uk-ashton", "diazepam 10 mg")
    held = [
        s
        for s in result.steps
        if s.note and s.note.startswith("held") and "the tablets cannot" in s.note
    ]
    assert held == []
    longest = max(s.days for s in result.steps if s.phase == "taper" and s.dose > 0)
    assert longest <= 28
    assert "hold-too-long" not in {w.code for w in result.warnings if w.drug == "diazepam"}
    steps = [s for s in result.steps if s.drug == "diazepam"]
    last = next(b for b, a in itertools.pairwise(steps) if a.dose == 0 and b.dose)
    assert last.dose < Decimal(1)
    assert not last.tablet_limited


def test_us_cdc_tramadol_er_tail_goes_on_immediate_release_then_qdolo() -> None:
    result = plan("us-cdc-2022", "tramadol 200 mg")
    sound(result, "us-cdc-2022")
    brands = [t.brand for s in result.steps for d in s.doses for t in d.tablets]
    assert "Qdolo" in brands
    assert brands[0] == "Tramadol hydrochloride extended-release tablets"


def test_every_export_shows_a_liquid_dose_with_mg_ml_concentration_and_device() -> None:
    result = plan("us-cdc-2022", "morphine 60 mg")
    # The first dose of the solution: a top-up of the depot tablets (review-2 us-05).
    words = "9 mg = 4.5 ml of Morphine sulfate oral solution 10 mg/5 ml (2 mg/ml), measured"
    for fmt in (PlanFormat.text, PlanFormat.markdown, PlanFormat.csv):
        out = render_plan(result, fmt, "en").decode("utf-8")
        assert words in out, fmt
    # The sheet's overview: the row's product column names the concentration and the oral
    # syringe; each cell says mg = ml.
    # (the sheet keeps each number with its unit by no-break spaces)
    sheet = render_plan(result, PlanFormat.html, "en").decode("utf-8").replace("\u00a0", " ")
    assert "9 mg = 4.5 ml" in sheet
    assert (
        "Morphine sulfate oral solution 10 mg/5 ml (2 mg/ml), measured with an oral syringe"
        in sheet
    )
    # what to dispense: a column for the solution (its brand over its strength), ml in cells
    dispense = sheet.split('<table class="dispense">', 1)[1].split("</table>", 1)[0]
    assert '<th scope="colgroup" colspan="1" class="brand">Morphine sulfate oral solution' in (
        dispense
    )
    assert '<th scope="col">2 mg/ml</th>' in dispense
    # 19 Jan - 17 Feb, 4.5 ml a day: 135 ml, dispensed as two periods of 15 days (at most 4
    # weeks a row, nurse review 3 S-5): 67.5 ml, rounded up to 68 ml each.
    assert "<td>68 ml</td>" in dispense
    assert "13½ ×" not in sheet
    assert "× Morphine sulfate oral solution" not in sheet
    ics = render_plan(result, PlanFormat.ics, "en").decode("utf-8").replace("\r\n ", "")
    assert "9 mg = 4.5 ml of Morphine sulfate oral solution" in ics
    data = json.loads(render_plan(result, PlanFormat.json, "en"))
    tabs = [t for s in data["steps"] for d in s["doses"] for t in d["tablets"] if "liquid" in t]
    assert tabs[0]["liquid"] == {
        "mg_per_ml": "2",
        "device": "oral-syringe",
        "ml": "4.5",  # the first top-up: 9 mg beside one 15 mg depot tablet
        "drops": None,
        "mg_per_drop": None,
    }
    assert all(
        "liquid" not in t for s in data["steps"][:2] for d in s["doses"] for t in d["tablets"]
    )
    bundle = json.loads(render_plan(result, PlanFormat.fhir, "en"))
    dosages = [
        d
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "MedicationRequest"
        for d in e["resource"]["dosageInstruction"]
    ]
    liquid = [d for d in dosages if "oral solution" in d["patientInstruction"]]
    assert liquid
    quantity = liquid[0]["doseAndRate"][0]["doseQuantity"]
    assert quantity["unit"] == "mL"
    assert quantity["code"] == "mL"
    assert "9 mg = 4.5 ml" in liquid[0]["patientInstruction"]
    solution = next(
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "MedicationRequest"
        and "oral solution" in e["resource"]["contained"][0]["code"]["text"]
    )
    strength = solution["contained"][0]["ingredient"][0]["strength"]
    assert strength["numerator"]["value"] == 2
    assert strength["denominator"]["unit"] == "mL"
    assert solution["dispenseRequest"]["quantity"]["unit"] == "mL"


def test_dispensing_of_an_oral_solution_is_in_ml() -> None:
    result = plan("us-cdc-2022", "morphine 60 mg")
    liquid = [d for d in result.dispensing if d.measure == "ml"]
    assert liquid
    step = next(s for s in result.steps if s.index == liquid[0].step)
    per_day = sum((t.count for d in step.doses for t in d.tablets if t.liquid), Decimal(0))
    assert liquid[0].tablets == per_day * step.days


# --- property -------------------------------------------------------------------------------

# Rule files and drugs that have an oral solution in the formulary, with doses that reach it.
LIQUID_CASES = [
    ("us-cdc-2022", "morphine"),
    ("us-cdc-2022", "tramadol"),
    ("uk-ashton", "diazepam"),
    ("uk-ashton", "lorazepam"),
    ("uk-ashton", "morphine"),
    ("uk-ashton", "oxycodone"),
    ("se-vgr", "morphine"),
    ("no-helsedir", "morphine"),
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    case=st.sampled_from(LIQUID_CASES),
    amount=st.integers(min_value=1, max_value=240),
    lang=st.sampled_from(["en", "sv", "nb"]),
)
def test_every_liquid_dose_shows_mg_ml_concentration_and_device(
    case: tuple[str, str], amount: int, lang: str
) -> None:
    guideline, drug = case
    try:
        result = plan(guideline, f"{drug} {amount} mg")
    except TaperError as exc:
        refusal = str(exc)
    else:
        refusal = ""
    if refusal:
        assert "\n" not in refusal
        return
    g = load_guideline(guideline).guideline
    assert regimen_problems(result, g) == []
    t = texts(lang)
    device = {"en": "oral syringe", "sv": "doseringsspruta", "nb": "doseringssprøyte"}[lang]
    for step in result.steps:
        for dose in step.doses:
            for tab in dose.tablets:
                if tab.liquid is None:
                    continue
                product = next(p for p in g.formulary if p.brand == tab.brand)
                assert product.liquid is not None
                ml = tab.liquid.ml
                assert ml is not None
                assert ml > 0
                assert (ml / product.liquid.smallest_ml) % 1 == 0  # whole graduations
                assert ml * tab.liquid.mg_per_ml == tab.count * tab.strength
                shown = tablet_text(t, tab)
                assert t.amount(tab.count * tab.strength, "mg") in shown
                assert t.amount(ml, "ml") in shown
                assert t.amount(tab.liquid.mg_per_ml, "mg/ml") in shown
                assert device in shown


def test_an_oral_solution_off_the_tablets_grid_is_refused_by_the_validator(tmp_path: Path) -> None:
    """Found by the rule-file mutants: Qdolo at 0.0025 mg/ml (a measure of 0.00125 mg) made
    the liquid search take over 20 s; like a mistyped strength it is a tablet-grid error."""
    text = (ROOT / "guidelines" / "us-cdc-2022.yaml").read_text(encoding="utf-8")
    old = "liquid: {mg_per_ml: 5, device: oral-syringe"
    assert old in text
    draft = tmp_path / "us-mutant.yaml"
    draft.write_text(text.replace(old, "liquid: {mg_per_ml: 0.0025, device: oral-syringe"))
    with pytest.raises(TaperError, match="tablet-grid") as caught:
        load_guideline(str(draft))
    assert "Qdolo" in str(caught.value)


def test_an_immediate_release_morphine_solution_is_given_four_times_a_day() -> None:
    """Panel reading: after morphine ER 30 mg twice a day the oral solution kept the depot
    tablets' two dose times for over a year; immediate-release morphine is given every 4-6
    hours, so the solution has the label's four doses a day."""
    import datetime as dt

    from taper.dose import parse_medication
    from taper.guideline.loader import load_guideline
    from taper.plan import PlanOptions, make_plan

    result = make_plan(
        [parse_medication("morphine 60 mg")],
        load_guideline("us-cdc-2022"),
        PlanOptions(start=dt.date(2027, 1, 4)),
    )
    on_solution = [s for s in result.steps if s.doses and "solution" in s.doses[0].tablets[0].brand]
    assert on_solution
    assert all(len(s.doses) == 4 for s in on_solution if s.dose >= 20)
