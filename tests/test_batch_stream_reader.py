"""The streaming reader of `taper batch --format jsonl` gives the jobs the whole-file reader
gives: the same patients, rows, errors and order, for every corpus file and for generated
lists whose patients' rows are scattered, interleaved or missing an id (hypothesis)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taper.batch_patients import group_patients, stream_patients
from taper.batch_reader import read_batch
from taper.errors import TaperError

CORPUS = sorted((Path(__file__).parent / "corpus" / "csv").glob("*.csv"))


def whole(raw: bytes) -> list[object] | str:
    try:
        return list(group_patients(read_batch(raw, "f.csv")))
    except TaperError as exc:
        return str(exc)


def streamed(raw: bytes) -> list[object] | str:
    try:
        return list(stream_patients(lambda: io.BytesIO(raw), "f.csv"))
    except TaperError as exc:
        return str(exc)


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_every_corpus_file_streams_to_the_same_jobs(path: Path) -> None:
    raw = path.read_bytes()
    assert streamed(raw) == whole(raw)


ROW = st.tuples(
    st.sampled_from(["P1", "P2", "P3", "p1", "", " ", "P/4"]),
    st.sampled_from(["se-vgr", "", "no-helsedir"]),
    st.sampled_from(["2026-01-05", "2026-02-30", "", "2026-01-06"]),
    st.sampled_from(["oxazepam 30 mg", "diazepam 5 mg", "", "oxazepam 30", "x"]),
)


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(st.one_of(ROW, st.sampled_from(["", '"bad"x,1', "a,b"])), max_size=12),
    delimiter=st.sampled_from([",", ";"]),
    ending=st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_generated_lists_stream_to_the_same_jobs(
    rows: list[tuple[str, str, str, str] | str], delimiter: str, ending: str
) -> None:
    lines = [delimiter.join(("patient_id", "guideline", "start", "medication"))]
    lines += [row if isinstance(row, str) else delimiter.join(row) for row in rows]
    raw = ending.join(lines).encode()
    assert streamed(raw) == whole(raw)


def test_a_patient_is_made_as_soon_as_their_rows_are_read() -> None:
    """Memory stays flat: the first patient's job comes before the last row is read."""
    raw = b"patient_id,guideline,start,medication\n" + b"".join(
        b"P%d,se-vgr,2026-01-05,oxazepam 30 mg\n" % i for i in range(1000)
    )
    reads = []

    class Counting(io.BytesIO):
        def __next__(self) -> bytes:
            reads.append(1)
            return super().__next__()

    jobs = stream_patients(lambda: Counting(raw), "f.csv")
    reads.clear()  # the first reading, to check the file whole
    first = next(jobs)
    assert first.patient_id == "P0"
    assert len(reads) < 10


def test_a_file_that_cannot_be_used_is_refused_before_any_job() -> None:
    raw = b'patient_id,guideline,start,medication\nP1,se-vgr,2026-01-05,oxazepam 30 mg\nP2,"x\n'
    with pytest.raises(TaperError, match="never closed"):
        stream_patients(lambda: io.BytesIO(raw), "f.csv")  # no job taken yet
