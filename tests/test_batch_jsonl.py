"""`taper batch --format jsonl`: a line per patient in input order, byte-identical at any
--jobs, to a file or stdout, errors as lines; every plan line is the plan JSON."""

from __future__ import annotations

import dataclasses
import importlib
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import pytest
from conftest import hang_guard

from taper.batch import PatientJob, group_patients, read_batch
from taper.batch_stream import stream_jsonl
from taper.cli import main
from taper.errors import TaperError
from taper.plan.model import Plan

CSV = (
    "patient_id,guideline,start,medication\n"
    "P1,se-vgr,2027-01-04,oxazepam 25 mg\n"
    "P2,se-vgr,2027-01-04,oxazepam 25 mg\n"
    "P3,nowhere,2027-01-04,oxazepam 25 mg\n"
    "P4,no-helsedir,2027-01-04,diazepam 10 mg\n"
    "P4,no-helsedir,2027-01-04,oxazepam 10 mg\n"
    "P5,uk-ashton,2027-02-01,diazepam 10 mg\n"
)


def jobs_of(text: str) -> list[PatientJob]:
    return group_patients(read_batch(text.encode(), "list.csv"))


def stream(text: str, workers: int) -> bytes:
    out = io.BytesIO()
    stream_jsonl(jobs_of(text), out, lang=None, workers=workers)
    return out.getvalue()


def test_a_line_per_patient_in_input_order_with_errors_as_lines() -> None:
    lines = [json.loads(line) for line in stream(CSV, 1).splitlines()]
    assert [r["patient_id"] for r in lines] == ["P1", "P2", "P3", "P4", "P5"]
    assert [r["status"] for r in lines] == ["ok", "ok", "error", "ok", "ok"]
    assert lines[3]["lines"] == [5, 6]
    assert "unknown guideline 'nowhere'" in lines[2]["errors"][0]["message"]
    for record in lines:
        if record["status"] == "ok":
            Plan.model_validate(record["plan"])  # the plan JSON, whole


def test_two_jobs_give_the_same_bytes_over_several_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    import taper.batch_stream

    monkeypatch.setattr(taper.batch_stream, "CHUNK", 2)  # several chunks from six rows
    assert stream(CSV, 2) == stream(CSV, 1)


def test_the_plan_line_is_the_json_format_s_plan() -> None:
    from taper.dose import parse_medication
    from taper.guideline.loader import load_guideline
    from taper.plan import PlanOptions, make_plan
    from taper.render import PlanFormat, render_plan

    first = json.loads(stream(CSV, 1).splitlines()[0])
    plan = make_plan(
        [parse_medication("oxazepam 25 mg")],
        load_guideline("se-vgr"),
        PlanOptions(start=__import__("datetime").date(2027, 1, 4)),
    )
    assert first["plan"] == json.loads(render_plan(plan, PlanFormat.json, plan.language))


def test_the_cli_writes_the_file_and_exits_1_when_a_patient_is_not_planned(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "list.csv"
    source.write_text(CSV, encoding="utf-8")
    out = tmp_path / "plans.jsonl"
    with pytest.raises(SystemExit) as exit_info:
        main(["batch", str(source), "--format", "jsonl", "--out", str(out), "--jobs", "2"])
    assert exit_info.value.code == 1
    assert out.read_bytes() == stream(CSV, 1)
    err = capsys.readouterr().err
    assert f"{source}:4: unknown guideline 'nowhere'" in err
    assert not (tmp_path / "plans.jsonl.partial").exists()


def test_the_cli_streams_to_stdout(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    source = tmp_path / "list.csv"
    source.write_text(CSV.replace("nowhere", "se-vgr"), encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        main(["batch", str(source), "--format", "jsonl", "--out", "-"])
    assert exit_info.value.code in (0, None)
    assert capsysbinary.readouterr().out == stream(CSV.replace("nowhere", "se-vgr"), 1)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "jsonl"], "--format jsonl writes one stream: give --out FILE"),
        (["--out-dir", "x", "--out", "y"], "--out and --jobs belong to --format jsonl"),
        ([], "Give the folder for the plan files: --out-dir DIR."),
    ],
)
def test_options_that_do_not_fit_are_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    source = tmp_path / "list.csv"
    source.write_text(CSV, encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        main(["batch", str(source), *args])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    "name",
    ["list.csv/plans.jsonl", "a" * 300 + ".jsonl"],
    ids=["under-a-file", "name-too-long"],
)
def test_an_out_file_that_cannot_be_made_is_one_sentence_not_an_internal_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """Review (rev-input): `--out` under a file or with a name too long raised OSError from
    the existence checks and the clean-up, which the CLI calls an internal error."""
    source = tmp_path / "list.csv"
    source.write_text(CSV, encoding="utf-8")
    out = tmp_path / name
    with pytest.raises(SystemExit) as exit_info:
        main(["batch", str(source), "--format", "jsonl", "--out", str(out)])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert f"Cannot write {out}:" in err
    assert "internal error" not in err


