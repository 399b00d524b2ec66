"""The command line: thin typer wrappers over library calls. Only this package prints."""

from __future__ import annotations

import sys

import typer
import typer.main
from typer._click.exceptions import ClickException, NoArgsIsHelpError

from taper import __version__
from taper.cli import console
from taper.errors import TaperError

app = typer.Typer(
    name="taper",
    help="Tapering plans for benzodiazepine, z-drug and opioid withdrawal (TUB model), "
    "from regional guideline rule files.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # patient data must never appear in a traceback
    pretty_exceptions_enable=False,
    add_completion=False,
)

_DEBUG = {"on": False}


def _version(value: bool) -> None:
    if value:
        console.out(f"taper {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
    debug: bool = typer.Option(False, "--debug", help="Show a traceback on internal errors."),
) -> None:
    _DEBUG["on"] = debug


def _register() -> None:
    from taper.cli import batch, convert, guidelines, plan, referral, schema

    app.add_typer(guidelines.app, name="guidelines")
    app.command("convert")(convert.convert)
    app.command("compare")(convert.compare)
    app.command("plan")(plan.plan)
    app.command("referral")(referral.referral)
    app.command("batch")(batch.batch)
    app.command("schema")(schema.schema)


_register()


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; map every failure to the exit-code contract (0 ok, 1 findings, 2 bad input)."""
    args = list(argv if argv is not None else sys.argv[1:])
    if "--debug" in args:
        _DEBUG["on"] = True
    from taper.cli.interrupts import Interrupted, check, handled

    try:
        with handled():
            code = _run(args)
            check()  # a signal whose exception was swallowed on the way
    except Interrupted as exc:
        console.err(exc.sentence())
        sys.exit(exc.exit_code)
    sys.exit(code)


def _run(args: list[str]) -> int:
    """One command; every failure but an interrupt becomes its exit code and one sentence."""
    try:
        # Not standalone: usage errors come back as exceptions, said below in one line instead
        # of typer's usage block and rich box. --help, --version and typer.Exit(n) return n.
        code = app(args=args, standalone_mode=False)
    except NoArgsIsHelpError as exc:  # `taper` or `taper guidelines` alone: the help, exit 2
        if exc.format_message().strip():  # typer without rich returns it instead of printing
            exc.show()
        sys.exit(2)
    except ClickException as exc:
        from taper.cli.usage import usage_sentence

        console.err(usage_sentence(exc, args, typer.main.get_command(app)))
        sys.exit(2)
    except typer.Abort:
        console.err("taper: aborted.")
        sys.exit(1)
    except TaperError as exc:
        console.err(f"taper: {exc}")
        sys.exit(2)
    except KeyboardInterrupt:  # outside the handlers (another thread): as SIGINT
        from taper.cli.interrupts import Interrupted

        raise Interrupted(2) from None
    except SystemExit:
        raise
    except Exception as exc:
        if _DEBUG["on"]:
            raise
        console.err(
            f"taper: internal error ({type(exc).__name__}); nothing was written. "
            "Rerun with --debug for details and report it."
        )
        sys.exit(2)
    return code if isinstance(code, int) else 0
