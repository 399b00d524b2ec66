"""Findings of the code review of 2026-11-23, pinned as named regression tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from taper.dose import parse_medication
from taper.equivalence import compare, resolve_medication
from taper.errors import TaperError
from taper.guideline.loader import load_builtin, load_guideline
from taper.guideline.registry import builtin_ids
from taper.plan import PlanOptions, make_plan

ROOT = Path(__file__).resolve().parent.parent


def test_a_regional_patch_brand_in_mg_is_not_read_as_sublingual_tablets() -> None:
    """Butrans (a patch brand in us-cdc-2022) given in mg: se-vgr converts buprenorphine both
    as sublingual mg and as patches, so the mg dose must not be read as tablets (500 mg
    oral morphine), nor may the message tell the user to write 'buprenorphine 10 mg'."""
    se = load_builtin("se-vgr").guideline
    with pytest.raises(TaperError) as caught:
        resolve_medication(parse_medication("Butrans 10 mg"), se)
    message = str(caught.value)
    assert "mcg/h" in message
    assert "sublingual 10 mg" in message  # the route word, never a bare mg dose
    assert "write 'buprenorphine 10 mg'" not in message


def test_compare_gives_no_number_for_a_patch_brand_of_unknown_form() -> None:
    guidelines = [load_builtin(g).guideline for g in builtin_ids()]
    # No rule file reads Butrans in mg (us-cdc-2022 lists it as a patch): refused, in mcg/h.
    with pytest.raises(TaperError, match="mcg/h"):
        compare([parse_medication("Butrans 10 mg")], guidelines)


def test_a_product_without_strengths_is_refused_by_the_validator(tmp_path: Path) -> None:
    """It crashed the brand-form check (IndexError) although the file validated."""
    text = (ROOT / "guidelines" / "se-vgr.yaml").read_text(encoding="utf-8")
    anchor = "  - drug: buprenorphine\n    brand: Subutex\n"
    assert anchor in text
    draft = tmp_path / "draft.yaml"
    draft.write_text(
        text.replace(
            anchor,
            "  - drug: oxycodone\n    brand: OxyNorm Liquid\n    form: oral-solution\n"
            "    strengths: []\n    source: fass-subutex\n" + anchor,
        ),
        encoding="utf-8",
    )
    with pytest.raises(TaperError, match="strengths"):
        load_guideline(str(draft))


def test_a_stop_from_the_patients_own_tablets_does_not_claim_the_depot_products_limit() -> None:
    loaded = load_builtin("us-cdc-2022")
    plan = make_plan(
        [parse_medication("oxycodone 0.5 mg")], loaded, PlanOptions(start=dt.date(2027, 1, 4))
    )
    stops = [w.message for w in plan.warnings if w.code == "stop-from-smallest-dose"]
    assert stops
    assert all("OxyContin" not in m for m in stops)


def test_the_once_a_day_warning_params_are_language_neutral(tmp_path: Path) -> None:
    text = (ROOT / "guidelines" / "se-vgr.yaml").read_text(encoding="utf-8")
    old = "strengths: [{amount: 5}, {amount: 10}, {amount: 30}, {amount: 60}, {amount: 100}"
    assert text.count(old) == 1
    draft = tmp_path / "draft.yaml"
    # Without its label interval (issue 15 refuses a depot dose below it), the old warning.
    interval = "    regimen: {interval_hours: 12, source: fass-dolcontin}\n"
    assert text.count(interval) == 1
    text = text.replace(interval, "")
    draft.write_text(text.replace(old, old.replace("[{amount: 5}", "[{amount: 2.5}, {amount: 5}")))
    loaded = load_guideline(str(draft))
    params = []
    for lang in ("sv", "nb", "en"):
        plan = make_plan(
            [parse_medication("morphine 2.5 mg")],
            loaded,
            PlanOptions(start=dt.date(2027, 1, 4), lang=lang),
        )
        params += [
            w.params["dose"] for w in plan.warnings if w.code == "modified-release-once-a-day"
        ]
    assert params == ["2.5", "2.5", "2.5"]