# --jobs workers (the forkfix branch): a test suite once hung for ever in a --jobs test. The
# workers were forked: copies of the parent mid-run, with every lock another thread held, and
# multiprocessing.Pool waited for ever for the chunk of a worker that died.


class _EndsTheWorker(str):
    """A patient id whose unpickling ends the worker process at once (as a kill would)."""

    def __reduce__(self) -> tuple[Callable[[int], NoReturn], tuple[int]]:
        return os._exit, (9,)


def test_a_worker_that_dies_ends_the_list_in_one_sentence_not_a_hang() -> None:
    jobs = jobs_of(CSV)
    jobs[2] = dataclasses.replace(jobs[2], patient_id=_EndsTheWorker("P3"))
    with (
        hang_guard(120),
        pytest.raises(TaperError, match=r"^a planning process stopped unexpectedly \(killed"),
    ):
        stream_jsonl(jobs, io.BytesIO(), lang=None, workers=2)


HELD_MODULE = """import threading

RELEASE = threading.Event()
if threading.current_thread() is not threading.main_thread():
    RELEASE.wait(300)  # imported by the test's thread, which holds this module's import lock
"""


def _name_after_importing(module: str, name: str) -> str:
    importlib.import_module(module)
    return name


class _ImportsOnArrival(str):
    """A patient id whose unpickling (in the worker) imports `held_import` first."""

    def __reduce__(self) -> tuple[Callable[[str, str], str], tuple[str, str]]:
        return _name_after_importing, ("held_import", str(self))


def _stream_while_an_import_is_held(folder: str) -> None:
    """Run in a fresh process: a thread holds the import lock of a module the workers import
    (as a thread of the parent may hold any lock), while two workers plan the list."""
    sys.path.insert(0, folder)
    importer = threading.Thread(target=importlib.import_module, args=("held_import",), daemon=True)
    importer.start()
    while not hasattr(sys.modules.get("held_import"), "RELEASE"):
        time.sleep(0.01)
    jobs = jobs_of(CSV)
    jobs[0] = dataclasses.replace(jobs[0], patient_id=_ImportsOnArrival(jobs[0].patient_id))
    stream_jsonl(jobs, sys.stdout.buffer, lang=None, workers=2)
    sys.modules["held_import"].RELEASE.set()


def test_workers_do_not_inherit_a_lock_another_thread_of_the_parent_holds(
    tmp_path: Path,
) -> None:
    (tmp_path / "held_import.py").write_text(HELD_MODULE, encoding="utf-8")
    tests = str(Path(__file__).parent)
    path = os.pathsep.join(filter(None, [tests, os.environ.get("PYTHONPATH")]))
    code = f"import test_batch_jsonl as t; t._stream_while_an_import_is_held({str(tmp_path)!r})"
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": path},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its workers too can be stopped as one group
    )
    try:
        out, err = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail("--jobs 2 hung while another thread of the parent held an import lock")
    assert process.returncode == 0, err.decode()
    assert out == stream(CSV, 1)


def test_jsonl_leaves_a_users_partial_file_and_refuses_a_dangling_link(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found reviewing the change (2026-12-03): `--format jsonl --out FILE` wrote through a
    fixed FILE.partial, overwriting and then deleting a user's file of that name, and a
    dangling symbolic link at FILE was replaced without --force. It now writes through a
    temporary file of its own and refuses any existing name, a link too, as every output."""
    source = tmp_path / "list.csv"
    source.write_text(CSV, encoding="utf-8")
    out = tmp_path / "plans.jsonl"
    mine = tmp_path / "plans.jsonl.partial"
    mine.write_text("my notes", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        main(["batch", str(source), "--format", "jsonl", "--out", str(out)])
    assert exit_info.value.code == 1  # P3's rule file does not exist; the rest are planned
    assert mine.read_text(encoding="utf-8") == "my notes"
    assert out.read_bytes().count(b"\n") == 5  # a line per patient, P3's saying why
    linked = tmp_path / "linked.jsonl"
    linked.symlink_to(tmp_path / "nowhere.jsonl")
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main(["batch", str(source), "--format", "jsonl", "--out", str(linked)])
    assert exit_info.value.code == 2
    assert "already exists; use --force" in capsys.readouterr().err
    assert linked.is_symlink()
    assert not (tmp_path / "nowhere.jsonl").exists()
