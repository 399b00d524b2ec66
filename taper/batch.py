"""Plans for a clinic's list of patients: read a batch CSV, plan each patient, write a summary.

The library half of `taper batch`; it never prints. The flow:

    read_batch(bytes)  ->  BatchFile (rows + row errors; TaperError if the file is unusable)
    group_patients()   ->  PatientJob per patient (rows of one patient, or why it cannot run)
                           (`taper.batch_reader` reads, `taper.batch_patients` groups,
                           also as a stream)
    run_batch()        ->  PatientResult per patient (plan file written atomically, or error)
    summary_csv()      ->  the summary file's bytes

Safety rules, all of them deliberate:
- A patient with any bad row is not planned at all: a plan that silently leaves out one of
  the patient's drugs is worse than no plan.
- A row with content but no patient id may belong to the patient above it (spreadsheets often
  leave a repeated id blank), so that patient is not planned either.
- Unknown columns are refused rather than ignored: a column such as `percent` or `specialist`
  that the user expects to act would otherwise be silently ignored.
- A quote that is never closed swallows the rest of the file, so the file is refused.
- Plan files are written to a temporary file and published with a link (no overwrite) or a
  rename (`--force`); readers never see half a file. The summary is written last, after the
  plans are flushed to disk: when it exists, every plan it lists is complete.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol, assert_never

# Reading lives in taper.batch_reader, grouping by patient in taper.batch_patients; these
# names are imported from here too.
from taper.batch_patients import PatientJob as PatientJob
from taper.batch_patients import _sentence as _sentence
from taper.batch_patients import _shown_id
from taper.batch_patients import group_patients as group_patients
from taper.batch_patients import parse_start_date as parse_start_date
from taper.batch_patients import safe_file_stem as safe_file_stem
from taper.batch_reader import COLUMNS as COLUMNS
from taper.batch_reader import BatchFile as BatchFile
from taper.batch_reader import BatchRow as BatchRow
from taper.batch_reader import RowError as RowError
from taper.batch_reader import decode_batch as decode_batch
from taper.batch_reader import read_batch as read_batch
from taper.dose import (
    MedicationInput,
    format_amount,
)
from taper.errors import TaperError
from taper.render import PlanFormat

if TYPE_CHECKING:
    from taper.guideline.loader import LoadedGuideline
    from taper.guideline.model import Guideline
    from taper.plan import PlanOptions
    from taper.plan.model import Plan

# --- writing ------------------------------------------------------------------------------


def file_extension(fmt: PlanFormat) -> str:
    match fmt:
        case PlanFormat.text:
            return ".txt"
        case PlanFormat.markdown:
            return ".md"
        case PlanFormat.html:
            return ".html"
        case PlanFormat.pdf:
            return ".pdf"
        case PlanFormat.csv:
            return ".csv"
        case PlanFormat.json:
            return ".json"
        case PlanFormat.ics:
            return ".ics"
        case PlanFormat.fhir:
            return ".fhir.json"
        case _:
            assert_never(fmt)


class DiskFull(TaperError):
    """The disk (or quota) is full: the batch stops, since every later plan would fail too."""


def publish(path: Path, data: bytes, *, force: bool) -> None:
    """Write one plan file with `taper.io.write_atomic`, without a flush to disk per file
    (the batch flushes once before the summary). A full disk stops the batch (DiskFull)."""
    from taper.io import WriteFailed, write_atomic

    try:
        write_atomic(path, data, force=force, durable=False)
    except WriteFailed as exc:
        if exc.disk_full:
            raise DiskFull(str(exc)) from None
        raise


def flush_to_disk(paths: Sequence[Path]) -> None:
    """Make the published plan files durable before the summary names them."""
    sync = getattr(os, "sync", None)
    if sync is not None:
        sync()
        return
    for path in paths:  # pragma: no cover - platforms without os.sync (Windows)
        with path.open("rb") as handle:
            os.fsync(handle.fileno())


def prepare_out_dir(out_dir: Path, summary: Path, *, force: bool) -> None:
    """Create the output folder (one level) and refuse an existing summary without force."""
    from taper.io import file_kind, refuse_existing

    kind = file_kind(out_dir)
    if kind is not None and kind != "folder":
        raise TaperError(f"{out_dir} exists and is not a folder.")
    if kind is None:
        if file_kind(out_dir.parent) != "folder":
            raise TaperError(f"Folder {out_dir.parent} does not exist.")
        try:
            out_dir.mkdir()
        except OSError as exc:
            raise TaperError(f"Cannot create {out_dir}: {exc.strerror}.") from None
    refuse_existing(summary, force=force, what="the summary and the plans")


# --- planning -----------------------------------------------------------------------------

Planner = Callable[[list[MedicationInput], "LoadedGuideline", "PlanOptions"], "Plan"]


class Renderer(Protocol):
    """`taper.render.render_plan`, given the guideline the batch has already loaded."""

    def __call__(
        self,
        plan: Plan,
        fmt: PlanFormat,
        lang: str,
        *,
        guideline: Guideline | None,
        patient_id: str | None = None,
    ) -> bytes: ...


Loader = Callable[[str], "LoadedGuideline"]


@dataclass(frozen=True)
class ClassTotalCell:
    total: Decimal
    reference: str  # e.g. "diazepam mg"
    complete: bool


@dataclass(frozen=True)
class PatientResult:
    patient_id: str
    lines: tuple[int, ...]
    status: Literal["ok", "error"]
    guideline: str
    guideline_version: str = ""
    guideline_sha256: str = ""
    file: str = ""
    start: dt.date | None = None
    last_dose: dt.date | None = None
    plan_days: int | None = None
    totals: dict[str, ClassTotalCell] = field(default_factory=dict)
    warnings: int = 0
    warning_codes: tuple[str, ...] = ()  # distinct codes, in the plan's order
    errors: tuple[RowError, ...] = ()


def load_builtin(ref: str) -> LoadedGuideline:
    """A built-in guideline by id. Batch files name built-in guidelines only: a released,
    validated rule file, never a path the CSV points at (nor a file named like the id in the
    working directory)."""
    from taper.guideline import loader
    from taper.guideline.registry import builtin_ids, builtin_path

    if builtin_path(ref) is None:  # said here as the tail of "FILE:LINE: ..."
        known = ", ".join(builtin_ids()) or "none"
        raise TaperError(f"unknown guideline {ref!r}; built-in guidelines are: {known}.")
    return loader.load_builtin(ref)


class GuidelineCache:
    """Each guideline (or its error) loaded once per batch."""

    def __init__(self, loader: Loader) -> None:
        self._loader = loader
        self._done: dict[str, LoadedGuideline | TaperError] = {}

    def get(self, ref: str) -> LoadedGuideline:
        if ref not in self._done:
            try:
                self._done[ref] = self._loader(ref)
            except TaperError as exc:
                self._done[ref] = exc
        found = self._done[ref]
        if isinstance(found, TaperError):
            raise TaperError(str(found))
        return found


def class_totals(
    medications: list[MedicationInput], loaded: LoadedGuideline
) -> dict[str, ClassTotalCell]:
    from taper.equivalence import equivalents

    try:
        result = equivalents(medications, loaded.guideline)
    except TaperError:
        return {}
    return {
        t.drug_class: ClassTotalCell(t.equivalent, f"{t.reference_name} {t.unit}", t.complete)
        for t in result.totals
    }


class FormatUnavailable(TaperError):
    """The renderer refused the very first plan: a format-wide problem, not a patient's, so
    the batch stops with one message instead of one per patient."""


@dataclass
class BatchRun:
    """Plans patients one by one; collects the paths written for the final flush."""

    out_dir: Path
    fmt: PlanFormat
    lang: str | None
    force: bool
    planner: Planner
    renderer: Renderer
    guidelines: GuidelineCache
    reraise: bool = False  # --debug: let an internal error surface with its traceback
    written: list[Path] = field(default_factory=list)
    # Class totals by (guideline, medication texts): a clinic's list repeats the same drugs
    # and doses, and the conversion is a pure function of them.
    _totals: dict[tuple[str, tuple[str, ...]], dict[str, ClassTotalCell]] = field(
        default_factory=dict
    )

    def run(self, jobs: Iterable[PatientJob]) -> Iterator[PatientResult]:
        for job in jobs:
            yield self.plan_one(job)

    def plan_one(self, job: PatientJob) -> PatientResult:
        failed = PatientResult(job.patient_id, job.lines, "error", job.guideline, start=job.start)
        if job.errors:
            return _with_errors(failed, job.errors)
        try:
            return self._plan(job)
        except (FormatUnavailable, DiskFull):
            raise
        except TaperError as exc:
            message = _sentence(str(exc))
            if "--specialist" in message:
                message += " (taper batch has no --specialist: plan this patient alone.)"
            return _with_errors(failed, (RowError(job.first_line, message),))
        except Exception as exc:
            if self.reraise:
                raise
            return _with_errors(failed, (internal_error(job, exc),))

    def _class_totals(
        self, ref: str, medications: list[MedicationInput], loaded: LoadedGuideline
    ) -> dict[str, ClassTotalCell]:
        key = (ref, tuple(m.text for m in medications))
        if key not in self._totals:
            self._totals[key] = class_totals(medications, loaded)
        return self._totals[key]

    def _plan(self, job: PatientJob) -> PatientResult:
        from taper.plan import PlanOptions

        assert job.start is not None
        assert job.file_stem is not None
        path = self.out_dir / (job.file_stem + file_extension(self.fmt))
        if path.name.casefold() == SUMMARY_NAME:
            raise TaperError(f"the plan's file name {path.name} is the summary's; rename the id.")
        loaded = self.guidelines.get(job.guideline)
        medications = list(job.medications)
        plan = self.planner(medications, loaded, PlanOptions(start=job.start, lang=self.lang))
        try:
            data = self.renderer(
                plan,
                self.fmt,
                self.lang or plan.language,
                guideline=loaded.guideline,
                patient_id=job.patient_id,
            )
        except TaperError as exc:
            if not self.written:  # the format itself cannot be made (e.g. a missing extra)
                raise FormatUnavailable(f"{_sentence(str(exc))} Nothing was planned.") from None
            raise
        from taper.io import signals_deferred

        with signals_deferred():  # an interrupt never falls between writing and counting
            publish(path, data, force=self.force)
            self.written.append(path)
        last = plan.last_dose_date
        return PatientResult(
            job.patient_id,
            job.lines,
            "ok",
            plan.guideline.id,
            plan.guideline.version,
            plan.guideline.sha256,
            path.name,
            job.start,
            last,
            None if last is None else (last - job.start).days + 1,
            self._class_totals(job.guideline, medications, loaded),
            len(plan.warnings),
            tuple(dict.fromkeys(w.code for w in plan.warnings)),
        )


def internal_error(job: PatientJob, exc: Exception) -> RowError:
    """One patient's internal error as a row error: the list goes on, no traceback."""
    return RowError(
        job.first_line,
        f"internal error ({type(exc).__name__}) while planning this patient; "
        "the other patients are not affected. Rerun with --debug and report it.",
    )


