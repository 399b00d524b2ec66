"""Shared test helpers: run the real CLI entry point in-process and capture (code, out, err)."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from taper.cli import main

ROOT = Path(__file__).resolve().parent.parent
GUIDELINES = ROOT / "guidelines"


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    def run(*args: str) -> CliResult:
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


class Hang(BaseException):
    """A command gave no answer in time. A BaseException, so that `main()`'s handler for
    internal errors cannot turn it into an exit code."""


@contextlib.contextmanager
def hang_guard(seconds: int) -> Iterator[None]:
    """Raise `Hang` if the block runs longer than `seconds` (SIGALRM; Unix)."""

    def alarm(signum: int, frame: object) -> None:
        raise Hang(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    except Hang as exc:
        interrupted = exc
    else:
        return
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    # A fresh Hang without the interrupted frames (see tests/bounds_helpers.bounded: a frame
    # with no line number stopped pytest with an INTERNALERROR).
    raise Hang(str(interrupted)) from None
