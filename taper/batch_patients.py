"""Grouping a batch's rows by patient, from a whole file or as a stream.

    group_patients()    ->  PatientJob per patient (rows of one patient, or why it cannot run)
    stream_patients()   ->  the same jobs from a file read twice as a stream, each as soon as
                            its patient's rows are all read (`taper batch --format jsonl`)

Both group with one grouper (`patient_jobs`) the rows `taper.batch_reader` reads, so a file
gives the same jobs, rows and errors either way. The safety rules are in `taper.batch`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO

from taper.batch_reader import BatchFile, BatchRow, RowError, read_items, text_lines
from taper.dose import MedicationInput, parse_medication, repeated_line, repeated_line_advice
from taper.errors import TaperError
from taper.generic_combinations import has_combination_form

if TYPE_CHECKING:
    from taper.guideline.model import Guideline

MAX_PATIENT_ID = 64
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
    items: list[BatchRow | RowError] = [*batch.rows, *batch.errors]
    items.sort(key=lambda item: item.line)
    return list(patient_jobs(items, last_lines(items)))


def last_lines(items: Iterable[BatchRow | RowError]) -> dict[str, int]:
    """Patient id -> the line of that patient's last row."""
    return {item.patient_id: item.line for item in items if item.patient_id}


def patient_jobs(
    items: Iterable[BatchRow | RowError], last_line: Mapping[str, int]
) -> Iterator[PatientJob]:
    """A job per patient, in order of the patient's first line, from the rows and row errors
    in line order; `last_line` (from `last_lines`) tells when a patient's rows are all read.

    A patient's job is made once their last row is read and a row of another patient follows
    (a row without an id right after it would stop the patient: it may be theirs). Only the
    patients not yet made are kept, so a list whose patients' rows are together is grouped
    in little memory however long it is."""
    waiting: deque[_Group] = deque()  # patients and rows without an id, by first line
    groups: dict[str, _Group] = {}
    stems: dict[str, int] = {}
    rule_files: dict[str, Guideline | None] = {}
    previous: _Group | None = None
    for item in items:
        line, patient = item.line, item.patient_id
        if not patient:
            # No id: maybe one of the patient above's drugs, so that patient is not planned.
            message = item.message if isinstance(item, RowError) else "the patient id is empty."
            waiting.append(_Group(None, [line], [], [RowError(line, message)]))
            if previous is not None:
                previous.errors.append(
                    RowError(
                        previous.lines[0],
                        f"not planned: line {line} has no patient id and may be one of this "
                        "patient's medications.",
                    )
                )
        else:
            group = groups.get(patient)
            if group is None:
                group = groups[patient] = _Group(patient)
                waiting.append(group)
            group.lines.append(line)
            if isinstance(item, RowError):
                group.errors.append(item)
            else:
                group.rows.append(item)
            previous = group
        while waiting and _complete(waiting[0], line, last_line, previous):
            yield _made(waiting.popleft(), groups, stems, rule_files)
    while waiting:
        yield _made(waiting.popleft(), groups, stems, rule_files)


def _complete(
    group: _Group, line: int, last_line: Mapping[str, int], previous: _Group | None
) -> bool:
    if group.patient_id is None:
        return True  # a row without an id is its own job
    last = last_line.get(group.patient_id)  # None: a row the first reading did not see
    return last is not None and last <= line and group is not previous


def _made(
    group: _Group,
    groups: dict[str, _Group],
    stems: dict[str, int],
    rule_files: dict[str, Guideline | None],
) -> PatientJob:
    if group.patient_id is None:
        return PatientJob("", tuple(group.lines), "", None, (), None, tuple(group.errors))
    del groups[group.patient_id]
    return _job(group, group.patient_id, stems, rule_files)


def stream_patients(open_file: Callable[[], BinaryIO], name: str) -> Iterator[PatientJob]:
    """The jobs of a batch file read as a stream, each as soon as its patient is complete.

    The file is read twice (`open_file` opens it anew): first, at once, to check it as a whole
    (a file that cannot be used is refused before any patient is planned or any output made)
    and to note each patient's last line; then as the jobs are taken. Memory grows only with
    the patients' ids (their last lines, the file names checked for collisions), not with
    their rows."""
    with open_file() as first:  # now, before the caller writes anything
        _, items = read_items(text_lines(first, name), name)
        last_line = last_lines(items)

    def jobs() -> Iterator[PatientJob]:
        with open_file() as second:
            _, items = read_items(text_lines(second, name), name)
            yield from patient_jobs(items, last_line)

    return jobs()


def _rule_file(ref: str, found: dict[str, Guideline | None]) -> Guideline | None:
    """The built-in rule file a patient's rows name, to read brands written in tablets
    without their strength ("Citodon 2+2+2"); None when it cannot be loaded (the patient's
    plan then says why)."""
    from taper.batch import load_builtin  # the batch's loader (tests stand in for it there)

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
    if ref and has_combination_form(text):
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
