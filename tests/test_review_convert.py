"""Clinician review (helper-notes/clinician-review.md), "taper convert" table and prioritised
defect 15: four edits to `taper convert`, each pinned here by its review item.

(a) Butrans/Norspan are pain patches, not opioid substitution (the plan already knew);
(b) a switch to a fentanyl patch names a patch dose the formulary can dispense, at or below
    the calculated one, and how far it was rounded down (20.83 mcg/h cannot be dispensed);
(c) methadone shows the range CDC 2016 and CDC 2022 span (1.7x at 21-40 mg) and says that
    conversion from methadone is poorly studied, with its source;
(d) "no total" says why: the rule file has no factor for the drug.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal

import pytest
from conftest import CliResult

from taper.dose import parse_medication
from taper.equivalence import equivalents, to_target
from taper.guideline.loader import load_guideline


def _codes(gid: str, med: str) -> dict[str, str]:
    found = equivalents([parse_medication(med)], load_guideline(gid).guideline).warnings
    return {w.code: w.severity for w in found}


@pytest.mark.parametrize(
    ("gid", "med"),
    [("us-cdc-2022", "Butrans 10 mcg/h"), ("se-vgr", "Norspan 10 mcg/h")],
)
def test_review_convert_a_buprenorphine_pain_patch_is_not_opioid_substitution(
    gid: str, med: str
) -> None:
    codes = _codes(gid, med)
    assert "substitution-drug" not in codes  # was HIGH: "a taper needs specialist sign-off"
    assert codes["pain-product"] == "info"


def test_review_convert_a_sublingual_buprenorphine_is_still_substitution() -> None:
    assert _codes("se-vgr", "buprenorphine 8 mg")["substitution-drug"] == "high"


def test_review_convert_a_plan_and_convert_share_the_pain_product_notion(run_cli) -> None:  # type: ignore[no-untyped-def]
    # The plan for Butrans needs no specialist (R26), and convert now agrees.
    plan = run_cli("plan", "-g", "us-cdc-2022", "-m", "Butrans 10 mcg/h", "--start", "2027-01-11")
    assert plan.code == 0
    convert = run_cli("convert", "-g", "us-cdc-2022", "-m", "Butrans 10 mcg/h")
    assert "opioid-substitution drug" not in convert.out
    assert "[pain-product]" in convert.out


def test_review_convert_b_oxycodone_to_fentanyl_names_a_dispensable_patch(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("convert", "-g", "se-vgr", "-m", "oxycodone 40 mg", "--to", "fentanyl patch")
    assert result.code == 0
    flat = " ".join(result.out.split())
    assert "switching 50 % cross-tolerance reduction: 20.83 mcg/h fentanyl" in flat
    assert "dispense 12 mcg/h (1 × Fentanyl Sandoz 12 mcg/h): rounded down by 8.83 mcg/h" in flat
    data = json.loads(
        run_cli(
            "convert",
            "-g",
            "se-vgr",
            "-m",
            "oxycodone 40 mg",
            "--to",
            "fentanyl patch",
            "--format",
            "json",
        ).out
    )
    assert data["target"]["dispensable"] == {
        "dose": "12",
        "patches": "1 × Fentanyl Sandoz 12 mcg/h",
        "rounded_down_by": "8.83",
    }


@pytest.mark.parametrize("oxycodone", [10, 20, 40, 60, 80, 120, 200])
def test_review_convert_b_dispensable_patch_is_never_above_the_start(oxycodone: int) -> None:
    g = load_guideline("se-vgr").guideline
    total = equivalents([parse_medication(f"oxycodone {oxycodone} mg")], g).totals[0]
    target = to_target(total, "fentanyl patch", g)
    assert target.dispensable is not None
    assert target.reduced_dose is not None
    assert target.dispensable.dose <= target.reduced_dose
    strengths = {Decimal(12), Decimal(25), Decimal(50), Decimal(75), Decimal(100)}
    if target.dispensable.dose:
        # The next patch step up would be above the start: it is the nearest at or below.
        assert target.dispensable.dose + min(strengths) > target.reduced_dose
    else:
        assert target.reduced_dose < min(strengths)


def test_review_convert_c_methadone_shows_the_cdc_range_and_says_from_is_poorly_studied(
    run_cli: Callable[..., CliResult],
) -> None:
    result = run_cli(
        "convert",
        "-g",
        "us-cdc-2022",
        "-m",
        "methadone 30 mg",
        "--to",
        "oxycodone",
        "--specialist",
    )
    assert result.code == 0
    flat = " ".join(result.out.split())
    assert "range 141–240 mg/day oral morphine" in flat  # 4.7 (2022) to 8 (2016, 21-40 mg)
    assert "range from cdc-2016" in flat
    assert "Conversion from methadone to another opioid is poorly studied" in flat
    assert "walker-2008" in flat
    assert "range —" not in flat


@pytest.mark.parametrize(
    ("dose", "low", "high"), [("10", "40", "47"), ("50", "235", "500"), ("80", "376", "960")]
)
def test_review_convert_c_methadone_range_follows_the_2016_tier(
    dose: str, low: str, high: str
) -> None:
    g = load_guideline("us-cdc-2022").guideline
    item = equivalents([parse_medication(f"methadone {dose} mg")], g).items[0]
    assert item.equivalent == Decimal(dose) * Decimal("4.7")
    assert item.range == (Decimal(low), Decimal(high))


def test_review_convert_d_no_total_says_why(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli(
        "convert",
        "-g",
        "no-helsedir",
        "-m",
        "methadone 60 mg",
        "--to",
        "oxycodone",
        "--specialist",
    )
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert "no factor could be determined for methadone 60 mg in this rule file" in result.err
