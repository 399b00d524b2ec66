"""Issue 12, brands in a medication list (taper/brand_lines.py): combination products by brand
(the opioid converted, the paracetamol shown per dose time and a day and checked against the
label's caps), a brand's one strength looked up, a product by its rule-file name. Named
regression tests for every example, then hypothesis properties: any per-time input of a
combination product gives the exact ingredient totals and keeps its times, and generated
inputs never crash and never misread a number.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taper.brand_lines import brand_strength
from taper.dose import parse_medication
from taper.dose_forms import POSITIONS
from taper.equivalence import equivalents
from taper.errors import TaperError
from taper.guideline.loader import load_guideline
from taper.plan import PlanOptions, make_plan

D = Decimal
START = dt.date(2027, 1, 4)


def _guideline(gid: str):  # type: ignore[no-untyped-def]
    return load_guideline(gid).guideline


def _item(gid: str, text: str):  # type: ignore[no-untyped-def]
    g = _guideline(gid)
    result = equivalents([parse_medication(text, g)], g)
    return result.items[0], result


# --- combination products by brand -------------------------------------------------------------


@pytest.mark.parametrize(
    ("gid", "text", "codeine", "per_time", "per_day", "ome"),
    [
        # se-vgr: Citodon 500 mg paracetamol / 30 mg codeine, strength from the rule file
        ("se-vgr", "Citodon 2+2+2+2", "240", ("1000",) * 4, "4000", "24"),
        ("se-vgr", "Citodon 1+1+1", "90", ("500",) * 3, "1500", "9"),
        ("se-vgr", "Citodon 30 mg 2+2+2", "180", ("1000",) * 3, "3000", "18"),
        ("se-vgr", "Citodon 60+60+60 mg", "180", ("1000",) * 3, "3000", "18"),
        ("se-vgr", "Citodon ½+½+1", "60", ("250", "250", "500"), "1000", "6"),
        ("se-vgr", "Citodon 2 tabletter 3 gånger dagligen", "180", ("1000",) * 3, "3000", "18"),
        ("se-vgr", "Citodon 180 mg", "180", (), "3000", "18"),
        # no-helsedir: Paralgin forte 400 mg paracetamol / 30 mg codeine
        ("no-helsedir", "Paralgin forte 2+2+2", "180", ("800",) * 3, "2400", "18"),
        ("no-helsedir", "Paralgin forte 2 tabletter 3 ganger daglig", "180", ("800",) * 3,
         "2400", "18"),
        ("no-helsedir", "Paralgin forte 2 tabl x 4", "240", ("800",) * 4, "3200", "24"),
        # us-cdc-2022: acetaminophen 300 mg / codeine 30 mg (Tylenol #3), MME factor 0.15
        ("us-cdc-2022", "Tylenol with codeine #3 1+1+1", "90", ("300",) * 3, "900", "13.5"),
        ("us-cdc-2022", "Tylenol #3 2 tablets every 6 hours", "240", ("600",) * 4, "2400", "36"),
        ("us-cdc-2022", "Acetaminophen and codeine 300 mg/30 mg tablets 2+2+2", "180",
         ("600",) * 3, "1800", "27"),
    ],
)  # fmt: skip
def test_issue12_combination_product_by_brand(
    gid: str, text: str, codeine: str, per_time: tuple[str, ...], per_day: str, ome: str
) -> None:
    item, result = _item(gid, text)
    assert item.drug == "codeine"
    assert item.amount == D(codeine)
    assert item.equivalent == D(ome)  # the opioid part is converted
    (intake,) = item.ingredients
    assert intake.name in ("paracetamol", "acetaminophen")
    assert tuple(str(a) for _, a in intake.per_time) == per_time
    assert intake.per_day == D(per_day)
    assert not intake.over
    assert not any(w.severity == "high" for w in result.warnings)
    if per_time:  # the dose times are kept, as for any dose as written
        assert [name for name, _ in intake.per_time] == [name for name, _ in item.medication.times]


def test_issue12_combination_at_the_label_cap_is_not_above_it() -> None:
    # 8 Citodon a day = 4000 mg paracetamol = the cap ("at most"): no warning.
    item, result = _item("se-vgr", "Citodon 2+2+2+2")
    assert item.ingredients[0].per_day == item.ingredients[0].max_per_day == D(4000)
    assert [w.code for w in result.warnings] == ["strength-looked-up"]


@pytest.mark.parametrize(
    ("gid", "text", "said"),
    [
        ("se-vgr", "Citodon 3+3+3", "1500 mg paracetamol at one dose time"),
        ("se-vgr", "Citodon 2+2+2+3", "4500 mg paracetamol a day"),
        ("no-helsedir", "Paralgin forte 3+3+3+3", "4800 mg paracetamol a day"),
        ("us-cdc-2022", "Tylenol #3 4+4+4+4", "1200 mg acetaminophen at one dose time"),
    ],
)
def test_issue12_combination_above_the_label_warns_on_convert_and_refuses_a_plan(  # type: ignore[no-untyped-def]
    run_cli, gid: str, text: str, said: str
) -> None:
    converted = run_cli("convert", "-g", gid, "-m", text, "-f", "json")
    assert converted.code == 0, converted.err
    warnings = json.loads(converted.out)["warnings"]
    high = [w for w in warnings if w["code"] == "ingredient-above-label"]
    assert high
    assert high[0]["severity"] == "high"
    assert said in high[0]["message"]
    planned = run_cli("plan", "-g", gid, "-m", text, "--start", "2027-01-04")
    assert planned.code == 2
    assert planned.err.count("\n") == 1
    assert "Traceback" not in planned.err
    assert said in planned.err
    assert "a plan would print that dose" in planned.err


def test_issue12_convert_shows_tablets_and_paracetamol(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("convert", "-g", "se-vgr", "-m", "Citodon 2+2+2")
    assert result.code == 0, result.err
    out = " ".join(result.out.split())
    assert "30 mg tablets: morning 2, midday 2, evening 2" in out
    assert "morning 1000 mg, midday 1000 mg, evening 1000 mg; 3000 mg a day" in out
    assert "label: at most 1000 mg a dose and 4000 mg a day" in out
    data = json.loads(run_cli("convert", "-g", "se-vgr", "-m", "Citodon 2+2+2", "-f", "json").out)
    (item,) = data["items"]
    assert item["tablets"]["strength_from_rule_file"] is True
    assert item["ingredients"][0]["per_day"] == "3000"
    assert item["ingredients"][0]["above_label"] == []


def test_issue12_plan_keeps_the_times_and_says_the_paracetamol() -> None:
    g = load_guideline("se-vgr")
    plan = make_plan(
        [parse_medication("Citodon 2+2+2", g.guideline)], g, PlanOptions(start=START, lang="en")
    )
    mapping = next(s for s in plan.steps if s.phase == "mapping")
    assert [(d.time, d.amount) for d in mapping.doses] == [
        ("morning", D(60)),
        ("midday", D(60)),
        ("evening", D(60)),
    ]
    fixed = next(s for s in plan.steps if s.phase == "stabilisation")
    assert [(d.time, d.amount) for d in fixed.doses] == [
        ("morning", D(60)),
        ("midday", D(60)),
        ("evening", D(60)),
    ]
    said = {w.code: w.message for w in plan.warnings}
    assert (
        "1000 mg paracetamol at one dose time and 3000 mg a day" in said["combination-as-written"]
    )
    assert "the only strength rule file se-vgr lists" in said["strength-looked-up"]


@pytest.mark.parametrize(
    ("gid", "text", "part"),
    [
        # a strength that is not the product's: its paracetamol would be a guess
        ("se-vgr", "Citodon 20 mg 1+1+1", "is 30 mg codeine a tablet in rule file se-vgr"),
        # mg per time that is no whole or half tablet
        ("se-vgr", "Citodon 10+10+10 mg", "not a whole or half Citodon tablet"),
    ],
)
def test_issue12_combination_doses_that_are_no_tablets_are_refused(  # type: ignore[no-untyped-def]
    run_cli, gid: str, text: str, part: str
) -> None:
    result = run_cli("convert", "-g", gid, "-m", text)
    assert result.code == 2
    assert part in result.err
    assert result.err.count("\n") == 1


# --- a brand's one strength --------------------------------------------------------------------


def test_issue12_brand_with_one_strength_is_read_and_said(run_cli) -> None:  # type: ignore[no-untyped-def]
    med = parse_medication("Temesta 1+1+1", _guideline("se-vgr"))
    assert (med.dose.amount, med.strength, med.strength_looked_up) == (D(3), D(1), True)
    result = run_cli("convert", "-g", "se-vgr", "-m", "Temesta 1+1+1")
    assert result.code == 0, result.err
    assert "read as Temesta 1 mg tablets, the only strength rule file se-vgr lists" in " ".join(
        result.out.split()
    )


@pytest.mark.parametrize(
    ("gid", "text", "question"),
    [
        (
            "se-vgr",
            "Sobril 1+1+2",
            "Sobril comes as 5, 10 and 15 mg in rule file se-vgr; which strength are the tablets? "
            "Write it before the tablets, e.g. 'Sobril 5 mg 1+1+2' for 5 mg tablets.",
        ),
        # the brand's family: Apodorm is also "Apodorm 2,5 mg"
        ("no-helsedir", "Apodorm 1+1", "Apodorm comes as 2.5 and 5 mg"),
        # a name the formulary also has as a solution: counts could be ml
        ("se-vgr", "Morfin Meda 1+1+1", "tablets or mg?"),
        # a generic name is never a brand (uk-ashton's "Lorazepam (Rivopharm)")
        ("uk-ashton", "lorazepam 1+1+1", "tablets or mg?"),
        ("se-vgr", "Sobril 2 tabletter 3 gånger dagligen", "Sobril comes as 5, 10 and 15 mg"),
    ],
)
def test_issue12_brand_with_several_strengths_asks_which(  # type: ignore[no-untyped-def]
    run_cli, gid: str, text: str, question: str
) -> None:
    result = run_cli("convert", "-g", gid, "-m", text)
    assert result.code == 2
    assert question in result.err
    assert result.err.count("\n") == 1
    assert "?" in result.err


def test_issue12_without_a_rule_file_counts_still_ask() -> None:
    # `compare` and other rule-file-free readers: the strength cannot be looked up.
    with pytest.raises(TaperError, match="tablets or mg"):
        parse_medication("Citodon 2+2+2+2")
    with pytest.raises(TaperError, match="Which strength are the Sobril tablets"):
        parse_medication("Sobril 2 tabl x 3")


def test_issue12_batch_rows_read_brand_counts(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = tmp_path / "list.csv"
    rows.write_text(
        "patient_id;guideline;start;medication\nP1;se-vgr;2027-01-04;Citodon 2+2+2\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = run_cli("batch", str(rows), "--out-dir", str(out), "--format", "json")
    assert result.code == 0, result.err
    data = json.loads((out / "P1.json").read_text(encoding="utf-8"))
    assert any(w["code"] == "combination-as-written" for w in data["warnings"])


def test_issue12_product_names_name_one_drug(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    source = Path(__file__).resolve().parents[1] / "guidelines" / "us-cdc-2022.yaml"
    text = source.read_text(encoding="utf-8").replace(
        'names: ["Tylenol with codeine #3", "Tylenol #3"]', "names: [Ultram]"
    )
    assert "names: [Ultram]" in text
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    result = run_cli("guidelines", "validate", str(bad))
    assert result.code != 0
    assert "name 'Ultram' is already used by tramadol" in result.out + result.err


# --- properties --------------------------------------------------------------------------------

_COUNTS = st.sampled_from(["0", "½", "1", "1½", "2", "0,5", "1/2", "3"])
_VALUE: dict[str, int | Fraction] = {
    "0": 0, "½": Fraction(1, 2), "1": 1, "1½": Fraction(3, 2), "2": 2, "0,5": Fraction(1, 2),
    "1/2": Fraction(1, 2), "3": 3}  # fmt: skip
_PRODUCTS = [
    ("se-vgr", "Citodon", 30, 500, 2, 8),
    ("no-helsedir", "Paralgin forte", 30, 400, 2, 8),
    ("us-cdc-2022", "Tylenol with codeine #3", 30, 300, 2, 12),
]


@settings(max_examples=150, deadline=None)
@given(
    product=st.sampled_from(_PRODUCTS),
    counts=st.lists(_COUNTS, min_size=2, max_size=4),
    spaced=st.booleans(),
)
def test_any_per_time_input_of_a_combination_gives_exact_ingredient_totals(
    product: tuple[str, str, int, int, int, int], counts: list[str], spaced: bool
) -> None:
    gid, brand, codeine, paracetamol, per_dose, per_day = product
    values = [Fraction(_VALUE[c]) for c in counts]
    if not any(values):
        return
    text = f"{brand} {(' + ' if spaced else '+').join(counts)}"
    item, result = _item(gid, text)
    names = POSITIONS[len(counts)]
    kept = [(n, v) for n, v in zip(names, values, strict=True) if v]
    assert item.amount == sum(v * codeine for v in values)
    assert [n for n, _ in item.medication.times] == [n for n, _ in kept]
    (intake,) = item.ingredients
    assert [(n, Fraction(a)) for n, a in intake.per_time] == [(n, v * paracetamol) for n, v in kept]
    assert Fraction(intake.per_day or 0) == sum(values) * paracetamol
    above = (
        max(values) > per_dose
        or sum(values) > per_day
        or max(values) * paracetamol > 1000
        or sum(values) * paracetamol > 4000
    )
    assert bool(intake.over) == above
    assert any(w.code == "ingredient-above-label" for w in result.warnings) == above


_PIECES = st.sampled_from(
    ["2", "1", "0", "½", "1/2", "0,5", "1,500", "+", " + ", "x", "×", "mg", " mg", "30", "tabl",
     " tabletter", " 3 gånger dagligen", "every", "6", "hours", "as needed", ",", " ", ".", "-"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=8))
def test_generated_brand_lines_never_crash_and_never_misread_a_number(pieces: list[str]) -> None:
    g = _guideline("se-vgr")
    text = "Citodon " + "".join(pieces)
    refusal = ""
    try:
        item = equivalents([parse_medication(text, g)], g).items[0]
    except TaperError as exc:
        refusal = str(exc) or "?"
    if refusal:
        assert "\n" not in refusal  # one sentence
        return
    med = item.medication
    assert med.dose.amount > 0
    assert "1,500" not in text or med.dose.amount not in (D(1500), D("1.5"))
    if med.times:
        assert sum((a for _, a in med.times), D(0)) == med.dose.amount
    for intake in item.ingredients:  # the paracetamol is the codeine's tablets, exactly
        if intake.per_day is not None:
            assert Fraction(intake.per_day) == Fraction(med.dose.amount) / 30 * 500


def test_brand_strength_of_a_generic_name_is_not_looked_up() -> None:
    assert brand_strength("oxazepam", "1+1+2", _guideline("se-vgr")) is None
