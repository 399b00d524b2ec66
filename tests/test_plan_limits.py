"""Regression tests: plan dates and doses outside what a plan can sensibly hold are refused
with one sentence (exit 2), never an internal error."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from conftest import CliResult

Run = Callable[..., CliResult]

GUIDELINES = Path(__file__).resolve().parent.parent / "guidelines"


def test_a_start_before_1900_is_refused(run_cli: Run) -> None:
    result = run_cli(
        "plan", "-g", "se-vgr", "-m", "oxazepam 10 mg", "--start", "1899-12-31", "-f", "json"
    )
    assert result.code == 2
    assert result.out == ""
    assert "--start 1899-12-31 is outside the dates plans support" in result.err


def test_a_replan_on_a_day_outside_the_range_names_on_not_start(run_cli: Run) -> None:
    result = run_cli(
        "plan", "-g", "se-vgr", "--current", "oxazepam 10 mg", "--on", "9999-12-31", "-f", "json"
    )
    assert result.code == 2
    assert result.out == ""
    assert result.err.startswith("taper: --on 9999-12-31 is outside the dates plans support")
    assert "--start" not in result.err


def test_a_plan_running_past_the_year_9000_is_refused(run_cli: Run) -> None:
    result = run_cli(
        "plan", "-g", "se-vgr", "-m", "oxazepam 10 mg", "--start", "8999-06-01", "-f", "json"
    )
    assert result.code == 2
    assert "would run past the year 9000" in result.err
    assert "internal error" not in result.err


def test_a_dose_needing_more_than_20_tablets_at_a_time_is_refused(run_cli: Run) -> None:
    result = run_cli(
        "plan", "-g", "se-vgr", "-m", "oxazepam 4999 mg", "--start", "2027-01-04", "-f", "json"
    )
    assert result.code == 2
    assert result.out == ""
    assert "more than 20 tablets at one dose time (this tool's plausibility limit)" in result.err


def test_two_pauses_on_one_step_cannot_exceed_the_rules_maximum(run_cli: Run) -> None:
    result = run_cli(
        "plan", "-g", "se-vgr", "-m", "oxazepam 30 mg", "--start", "2027-01-04",
        "--pause", "2027-03-01:28", "--pause", "2027-03-02:28", "-f", "json",
    )  # fmt: skip
    assert result.code == 2
    assert "56 pause days on one step" in result.err
    assert "at most 28 days per step" in result.err


# --- forced large cuts: held longer before, warned high -------------------------------------


def test_a_patch_that_stops_from_its_only_strength_above_the_stop_dose_is_refused(
    run_cli: Run, tmp_path: Path
) -> None:
    # The shipped us-cdc-2022 now lists a 12 mcg/h patch; a draft without it keeps 25 mcg/h
    # as the smallest patch, the case this test is about.
    shipped = (GUIDELINES / "us-cdc-2022.yaml").read_text(encoding="utf-8")
    with_12 = "strengths: [{amount: 12}, {amount: 25}, {amount: 50}, {amount: 75}, {amount: 100}]"
    assert shipped.count(with_12) == 1
    draft = tmp_path / "us-cdc-2022.yaml"
    draft.write_text(shipped.replace(with_12, with_12.replace("{amount: 12}, ", "")), "utf-8")
    result = run_cli(
        "plan", "-g", str(draft), "-m", "fentanyl patch 25 mcg/h", "--start", "2027-01-04",
        "-f", "json",
    )  # fmt: skip
    # Issue 15: 25 mcg/h is above the rule's stop dose (12 mcg/h): refused, naming the need.
    assert result.code == 2
    assert "the prescriber would need a fentanyl patch smaller than the formulary's" in result.err


def test_the_chosen_percent_is_named_in_the_tablet_warning(run_cli: Run) -> None:
    result = run_cli(
        "plan", "-g", "se-vgr", "-m", "oxazepam 30 mg", "--start", "2027-01-04",
        "--percent", "5", "-f", "json",
    )  # fmt: skip
    assert result.code == 0
    data = json.loads(result.out)
    warning = next(w for w in data["warnings"] if w["code"] == "tablet-limited")
    assert warning["severity"] == "high"
    assert "the chosen --percent 5" in warning["message"]
