"""`taper batch`: plans for a clinic's list of patients, one file each, and a summary CSV."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import typer

from taper.cli import console
from taper.cli.plan import FORMATS as FORMATS
from taper.cli.plan import LANGS as LANGUAGES
from taper.errors import TaperError

# jsonl is the batch's own: every patient's plan JSON as one line of one stream (--out).
BATCH_FORMATS = (*FORMATS, "jsonl")


def _read_input(file: str) -> tuple[bytes, str]:
    from taper.guideline.loader import read_regular_file

    if file == "-":
        return sys.stdin.buffer.read(), "<stdin>"
    with _input_errors(file):
        return read_regular_file(Path(file)), file
    raise AssertionError("unreachable")  # pragma: no cover - _input_errors raises


@contextmanager
def _input_errors(file: str) -> Iterator[None]:
    """A batch file that cannot be read, as one sentence."""
    from taper.guideline.loader import NotARegularFile

    try:
        yield
    except FileNotFoundError:
        raise TaperError(f"Batch file {file} does not exist.") from None
    except IsADirectoryError:
        raise TaperError(f"{file} is a folder, not a batch file.") from None
    except NotARegularFile as exc:  # a FIFO would block until someone writes to it
        if exc.kind == "a folder":
            raise TaperError(f"{file} is a folder, not a batch file.") from None
        raise TaperError(
            f"{file} is {exc.kind}, not a batch file; to pipe the rows in, give '-'."
        ) from None
    except OSError as exc:
        raise TaperError(f"Cannot read batch file {file}: {exc.strerror}.") from None


def batch(
    file: str = typer.Argument(
        ...,
        metavar="FILE",
        help="CSV with the columns patient_id,guideline,start,medication ('-' reads stdin).",
    ),
    out_dir: Path | None = typer.Option(
        None,
        "--out-dir",
        "-o",
        metavar="DIR",
        help="Folder for the plans and summary.csv (created if missing; its parent must exist).",
    ),
    fmt: str = typer.Option(
        "text",
        "--format",
        metavar="|".join(BATCH_FORMATS),
        help="Format of each plan file; jsonl: one JSON plan a line in one stream (--out).",
    ),
    out: str | None = typer.Option(
        None,
        "--out",
        metavar="FILE",
        help="With --format jsonl: the stream's file ('-' writes to stdout).",
    ),
    workers: int = typer.Option(
        1, "--jobs", "-j", min=1, max=64, help="With --format jsonl: processes planning at once."
    ),
    lang: str | None = typer.Option(
        None,
        "--lang",
        metavar="sv|nb|en",
        help="Language of the plans (default: each guideline's).",
    ),
    force: bool = typer.Option(
        False, "--force", help="Overwrite existing plan files and an existing summary."
    ),
) -> None:
    """Plan for a clinic's list of patients: one plan file per patient and a summary CSV.

    One row per medication (the daily total); several rows for a patient on several drugs, all
    with the same guideline and start. Comma or semicolon delimiters, UTF-8 with or without a
    BOM. A bad row is reported as FILE:LINE: message and that patient is skipped; the others
    are planned. Exit code 0: every patient planned; 1: some were not (see summary.csv);
    2: the file or the output folder cannot be used.

    With --format jsonl every patient is one line of one stream (--out FILE, or - for stdout),
    in input order, written as it is made; errors are lines too. --jobs N plans in N processes
    with the same bytes out.

    Example:

        taper batch patients.csv --out-dir plans --format html --lang sv
        taper batch patients.csv --format jsonl --out plans.jsonl --jobs 2
    """
    from taper.batch import (
        SUMMARY_NAME,
        BatchRun,
        DiskFull,
        GuidelineCache,
        PatientResult,
        flush_to_disk,
        group_patients,
        load_builtin,
        prepare_out_dir,
        read_batch,
        summary_csv,
    )
    from taper.cli import _DEBUG
    from taper.cli.interrupts import Interrupted
    from taper.cli.interrupts import check as check_interrupt
    from taper.io import WriteFailed, write_atomic
    from taper.plan import make_plan
    from taper.render import PlanFormat, render_plan

    if fmt not in BATCH_FORMATS:
        raise TaperError(f"Unknown format {fmt!r}; use one of {', '.join(BATCH_FORMATS)}.")
    if lang is not None and lang not in LANGUAGES:
        raise TaperError(f"Unknown language {lang!r}; choose sv, nb or en.")
    if fmt == "jsonl":
        _jsonl(file, out, lang, workers, force)
        return
    if out is not None or workers != 1:
        raise TaperError("--out and --jobs belong to --format jsonl; plan files go to --out-dir.")
    if out_dir is None:
        raise TaperError("Give the folder for the plan files: --out-dir DIR.")
    raw, name = _read_input(file)
    parsed = read_batch(raw, name)
    jobs = group_patients(parsed)
    summary_path = out_dir / SUMMARY_NAME
    prepare_out_dir(out_dir, summary_path, force=force)

    run = BatchRun(
        out_dir=out_dir,
        fmt=PlanFormat(fmt),
        lang=lang,
        force=force,
        planner=make_plan,
        renderer=render_plan,
        guidelines=GuidelineCache(load_builtin),
        reraise=_DEBUG["on"],
    )
    results: list[PatientResult] = []
    try:
        with console.progress(jobs, total=len(jobs), label="Planning") as items:
            for result in run.run(items):
                results.append(result)
                check_interrupt()  # one Python swallowed while this patient was planned
        failed = [r for r in results if r.status == "error"]
        for error in sorted((e for r in failed for e in r.errors), key=lambda e: e.line):
            console.err(f"{name}:{error.line}: {error.message}")
        # The summary last, once the plans are on disk: when it exists, every plan it lists is
        # whole.
        flush_to_disk(run.written)
        check_interrupt()
        write_atomic(summary_path, summary_csv(results, parsed.delimiter), force=force)
    except Interrupted as exc:
        exc.detail = f"{len(run.written)} of {len(jobs)} plans written, no summary"
        raise
    except DiskFull as exc:
        raise TaperError(
            f"{exc} {len(run.written)} of {len(jobs)} plans written, no summary."
        ) from None
    except WriteFailed as exc:  # the summary could not be written
        raise TaperError(
            f"{str(exc).rstrip('.')}; {len(run.written)} of {len(jobs)} plans written, no summary."
        ) from None
    planned = len(results) - len(failed)
    console.out(
        f"Planned {planned} of {len(results)} patient(s) into {out_dir}; summary: {summary_path}."
    )
    if failed:
        console.err(f"taper: {len(failed)} patient(s) not planned; see {summary_path}.")
        raise typer.Exit(1)


def _open_input(file: str) -> tuple[Callable[[], BinaryIO], str]:
    """A function that opens the batch file anew at its start, and its name for messages.

    The streaming reader reads a file twice; stdin can be read once, so it is kept whole."""
    from taper.guideline.loader import open_regular_file

    if file == "-":
        raw = sys.stdin.buffer.read()
        return lambda: io.BytesIO(raw), "<stdin>"
    path = Path(file)
    with _input_errors(file):
        open_regular_file(path).close()  # the one-sentence refusals, before any output
    return lambda: _reopen(path, file), file


def _reopen(path: Path, file: str) -> BinaryIO:
    from taper.guideline.loader import open_regular_file

    with _input_errors(file):
        return open_regular_file(path)


def _jsonl(file: str, out: str | None, lang: str | None, workers: int, force: bool) -> None:
    """`--format jsonl`: one stream, a line per patient, in input order."""
    from taper.batch_patients import stream_patients
    from taper.batch_stream import stream_jsonl
    from taper.io import file_kind, write_atomic_stream

    if out is None:
        raise TaperError(
            "--format jsonl writes one stream: give --out FILE, or --out - for stdout."
        )
    open_file, name = _open_input(file)
    if out != "-":
        path = Path(out)
        kind = file_kind(path)  # None also when it cannot be looked at: the write says why
        if kind == "folder":
            raise TaperError(f"--out {out} is a folder; give a file name in it.")
        if kind is not None and not force:
            raise TaperError(f"{out} already exists; use --force to overwrite it.")
    patients = stream_patients(open_file, name)
    if out == "-":
        sink = console.binary_stdout()
        with console.stdout_errors():  # a full disk: one sentence, not an internal error
            totals = stream_jsonl(patients, sink, lang=lang, workers=workers)
            sink.flush()
    else:
        # Whole or not at all, through a temporary file of its own, as every other output
        # (a fixed FILE.partial overwrote and removed a user's file; a dangling link at FILE
        # was replaced without --force: review of 2026-12-03).
        totals = write_atomic_stream(
            path,
            lambda sink: stream_jsonl(patients, sink, lang=lang, workers=workers),
            force=force,
        )
    for error in totals.failed:
        console.err(f"{name}:{error.line}: {error.message}")
    if totals.failed:
        console.err(f"taper: {totals.not_planned} patient(s) not planned; their lines say why.")
        raise typer.Exit(1)
