"""Regression tests for the formulary gaps closed in the shipped rule files.

Fentanyl patches in se-vgr and no-helsedir, the 12 mcg/h patch in us-cdc-2022, methadone tablets
in se-vgr and no-helsedir (a specialist's taper in methadone's own milligrams, never converted)
and clonazepam tablets in uk-ashton. Each test reads a plan as a clinician would: which doses it
steps through, from which products, and what it says about what it could not do.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from conftest import CliResult

Run = Callable[..., CliResult]


def _plan(run_cli: Run, *args: str) -> dict[str, Any]:
    result = run_cli("plan", *args, "--start", "2027-01-04", "-f", "json")
    assert result.code == 0, result.err
    data: dict[str, Any] = json.loads(result.out)
    return data


def _taper_doses(data: dict[str, Any]) -> list[Decimal]:
    """The distinct doses of the taper phase, in order, then the dose after it."""
    doses: list[Decimal] = []
    for step in data["steps"]:
        if step["phase"] in ("stabilisation", "taper", "aftercare"):
            dose = Decimal(step["dose"])
            if not doses or doses[-1] != dose:
                doses.append(dose)
    return doses


@pytest.mark.parametrize("guideline", ["us-cdc-2022", "se-vgr"])
def test_a_25_mcg_h_patch_steps_to_12_then_stops(run_cli: Run, guideline: str) -> None:
    data = _plan(run_cli, "-g", guideline, "-m", "fentanyl patch 25 mcg/h")
    assert _taper_doses(data) == [Decimal(25), Decimal(12), Decimal(0)]


def test_the_fas_ut_fentanyl_row_is_reproduced_under_no_helsedir(run_cli: Run) -> None:
    # FAS UT (Norsk legemiddelhåndbok): 62 → 50 → 37 → 25 → 12 µg/h, then stop.
    data = _plan(run_cli, "-g", "no-helsedir", "-m", "fentanyl 62 mcg/h")
    assert _taper_doses(data) == [Decimal(n) for n in (62, 50, 37, 25, 12, 0)]


def test_patches_are_whole_and_never_cut(run_cli: Run) -> None:
    for guideline, dose in (("se-vgr", "37"), ("no-helsedir", "62"), ("us-cdc-2022", "75")):
        data = _plan(run_cli, "-g", guideline, "-m", f"fentanyl {dose} mcg/h")
        patches = [
            tablet
            for step in data["steps"]
            for at_time in step["doses"]
            for tablet in at_time["tablets"]
        ]
        assert patches, guideline
        for patch in patches:
            assert patch["unit"] == "mcg/h"
            assert Decimal(patch["count"]) == Decimal(patch["count"]).to_integral_value(), patch


@pytest.mark.parametrize("guideline", ["se-vgr", "no-helsedir"])
def test_methadone_is_tapered_in_its_own_mg_and_never_converted(
    run_cli: Run, guideline: str
) -> None:
    refused = run_cli("plan", "-g", guideline, "-m", "methadone 40 mg", "--start", "2027-01-04")
    assert refused.code == 2
    assert "specialist" in refused.err

    data = _plan(run_cli, "-g", guideline, "-m", "methadone 40 mg", "--specialist")
    doses = _taper_doses(data)
    assert doses[0] == 40
    assert doses[-1] == 0
    assert all(d % 5 == 0 for d in doses)  # whole 5 mg steps from the listed tablets
    assert all(a > b for a, b in itertools.pairwise(doses))
    # no morphine equivalent is made up for methadone
    converted = run_cli("convert", "-g", guideline, "-m", "methadone 40 mg", "-f", "json")
    assert converted.code == 0
    (item,) = json.loads(converted.out)["items"]
    assert item["equivalent"] is None
    assert "no-factor" in item["flags"]


@pytest.mark.parametrize("guideline", ["se-vgr", "no-helsedir"])
def test_no_opioid_is_switched_to_methadone(run_cli: Run, guideline: str) -> None:
    result = run_cli("convert", "-g", guideline, "-m", "oxycodone 20 mg", "--to", "methadone")
    assert result.code == 2
    assert "specialist" in result.err


def test_a_deregistered_methadone_product_is_never_used(run_cli: Run) -> None:
    data = _plan(run_cli, "-g", "se-vgr", "-m", "methadone 40 mg", "--specialist")
    assert "Metadon Abcur" not in json.dumps(data["steps"])


def test_uk_ashton_plans_clonazepam_from_uk_tablets(run_cli: Run) -> None:
    # Ashton switches clonazepam to diazepam by default (issue 12); declined here
    data = _plan(run_cli, "-g", "uk-ashton", "-m", "clonazepam 1 mg", "--no-switch")
    doses = _taper_doses(data)
    assert doses[0] == 1
    assert doses[-1] == 0
    assert doses[-2] <= Decimal("0.25")  # the scored tablets allow a small last step
    assert "Clonazepam Auden" in json.dumps(data["steps"])
