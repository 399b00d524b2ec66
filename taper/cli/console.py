"""The one module that owns `rich` (enforced by ruff's banned-api rule).

Everything a command prints goes through here. Clinical output (plans, conversions) is plain,
deterministic text made by the renderers; rich only adds colour on a terminal and the batch
progress bar, never to files or pipes.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import BinaryIO, TextIO, TypeVar

from taper.errors import TaperError

T = TypeVar("T")


def out(text: str) -> None:
    """Write to stdout exactly as given (plus a final newline if missing).

    A full disk or a closed file behind stdout is the user's setup, not a bug: one sentence,
    exit 2. A closed pipe (`taper ... | head`) is left to typer, which exits quietly.
    """
    stream = _stdout()
    text = text if text.endswith("\n") else text + "\n"
    text = _encodable(text, stream)
    with stdout_errors():
        stream.write(text)
        stream.flush()


def binary_stdout() -> BinaryIO:
    """stdout for bytes (`batch --format jsonl --out -`); write it within `stdout_errors`."""
    return _stdout().buffer


def _stdout() -> TextIO:
    if sys.stdout is None:  # started with stdout closed (`taper ... >&-`)
        raise TaperError("Cannot write the output: stdout is closed.")
    return sys.stdout


@contextmanager
def stdout_errors() -> Iterator[None]:
    """A write to stdout that fails (a full disk, a closed file) ends in one sentence, exit 2,
    never an internal error; a closed pipe (`taper ... | head`) is left to typer, which exits
    quietly."""
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as exc:
        _drop_stdout()
        raise TaperError(f"Cannot write the output to stdout: {exc.strerror}.") from None


def _encodable(text: str, stream: object) -> str:
    """`text`, with the characters `stream`'s encoding cannot hold as \\u escapes (and one
    warning saying which encoding to set): a plan printed with PYTHONIOENCODING=ascii or on
    a Latin-1 terminal was an internal error, and half a plan could have been printed."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
        return text
    except UnicodeEncodeError:
        warn(
            f"taper: the output's encoding ({encoding}) cannot show every character, so some "
            "are written as \\u escapes; set PYTHONIOENCODING=utf-8 (or a UTF-8 terminal), or "
            "write a file with --out."
        )
        return text.encode(encoding, "backslashreplace").decode(encoding)
    except LookupError:  # an encoding Python does not know: leave it to the stream
        return text


def _drop_stdout() -> None:
    """Point stdout at nothing, so the exit does not try (and fail) to flush it again."""
    try:
        devnull = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives until exit
    except OSError:
        return
    sys.stdout = devnull


def err(text: str) -> None:
    """One clear sentence on stderr; coloured red when stderr is a terminal."""
    if sys.stderr is None:  # started with stderr closed: the exit code has to say it
        return
    if sys.stderr.isatty():
        from rich.console import Console

        Console(stderr=True, highlight=False).print(text, style="bold red", markup=False)
    else:
        sys.stderr.write(text + "\n")
        sys.stderr.flush()


def warn(text: str) -> None:
    if sys.stderr is None:
        return
    if sys.stderr.isatty():
        from rich.console import Console

        Console(stderr=True, highlight=False).print(text, style="yellow", markup=False)
    else:
        sys.stderr.write(text + "\n")


@contextmanager
def progress(items: Iterable[T], total: int, label: str) -> Iterator[Iterable[T]]:
    """A progress bar on stderr for long runs on a terminal; silent otherwise."""
    if not sys.stderr.isatty() or total < 50:
        yield items
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task(label, total=total)

        def advance() -> Iterator[T]:
            for item in items:
                yield item
                bar.advance(task)

        yield advance()
