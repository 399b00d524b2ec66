"""Plans for a clinic's list of patients: read a batch CSV, plan each patient, write a summary.

The library half of `taper batch`; it never prints. The flow:

    read_batch(bytes)  ->  BatchFile (rows + row errors; TaperError if the file is unusable)
    group_patients()   ->  PatientJob per patient (rows of one patient, or why it cannot run)
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
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol, assert_never

from taper.dose import (
    MedicationInput,
    format_amount,
    parse_medication,
    repeated_line,
    repeated_line_advice,
)
from taper.errors import TaperError
from taper.generic_combinations import has_combination_form
from taper.render import PlanFormat

if TYPE_CHECKING:
    from taper.guideline.loader import LoadedGuideline
    from taper.guideline.model import Guideline
    from taper.plan import PlanOptions
    from taper.plan.model import Plan

COLUMNS = ("patient_id", "guideline", "start", "medication")
SUMMARY_NAME = "summary.csv"

MAX_PATIENT_ID = 64
MAX_GUIDELINE = 64
MAX_MEDICATION = 200
# Start dates outside these years are almost surely typos; they would also push a plan's
# dates past what a calendar can hold. An input sanity limit, not a clinical one.
MIN_START_YEAR = 1900
MAX_START_YEAR = 2200

# Unicode categories never allowed in a patient id: control, format (zero-width, BOM),
# surrogate, private-use, unassigned, line and paragraph separators.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{i}" for i in range(1, 10)}
    | {f"LPT{i}" for i in range(1, 10)}
)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# A first line "sep=;" is how some spreadsheet programs name the delimiter.
_SEP_HINT = re.compile(r"sep=(.)", re.IGNORECASE)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# --- reading the CSV ----------------------------------------------------------------------


@dataclass(frozen=True)
class BatchRow:
    line: int  # line in the file where the row starts (the header is line 1)
    patient_id: str
    guideline: str
    start: str
    medication: str


@dataclass(frozen=True)
class RowError:
    line: int
    message: str
    patient_id: str | None = None  # the row's patient, when its id could be read


@dataclass(frozen=True)
class BatchFile:
    delimiter: str
    rows: tuple[BatchRow, ...]
    errors: tuple[RowError, ...]


def decode_batch(raw: bytes, name: str) -> str:
    """UTF-8 text, with or without a byte-order mark; anything else is refused, not guessed."""
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise TaperError(
            f"{name} is UTF-32 text; save it as 'CSV UTF-8' with comma or semicolon delimiters."
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TaperError(
            f"{name} is UTF-16 text (a spreadsheet's 'Unicode text'); save it as "
            "'CSV UTF-8' with comma or semicolon delimiters."
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise TaperError(
            f"{name} is not UTF-8 text (line {line} has byte 0x{raw[exc.start]:02X}); save it "
            "as 'CSV UTF-8' in your spreadsheet program."
        ) from None
    if "\x00" in text:
        raise TaperError(
            f"{name} contains NUL bytes, so it is not a text CSV (perhaps UTF-16 or a "
            "spreadsheet file); save it as 'CSV UTF-8'."
        )
    return text


def _header_names(cells: Sequence[str]) -> list[str]:
    return [c.strip().lstrip("\ufeff").strip().lower() for c in cells]


def _sniff_header(first_line: str, name: str) -> tuple[str, list[str]]:
    """The delimiter that makes the first line a valid header, and the column order."""
    found: list[str] = []
    for delimiter in (",", ";"):
        try:
            cells = next(csv.reader([first_line], delimiter=delimiter), [])
        except csv.Error:
            cells = []
        names = _header_names(cells)
        if all(column in names for column in COLUMNS):
            return delimiter, names
        if len(names) > len(found):
            found = names
    missing = [c for c in COLUMNS if c not in found]
    if "\t" in first_line and "," not in first_line and ";" not in first_line:
        detail = " The file is tab-separated; save it as CSV with comma or semicolon delimiters."
    elif len(missing) < len(COLUMNS):
        shown = ", ".join(repr(n) for n in found[:8])
        detail = f" Found {shown}; missing: {', '.join(missing)}."
    else:  # not a header at all; its cells may be patient data, so they are not echoed
        detail = " Line 1 names none of them."
    raise TaperError(
        f"{name} has no valid header: line 1 must name the columns "
        f"{','.join(COLUMNS)} (comma- or semicolon-separated).{detail}"
    )


def _check_columns(names: list[str], name: str) -> None:
    unknown = [n for n in names if n not in COLUMNS]
    if unknown:
        shown = ", ".join(repr(n) for n in unknown[:5])
        raise TaperError(
            f"{name} has unknown column(s) {shown}; a batch file has exactly the columns "
            f"{','.join(COLUMNS)} (other columns would be silently ignored, so remove them)."
        )
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise TaperError(f"{name} names the column {duplicated[0]!r} twice.")


def _salvage_patient(text: str, delimiter: str, id_index: int) -> str | None:
    """The patient id of a row the strict reader refused, read leniently, if there is one."""
    flat = text.replace("\r", " ").replace("\n", " ")
    limit = csv.field_size_limit()
    try:  # a cell over the reader's size limit must not lose the id in front of it
        csv.field_size_limit(max(limit, len(flat) + 1))
        cells = next(csv.reader([flat], delimiter=delimiter), [])
    except csv.Error:
        return None
    finally:
        csv.field_size_limit(limit)
    if id_index < len(cells) and cells[id_index].strip():
        return cells[id_index].strip()
    return None


def _other(delimiter: str) -> str:
    return ";" if delimiter == "," else ","


def _cells(count: int) -> str:
    return "1 cell" if count == 1 else f"{count} cells"


def _cell_errors(row: BatchRow) -> str | None:
    if not row.guideline:
        return "the guideline is empty."
    if len(row.guideline) > MAX_GUIDELINE:
        return f"the guideline is longer than {MAX_GUIDELINE} characters."
    if not row.start:
        return "the start date is empty (write it as YYYY-MM-DD)."
    if len(row.start) > 10:
        return f"{row.start[:20]!r} is not a date (write it as YYYY-MM-DD)."
    if not row.medication:
        return "the medication is empty (write it as DRUG AMOUNT UNIT, e.g. 'oxazepam 25 mg')."
    if len(row.medication) > MAX_MEDICATION:
        return f"the medication is longer than {MAX_MEDICATION} characters."
    return None


def read_batch(raw: bytes, name: str) -> BatchFile:
    """Parse a batch CSV. Raises `TaperError` when the file as a whole cannot be used."""
    text = decode_batch(raw, name)
    if not text.strip():
        raise TaperError(f"{name} is empty; line 1 must be the header {','.join(COLUMNS)}.")
    lines = _LINE_BREAK.split(text)  # as the csv reader counts lines (not str.splitlines)
    sep_line = _SEP_HINT.fullmatch(lines[0])
    header_line = lines[1] if sep_line and len(lines) > 1 else lines[0]
    delimiter, names = _sniff_header(header_line, name)
    if sep_line and sep_line.group(1) != delimiter:
        raise TaperError(
            f"{name}: line 1 says sep={sep_line.group(1)} but the header is separated by "
            f"{delimiter!r}."
        )
    _check_columns(names, name)
    index = {column: names.index(column) for column in COLUMNS}

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    if sep_line:
        next(reader)  # the spreadsheet's "sep=;" line
    next(reader)  # the header, already checked
    rows: list[BatchRow] = []
    errors: list[RowError] = []
    previous_end = reader.line_num
    while True:
        start_line = previous_end + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            end = reader.line_num
            if "unexpected end of data" in str(exc):
                raise TaperError(
                    f"{name}:{start_line}: a quote opened here is never closed, so the rest of "
                    "the file cannot be read; nothing was planned."
                ) from None
            source = "\n".join(lines[start_line - 1 : end])
            patient = _salvage_patient(source, delimiter, index["patient_id"])
            if "field larger than field limit" in str(exc):
                limit = csv.field_size_limit()
                message = (
                    f"a cell is longer than {limit // 1024} KiB ({limit:,} characters), far "
                    "beyond any patient id, guideline, date or medication."
                )
            else:
                message = f"the row cannot be read as CSV ({exc})."
            errors.append(RowError(start_line, message, patient))
            previous_end = end
            continue
        previous_end = reader.line_num
        stripped = [c.strip() for c in cells]
        if not any(stripped):
            continue  # a blank row
        if len(stripped) != len(names):
            patient = stripped[index["patient_id"]] if index["patient_id"] < len(stripped) else ""
            hint = ""
            if len(stripped) == 1 and _other(delimiter) in stripped[0]:
                hint = (
                    f" The header is separated by {delimiter!r}, this row by {_other(delimiter)!r}."
                )
            elif delimiter == "," and len(stripped) > len(names):
                hint = (
                    " A decimal comma in a dose needs quotes (\"oxazepam 7,5 mg\"), or use ';' "
                    "as the delimiter."
                )
            errors.append(
                RowError(
                    start_line,
                    f"the row has {_cells(len(stripped))}, the header {len(names)}.{hint}",
                    patient or None,
                )
            )
            continue
        row = BatchRow(
            start_line,
            stripped[index["patient_id"]],
            stripped[index["guideline"]],
            stripped[index["start"]],
            stripped[index["medication"]],
        )
        problem = _cell_errors(row)
        if problem is not None:
            errors.append(RowError(start_line, problem, row.patient_id or None))
            continue
        rows.append(row)
    if not rows and not errors:
        raise TaperError(f"{name} has a header but no rows.")
    return BatchFile(delimiter, tuple(rows), tuple(errors))


# --- patients -----------------------------------------------------------------------------


def safe_file_stem(patient_id: str) -> str:
    """A file name stem for a patient id, or `TaperError` if the id cannot safely name a file.

    Letters and digits (any script), '-', '_' and '.' are kept; other characters become '_'.
    Ids with path separators, '..', control or invisible characters are refused outright.
    """
    if not patient_id:
        raise TaperError("the patient id is empty.")
    if len(patient_id) > MAX_PATIENT_ID:
        raise TaperError(f"the patient id is longer than {MAX_PATIENT_ID} characters.")
    if any(unicodedata.category(c) in _UNSAFE_CATEGORIES for c in patient_id):
        raise TaperError("the patient id contains a control or invisible character.")
    if "/" in patient_id or "\\" in patient_id:
        raise TaperError("the patient id contains a path separator ('/' or '\\').")
    if ".." in patient_id:
        raise TaperError("the patient id contains '..'.")
    text = unicodedata.normalize("NFC", patient_id)
    stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in text)
    if stem.startswith("."):  # no hidden files
        stem = "_" + stem[1:]
    if stem.endswith("."):  # Windows drops a trailing dot
        stem = stem[:-1] + "_"
    if stem.split(".")[0].upper() in _WINDOWS_RESERVED:
        stem = "_" + stem
    return stem


def _collision_key(stem: str) -> str:
    # Case-insensitive file systems (macOS, Windows) treat "P1" and "p1" as one file.
    return stem.casefold()


def parse_start_date(text: str) -> dt.date:
    """An ISO date (YYYY-MM-DD) within sane years."""
    if not _ISO_DATE.fullmatch(text):
        raise TaperError(f"{text!r} is not a date; write it as YYYY-MM-DD.")
    try:
        date = dt.date.fromisoformat(text)
    except ValueError:
        raise TaperError(f"{text!r} is not a calendar date.") from None
    if not MIN_START_YEAR <= date.year <= MAX_START_YEAR:
        raise TaperError(
            f"the start date {text} is implausible (years {MIN_START_YEAR}-{MAX_START_YEAR})."
        )
    return date


@dataclass(frozen=True)
class PatientJob:
    """One patient: their rows, or the error that stops them from being planned."""

    patient_id: str
    lines: tuple[int, ...]
    guideline: str
    start: dt.date | None
    medications: tuple[MedicationInput, ...]
    file_stem: str | None
    errors: tuple[RowError, ...]  # why the patient is not planned (empty: plan it)

    @property
    def first_line(self) -> int:
        return self.lines[0]


@dataclass
class _Group:
    patient_id: str | None
    lines: list[int] = field(default_factory=list)
    rows: list[BatchRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _shown_id(patient_id: str) -> str:
    """A patient id safe to print and to put in a CSV cell: no control characters."""
    return "".join(
        "\ufffd" if unicodedata.category(c) in _UNSAFE_CATEGORIES else c
        for c in patient_id[: MAX_PATIENT_ID * 2]
    )


def group_patients(batch: BatchFile) -> list[PatientJob]:
    """Group rows by patient (in order of first appearance) and check each patient's rows."""
    groups: dict[str, _Group] = {}
    orphans: list[_Group] = []
    items: list[tuple[int, BatchRow | RowError]] = sorted(
        [(r.line, r) for r in batch.rows] + [(e.line, e) for e in batch.errors],
        key=lambda item: item[0],
    )
    previous: _Group | None = None
    for line, item in items:
        patient = item.patient_id
        if not patient:
            # No id: maybe one of the patient above's drugs, so that patient is not planned.
            message = item.message if isinstance(item, RowError) else "the patient id is empty."
            orphans.append(_Group(None, [line], [], [RowError(line, message)]))
            if previous is not None:
                previous.errors.append(
                    RowError(
                        previous.lines[0],
                        f"not planned: line {line} has no patient id and may be one of this "
                        "patient's medications.",
                    )
                )
            continue
        group = groups.setdefault(patient, _Group(patient))
        group.lines.append(line)
        if isinstance(item, RowError):
            group.errors.append(item)
        else:
            group.rows.append(item)
        previous = group

    jobs: list[PatientJob] = []
    stems: dict[str, int] = {}
    rule_files: dict[str, Guideline | None] = {}
    for group in groups.values():
        assert group.patient_id is not None
        jobs.append(_job(group, group.patient_id, stems, rule_files))
    for orphan in orphans:
        jobs.append(PatientJob("", tuple(orphan.lines), "", None, (), None, tuple(orphan.errors)))
    jobs.sort(key=lambda job: job.first_line)
    return jobs


