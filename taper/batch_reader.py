"""Reading a batch CSV: its rows and row errors, as a whole file or as a stream of lines.

    read_batch(bytes)   ->  BatchFile (rows + row errors; TaperError if the file is unusable)
    read_items(lines)   ->  the delimiter and the rows and row errors in line order, as they
                            are read (`taper.batch_patients.stream_patients` reads them so)

Both read with one reader, so a file gives the same rows and errors either way; the rows are
grouped by patient in `taper.batch_patients`. The safety rules are in `taper.batch`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain

from taper.errors import TaperError

COLUMNS = ("patient_id", "guideline", "start", "medication")

MAX_GUIDELINE = 64
MAX_MEDICATION = 200

# A first line "sep=;" is how some spreadsheet programs name the delimiter.
_SEP_HINT = re.compile(r"sep=(.)", re.IGNORECASE)
# A line as the csv reader counts them: up to and including \r\n, \r or \n.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


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
    delimiter, items = read_items(text_lines(io.BytesIO(raw), name), name)
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


def read_items(lines: Iterable[str], name: str) -> tuple[str, Iterator[BatchRow | RowError]]:
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
