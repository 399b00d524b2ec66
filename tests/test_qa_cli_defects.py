"""QA regression tests: convert, referral and rule-file defects found on the real CLI.

A test marked `xfail(strict=True)` documents a bug that is not fixed yet; the fix turns it
into an unexpected pass, and the marker must then be removed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from conftest import GUIDELINES, CliResult

Run = Callable[..., CliResult]


def _copy_with(tmp_path: Path, old: str, new: str) -> Path:
    text = (GUIDELINES / "se-vgr.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "se-vgr.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


# --- convert --to --------------------------------------------------------------------------


def test_switch_reduction_spares_the_part_already_of_the_target(run_cli: Run) -> None:
    result = run_cli(
        "convert",
        "-g",
        "se-vgr",
        "-m",
        "oxycodone 40 mg",
        "-m",
        "morphine 60 mg",
        "--to",
        "oxycodone",
        "-f",
        "json",
    )
    assert result.code == 0, result.err
    target = json.loads(result.out)["target"]
    assert Decimal(target["reduced_dose"]) >= Decimal(40)


# --- incomplete totals are not zero ----------------------------------------------------------


def test_referral_summary_never_shows_an_incomplete_total_as_zero(run_cli: Run) -> None:
    result = run_cli(
        "referral", "-g", "se-vgr", "-m", "methadone 40 mg", "--today", "2027-01-04", "--lang", "en"
    )
    assert result.code == 0, result.err
    assert "Total opioids: 0 mg" not in result.out


# --- rule files that validate but break the planner ----------------------------------------


def test_a_valid_rule_file_never_crashes_the_planner(run_cli: Run, tmp_path: Path) -> None:
    path = _copy_with(
        tmp_path, "    doses_per_day: 2\n    phases:", "    doses_per_day: 9\n    phases:"
    )
    validated = run_cli("guidelines", "validate", str(path))
    if validated.code == 1:
        return  # the validator refusing the file is a fix too
    planned = run_cli(
        "plan", "-g", str(path), "-m", "oxazepam 30 mg", "--start", "2027-01-04", "-f", "json"
    )
    assert "internal error" not in planned.err


def test_a_slow_down_faster_than_the_rule_is_reported(run_cli: Run, tmp_path: Path) -> None:
    path = _copy_with(
        tmp_path,
        "      below_percent_of_start: 25\n      percent: 10\n      interval_days: 21",
        "      below_percent_of_start: 25\n      percent: 50\n      interval_days: 3",
    )
    result = run_cli("guidelines", "validate", str(path), "--format", "parsable")
    assert "slow" in result.out.lower()


# --- bad input -----------------------------------------------------------------------------


def test_a_far_future_start_is_a_clear_error(run_cli: Run) -> None:
    result = run_cli(
        "plan", "-g", "se-vgr", "-m", "oxazepam 10 mg", "--start", "9999-12-25", "-f", "json"
    )
    assert result.code == 2
    assert "internal error" not in result.err


def test_refusal_does_not_advise_the_option_already_given(run_cli: Run) -> None:
    result = run_cli(
        "plan",
        "-g",
        "uk-ashton",
        "-m",
        "clonazepam 2 mg",
        "--switch",
        "--start",
        "2027-01-04",
        "-f",
        "json",
    )
    assert result.code in (0, 2)
    assert "(--switch)" not in result.err
