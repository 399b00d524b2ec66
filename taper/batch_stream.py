"""`taper batch --format jsonl`: a clinic's whole list as one stream, a JSON plan a line.

One plan file per patient suits printing; a receiving system wants one stream. Each line is
one patient, in the order of the input file:

    {"patient_id": "P1", "lines": [2], "status": "ok", "plan": {...the plan JSON...}}
    {"patient_id": "P2", "lines": [3, 4], "status": "error", "errors": [{"line": 4, ...}]}

Lines are written as they are made and nothing is kept after: memory does not grow with the
plans. `jobs` > 1 plans patients in that many processes, in chunks, and writes their lines in
input order, so the output is byte for byte the one of a single process. The CSV is read as a
stream too (`batch_patients.stream_patients`: checked whole first, by the same reader and rules
as the other formats, then each patient planned once their rows are read), so memory stays
flat however long the list is.
"""

from __future__ import annotations

import json
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from taper.batch import GuidelineCache, internal_error, load_builtin
from taper.batch_patients import PatientJob, _sentence
from taper.batch_reader import RowError
from taper.errors import TaperError

if TYPE_CHECKING:
    from taper.plan.model import Plan

# Patients a worker process plans per task: large enough that sending the jobs and lines
# between processes costs little next to planning, small enough to keep memory flat.
CHUNK = 256

Lines = list[tuple[bytes, tuple[RowError, ...]]]  # a chunk's output lines and errors


@dataclass(frozen=True)
class StreamTotals:
    planned: int
    not_planned: int
    failed: list[RowError]  # every error of every patient not planned, in input order


def _error_line(job: PatientJob, errors: Iterable[RowError]) -> bytes:
    record = {
        "patient_id": job.patient_id,
        "lines": list(job.lines),
        "status": "error",
        "errors": [{"line": e.line, "message": e.message} for e in errors],
    }
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def _ok_line(job: PatientJob, plan: Plan) -> bytes:
    head = json.dumps(
        {"patient_id": job.patient_id, "lines": list(job.lines), "status": "ok"},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    # The plan as `--format json` writes it, without the indentation: the model's own
    # serializer, its bytes spliced in (no decode and re-encode).
    body = plan.__pydantic_serializer__.to_json(plan)
    return head[:-1] + b',"plan":' + body + b"}\n"


class LinePlanner:
    """Plans one patient into one output line; each guideline is loaded once per process."""

    def __init__(self, lang: str | None) -> None:
        self.lang = lang
        self.guidelines = GuidelineCache(load_builtin)

    def __call__(self, job: PatientJob) -> tuple[bytes, tuple[RowError, ...]]:
        from taper.plan import PlanOptions, make_plan

        if job.errors:
            return _error_line(job, job.errors), job.errors
        assert job.start is not None
        try:
            loaded = self.guidelines.get(job.guideline)
            options = PlanOptions(start=job.start, lang=self.lang)
            plan = make_plan(list(job.medications), loaded, options)
        except TaperError as exc:
            errors = (RowError(job.first_line, _sentence(str(exc))),)
            return _error_line(job, errors), errors
        except Exception as exc:  # one patient's internal error never stops the list
            errors = (internal_error(job, exc),)
            return _error_line(job, errors), errors
        return _ok_line(job, plan), ()


_WORKER: LinePlanner | None = None


def _init_worker(lang: str | None) -> None:
    global _WORKER
    # Ctrl-C reaches every process of the terminal; the parent alone handles it and stops
    # the workers. SIGTERM (the pool stopping a worker) ends a worker quietly.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _WORKER = LinePlanner(lang)


def _plan_chunk(jobs: list[PatientJob]) -> Lines:
    assert _WORKER is not None
    return [_WORKER(job) for job in jobs]


def _chunks(jobs: Iterable[PatientJob], size: int) -> Iterator[list[PatientJob]]:
    chunk: list[PatientJob] = []
    for job in jobs:
        chunk.append(job)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def stream_jsonl(
    jobs: Iterable[PatientJob],
    out: BinaryIO,
    *,
    lang: str | None,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> StreamTotals:
    """Write a line per patient to `out`, in input order; `workers` processes plan them."""
    planned = not_planned = 0
    failed: list[RowError] = []

    def emit(results: Iterable[tuple[bytes, tuple[RowError, ...]]]) -> None:
        nonlocal planned, not_planned
        for line, errors in results:
            out.write(line)
            if errors:
                failed.extend(errors)
                not_planned += 1
            else:
                planned += 1
            if progress is not None:
                progress(1)

    if workers <= 1:
        planner = LinePlanner(lang)
        emit(planner(job) for job in jobs)
    else:
        _plan_in_processes(jobs, lang, workers, emit)
    return StreamTotals(planned, not_planned, failed)


def _plan_in_processes(
    jobs: Iterable[PatientJob], lang: str | None, workers: int, emit: Callable[[Lines], None]
) -> None:
    """Plan the chunks in `workers` processes, emitting their lines in input order.

    "spawn", never "fork": a forked worker is a copy of the parent in mid-run, with its signal
    handlers (a terminated worker printed a traceback) and every lock another thread held at
    that moment (an import, a stream), which can leave the worker stuck for ever. A spawned
    worker is a fresh interpreter that imports taper and loads its own rule files.
    ProcessPoolExecutor, not Pool: a worker that dies (killed, out of memory) breaks the pool
    and ends the run with one sentence; Pool waited for its lost chunk for ever.
    """
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    pool = ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_init_worker,
        initargs=(lang,),
    )
    pending: deque[Future[Lines]] = deque()
    try:
        # The list is read here, in this thread; a few chunks in flight keep memory flat.
        for chunk in _chunks(jobs, CHUNK):
            pending.append(pool.submit(_plan_chunk, chunk))
            if len(pending) > 2 * workers:
                emit(pending.popleft().result())
        while pending:
            emit(pending.popleft().result())
    except BrokenProcessPool:
        raise TaperError(
            "a planning process stopped unexpectedly (killed, or out of memory), "
            "so the list was not finished; run it again, or with --jobs 1."
        ) from None
    finally:
        pool.shutdown(cancel_futures=True)  # after an error or interrupt: no chunk more
