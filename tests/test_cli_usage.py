"""Usage errors (unknown option, missing value, ...) are one sentence from taper, exit code 2.

typer's own form (a usage line, "Try ... --help" and a rich box) must not come back, on any
command or subcommand; --help, --version and the bare command keep their output and codes.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import typer
from conftest import CliResult
from typer._click import exceptions as click_errors

from taper.cli import main
from taper.cli.usage import shown, usage_sentence

Run = Callable[..., CliResult]

CASES = [
    (
        ["plan", "--bogus"],
        "taper: No such option --bogus; see 'taper plan --help'.",
    ),
    (
        ["plan", "--specalist"],
        "taper: No such option --specalist (did you mean --specialist?); see 'taper plan --help'.",
    ),
    (
        ["guidelines", "validate", "--bogus"],
        "taper: No such option --bogus; see 'taper guidelines validate --help'.",
    ),
    (["--bogus"], "taper: No such option --bogus; see 'taper --help'."),
    (["plan", "-x"], "taper: No such option -x; see 'taper plan --help'."),
    (
        ["plan", "-g", "se-vgr", "--out"],
        "taper: Option --out needs a value; see 'taper plan --help'.",
    ),
    (
        ["--debug", "guidelines", "list", "--format"],
        "taper: Option --format needs a value; see 'taper guidelines list --help'.",
    ),
    (
        ["plan", "--switch=yes"],
        "taper: Option --switch takes no value; see 'taper plan --help'.",
    ),
    (["plan"], "taper: Missing option --guideline; see 'taper plan --help'."),
    (["batch"], "taper: Missing argument FILE; see 'taper batch --help'."),
    (
        ["guidelines", "validate"],
        "taper: Missing argument PATHS; see 'taper guidelines validate --help'.",
    ),
    (
        ["referral", "-g", "se-vgr", "-m", "oxazepam 10 mg", "--format", "xml"],
        "taper: Invalid value for --format: 'xml' is not one of 'text', 'json'; "
        "see 'taper referral --help'.",
    ),
    (
        ["plan", "-g", "se-vgr", "-m", "oxazepam", "25", "mg"],
        "taper: Unexpected extra argument(s) '25 mg' (quote values that contain spaces); "
        "see 'taper plan --help'.",
    ),
    (
        ["plna"],
        "taper: No such command 'plna' (did you mean 'plan'?); see 'taper --help'.",
    ),
    (
        ["guidelines", "vaildate"],
        "taper: No such command 'vaildate' (did you mean 'validate'?); "
        "see 'taper guidelines --help'.",
    ),
    (["frobnicate"], "taper: No such command 'frobnicate'; see 'taper --help'."),
    (["--debug"], "taper: Missing command; see 'taper --help'."),
]


@pytest.mark.parametrize(("argv", "message"), CASES, ids=[" ".join(a) for a, _ in CASES])
def test_usage_error_is_one_sentence_with_exit_code_2(
    run_cli: Run, argv: list[str], message: str
) -> None:
    result = run_cli(*argv)
    assert (result.code, result.out, result.err) == (2, "", message + "\n")


def test_a_huge_or_odd_word_is_cut_and_quoted(run_cli: Run) -> None:
    result = run_cli("plan", "--" + "x" * 5000)
    assert result.code == 2
    assert result.err == f"taper: No such option {'--' + 'x' * 58}…; see 'taper plan --help'.\n"
    result = run_cli("plan", "--a\nb")
    assert result.err == "taper: No such option '--a\\nb'; see 'taper plan --help'.\n"
    assert shown("a b") == "'a b'"
    assert shown("") == "''"


def test_help_and_version_are_unchanged(run_cli: Run) -> None:
    for argv in (["--help"], ["plan", "--help"], ["guidelines", "validate", "--help"]):
        result = run_cli(*argv)
        assert result.code == 0, argv
        assert "Usage: " in result.out
        assert result.err == ""
    result = run_cli("--version")
    assert result.code == 0
    assert result.out.startswith("taper ")
    assert result.err == ""


@pytest.mark.parametrize("argv", [[], ["guidelines"]])
def test_a_group_without_command_shows_its_help_with_exit_code_2(
    run_cli: Run, argv: list[str]
) -> None:
    result = run_cli(*argv)
    assert result.code == 2
    assert "Usage: " in result.out
    assert result.err == ""


def test_exit_codes_of_commands_pass_through(run_cli: Run) -> None:
    assert run_cli("guidelines", "validate", "se-vgr").code == 0
    assert run_cli("schema", "plan").code == 0


def test_bad_numbers_from_typer_are_said_plainly() -> None:
    """taper has no int options today; a new one must still read well."""
    tiny = typer.Typer()

    @tiny.command()
    def count(n: int = typer.Option(1, "--count"), ratio: float = typer.Option(1.0)) -> None:
        """Stand-in."""

    @tiny.command()
    def other() -> None:
        """Makes `tiny` a group, like taper."""

    root = typer.main.get_command(tiny)
    said = []
    for argv in (["count", "--count", "x"], ["count", "--ratio", "y"]):
        with pytest.raises(click_errors.BadParameter) as caught:
            tiny(args=argv, standalone_mode=False)
        said.append(usage_sentence(caught.value, argv, root))
    assert said == [
        "taper: Invalid value for --count: must be a whole number; see 'taper count --help'.",
        "taper: Invalid value for --ratio: must be a number; see 'taper count --help'.",
    ]


def test_main_exits_with_the_code_of_the_run(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["guidelines", "list"])
    assert caught.value.code == 0
    assert "se-vgr" in capsys.readouterr().out
