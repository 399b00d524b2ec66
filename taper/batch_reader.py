"""Reading a batch CSV and grouping its rows by patient, as a whole file or as a stream.

    read_batch(bytes)   ->  BatchFile (rows + row errors; TaperError if the file is unusable)
    group_patients()    ->  PatientJob per patient (rows of one patient, or why it cannot run)
    stream_patients()   ->  the same jobs from a file read twice as a stream, each as soon as
                            its patient's rows are all read (`taper batch --format jsonl`)

Both read with one reader (`_read_items`) and group with one grouper (`patient_jobs`), so a
file gives the same jobs, rows and errors either way. The safety rules are in `taper.batch`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import TYPE_CHECKING, BinaryIO

from taper.dose import MedicationInput, parse_medication, repeated_line, repeated_line_advice
from taper.errors import TaperError
from taper.generic_combinations import has_combination_form

if TYPE_CHECKING:
    from taper.guideline.model import Guideline

COLUMNS = ("patient_id", "guideline", "start", "medication")

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
# A line as the csv reader counts them: up to and including \r\n, \r or \n.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


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


def text_lines(chunks: Iterable[bytes], name: str) -> Iterator[str]:
    """The file's text as the csv reader counts lines: each line with its ending (\\r\\n, \\r or
    \\n). `chunks` are its bytes cut after each b"\\n" (what iterating a binary file gives).

    UTF-8, with or without a byte-order mark; anything else is refused, not guessed. A NUL is
    refused once the whole file is read, as `decode_batch` refuses it after decoding."""
    has_nul = False
    for number, chunk in enumerate(chunks, start=1):
        if number == 1:
            _refuse_utf16_32(chunk, name)
        try:  # no UTF-8 character contains the byte b"\\n": each chunk decodes on its own
            text = chunk.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            raise TaperError(
                f"{name} is not UTF-8 text (line {number} has byte 0x{chunk[exc.start]:02X}); "
                "save it as 'CSV UTF-8' in your spreadsheet program."
            ) from None
        has_nul = has_nul or "\x00" in text
        yield from _LINE.findall(text)
    if has_nul:
        raise TaperError(
            f"{name} contains NUL bytes, so it is not a text CSV (perhaps UTF-16 or a "
            "spreadsheet file); save it as 'CSV UTF-8'."
        )


def _refuse_utf16_32(head: bytes, name: str) -> None:
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise TaperError(
            f"{name} is UTF-32 text; save it as 'CSV UTF-8' with comma or semicolon delimiters."
        )
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TaperError(
            f"{name} is UTF-16 text (a spreadsheet's 'Unicode text'); save it as "
            "'CSV UTF-8' with comma or semicolon delimiters."
        )


def decode_batch(raw: bytes, name: str) -> str:
    """The whole file's text (see `text_lines`)."""
    return "".join(text_lines(io.BytesIO(raw), name))


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
    delimiter, items = _read_items(text_lines(io.BytesIO(raw), name), name)
    rows: list[BatchRow] = []
    errors: list[RowError] = []
    for item in items:
        if isinstance(item, BatchRow):
            rows.append(item)
        else:
            errors.append(item)
    return BatchFile(delimiter, tuple(rows), tuple(errors))


class _TakenLines:
    """The lines the csv reader takes, kept from the start of the row it is reading (to quote
    a row it refuses)."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.lines = iter(lines)
        self.taken: list[str] = []

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = next(self.lines)
        self.taken.append(line.rstrip("\r\n"))
        return line


def _read_items(lines: Iterable[str], name: str) -> tuple[str, Iterator[BatchRow | RowError]]:
    """The delimiter, checked with the header at once, and the rows and row errors in line
    order as they are read. Raises `TaperError` when the file as a whole cannot be used (the
    items too: a quote that is never closed, a file with no rows)."""
    source = iter(lines)
    first = next(source, "")
    head = [first]
    sep_line = _SEP_HINT.fullmatch(first.rstrip("\r\n"))
    header_line = first
    if sep_line:
        second = next(source, None)
        if second is not None:
            head.append(second)
            header_line = second
    try:
        delimiter, names = _sniff_header(header_line.rstrip("\r\n"), name)
    except TaperError:
        if not any(line.strip() for line in [*head, *source]):
            raise TaperError(
                f"{name} is empty; line 1 must be the header {','.join(COLUMNS)}."
            ) from None
        raise
    if sep_line and sep_line.group(1) != delimiter:
        raise TaperError(
            f"{name}: line 1 says sep={sep_line.group(1)} but the header is separated by "
            f"{delimiter!r}."
        )
    _check_columns(names, name)
    return delimiter, _rows(_TakenLines(chain(head, source)), len(head), delimiter, names, name)


def _rows(
    taken: _TakenLines, head: int, delimiter: str, names: list[str], name: str
) -> Iterator[BatchRow | RowError]:
    """The rows after the `head` lines ("sep=;" and the header, already checked)."""
    index = {column: names.index(column) for column in COLUMNS}
    reader = csv.reader(taken, delimiter=delimiter, strict=True)
    for _ in range(head):
        next(reader)
    read_any = False
    previous_end = reader.line_num
    while True:
        start_line = previous_end + 1
        taken.taken.clear()
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
            patient = _salvage_patient("\n".join(taken.taken), delimiter, index["patient_id"])
            if "field larger than field limit" in str(exc):
                limit = csv.field_size_limit()
                message = (
                    f"a cell is longer than {limit // 1024} KiB ({limit:,} characters), far "
                    "beyond any patient id, guideline, date or medication."
                )
            else:
                message = f"the row cannot be read as CSV ({exc})."
            read_any = True
            yield RowError(start_line, message, patient)
            previous_end = end
            continue
        previous_end = reader.line_num
        stripped = [c.strip() for c in cells]
        if not any(stripped):
            continue  # a blank row
        read_any = True
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
            yield RowError(
                start_line,
                f"the row has {_cells(len(stripped))}, the header {len(names)}.{hint}",
                patient or None,
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
            yield RowError(start_line, problem, row.patient_id or None)
            continue
        yield row
    if not read_any:
        raise TaperError(f"{name} has a header but no rows.")


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
        _, items = _read_items(text_lines(first, name), name)
        last_line = last_lines(items)

    def jobs() -> Iterator[PatientJob]:
        with open_file() as second:
            _, items = _read_items(text_lines(second, name), name)
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