def _rule_file(ref: str, found: dict[str, Guideline | None]) -> Guideline | None:
    """The built-in rule file a patient's rows name, to read brands written in tablets
    without their strength ("Citodon 2+2+2"); None when it cannot be loaded (the patient's
    plan then says why)."""
    if ref not in found:
        try:
            found[ref] = load_builtin(ref).guideline
        except TaperError:
            found[ref] = None
    return found[ref]


def _medication(text: str, ref: str, rule_files: dict[str, Guideline | None]) -> MedicationInput:
    """A row's medication; read again with its rule file only when that is needed (a brand
    in tablets without its strength, or a combination by generic names), so a batch loads no
    rule file it does not use."""
    if has_combination_form(text) and ref:
        rule_file = _rule_file(ref, rule_files)
        if rule_file is not None:
            return parse_medication(text, rule_file)
    try:
        return parse_medication(text)
    except TaperError:
        rule_file = _rule_file(ref, rule_files) if ref else None
        if rule_file is None:
            raise
        return parse_medication(text, rule_file)


def _job(
    group: _Group, patient_id: str, stems: dict[str, int], rule_files: dict[str, Guideline | None]
) -> PatientJob:
    lines = tuple(group.lines)
    first_row = group.rows[0] if group.rows else None
    guideline = first_row.guideline if first_row else ""
    errors = list(group.errors)
    stem: str | None = None
    try:
        stem = safe_file_stem(patient_id)
    except TaperError as exc:
        errors.append(RowError(lines[0], str(exc)))
    if stem is not None:
        key = _collision_key(stem)
        if key in stems:
            errors.append(
                RowError(
                    lines[0],
                    f"the patient id gives the file name {stem!r}, as the patient in line "
                    f"{stems[key]} does; make the ids distinct.",
                )
            )
        else:
            stems[key] = lines[0]
    start: dt.date | None = None
    medications: list[MedicationInput] = []
    medication_lines: list[int] = []
    for row in group.rows:
        if first_row is not None and row.guideline != first_row.guideline:
            errors.append(
                RowError(
                    row.line,
                    f"the guideline {row.guideline!r} differs from {first_row.guideline!r} in "
                    f"line {first_row.line}; all rows of one patient must agree.",
                )
            )
            continue
        if first_row is not None and row.start != first_row.start:
            errors.append(
                RowError(
                    row.line,
                    f"the start date {row.start!r} differs from {first_row.start!r} in line "
                    f"{first_row.line}; all rows of one patient must agree.",
                )
            )
            continue
        try:
            start = parse_start_date(row.start)
            medications.append(_medication(row.medication, guideline, rule_files))
            medication_lines.append(row.line)
        except TaperError as exc:
            errors.append(RowError(row.line, _sentence(str(exc))))
    repeated = repeated_line(medications)
    if repeated is not None:  # a copied row would double the dose: the patient is not planned
        first, again = repeated
        errors.append(
            RowError(
                medication_lines[again],
                f"this row repeats line {medication_lines[first]} "
                f"('{medications[first].text}'); {repeated_line_advice(medications[first])}.",
            )
        )
    return PatientJob(
        patient_id,
        lines,
        guideline,
        start,
        tuple(medications),
        stem,
        tuple(sorted(errors, key=lambda e: e.line)),
    )


def _sentence(message: str) -> str:
    """A message from a library call, as the tail of 'FILE:LINE: ...' on one line."""
    flat = " ".join(message.split())
    return flat if flat.endswith((".", "?", "!")) else flat + "."


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
