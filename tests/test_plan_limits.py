"""Regression tests: plan dates and doses outside what a plan can sensibly hold are refused
with one sentence (exit 2), never an internal error."""

from __future__ import annotations

from collections.abc import Callable

from conftest import CliResult

Run = Callable[..., CliResult]


def test_a_start_before_1900_is_refused(run_cli: Run) -> None:
    result = run_cli(
        "plan", "-g", "se-vgr", "-m", "oxazepam 10 mg", "--start", "1899-12-31", "-f", "json"
    )
    assert result.code == 2
    assert result.out == ""
    assert "--start 1899-12-31 is outside the dates plans support" in result.err


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
    assert "plausibility limit of 20" in result.err


def test_two_pauses_on_one_step_cannot_exceed_the_rules_maximum(run_cli: Run) -> None:
    result = run_cli(
        "plan", "-g", "se-vgr", "-m", "oxazepam 30 mg", "--start", "2027-01-04",
        "--pause", "2027-03-01:28", "--pause", "2027-03-02:28", "-f", "json",
    )  # fmt: skip
    assert result.code == 2
    assert "56 pause days on one step" in result.err
    assert "at most 28 days per step" in result.err
