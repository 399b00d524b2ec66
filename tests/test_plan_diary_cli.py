"""`taper plan --diary`: the intake-diary sheet for the mapping week."""

from __future__ import annotations

from collections.abc import Callable

from conftest import CliResult

Run = Callable[..., CliResult]
BASE = ("plan", "-g", "se-vgr", "-m", "oxazepam 25 mg", "--start", "2027-01-04")


def test_diary_html_is_a_printable_sheet_in_the_rule_files_language(run_cli: Run) -> None:
    result = run_cli(*BASE, "--diary", "--format", "html")
    assert result.code == 0, result.err
    assert result.err == ""
    assert result.out.startswith("<!DOCTYPE html>")
    assert '<html lang="sv">' in result.out


def test_diary_refuses_formats_that_are_not_printable(run_cli: Run) -> None:
    result = run_cli(*BASE, "--diary", "--format", "text")
    assert result.code == 2
    assert result.out == ""
    assert result.err == "taper: The intake diary is a printable sheet: use --format html or pdf.\n"


def test_replan_has_no_mapping_week_and_so_no_diary(run_cli: Run) -> None:
    result = run_cli(
        "plan", "-g", "se-vgr", "--current", "oxazepam 15 mg", "--on", "2027-06-02",
        "--diary", "--format", "html",
    )  # fmt: skip
    assert result.code == 2
    assert result.out == ""
    assert "no mapping phase" in result.err