def _with_errors(result: PatientResult, errors: tuple[RowError, ...]) -> PatientResult:
    return PatientResult(
        result.patient_id,
        result.lines,
        "error",
        result.guideline,
        start=result.start,
        errors=errors,
    )


# --- the summary --------------------------------------------------------------------------

SUMMARY_NAME = "summary.csv"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

SUMMARY_COLUMNS = (
    "patient_id",
    "lines",
    "status",
    "file",
    "guideline",
    "guideline_version",
    "guideline_sha256",
    "start",
    "last_dose",
    "plan_days",
    "benzodiazepine_total",
    "benzodiazepine_reference",
    "opioid_total",
    "opioid_reference",
    "warnings",
    "warning_codes",
    "error",
)


def _text_cell(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _total_cells(cell: ClassTotalCell | None, decimal_comma: bool) -> list[str]:
    if cell is None:
        return ["", ""]
    number = format_amount(cell.total)
    if decimal_comma:
        number = number.replace(".", ",")
    reference = cell.reference if cell.complete else f"{cell.reference} (incomplete)"
    return [number, reference]


def summary_csv(results: Iterable[PatientResult], delimiter: str) -> bytes:
    """The summary, one row per patient in file order, in the input's conventions: the same
    delimiter, a decimal comma with ';' (as Nordic spreadsheets expect), UTF-8 with a BOM."""
    decimal_comma = delimiter == ";"
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(SUMMARY_COLUMNS)
    for r in results:
        error = " ".join(f"line {e.line}: {e.message}" for e in r.errors)
        writer.writerow(
            [
                _text_cell(_shown_id(r.patient_id)),
                " ".join(str(line) for line in r.lines),
                r.status,
                _text_cell(r.file),
                _text_cell(_shown_id(r.guideline)),
                r.guideline_version,
                r.guideline_sha256,
                "" if r.start is None else r.start.isoformat(),
                "" if r.last_dose is None else r.last_dose.isoformat(),
                "" if r.plan_days is None else str(r.plan_days),
                *_total_cells(r.totals.get("benzodiazepine"), decimal_comma),
                *_total_cells(r.totals.get("opioid"), decimal_comma),
                str(r.warnings) if r.status == "ok" else "",
                " ".join(r.warning_codes),
                _text_cell(error),
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
