"""Odd files and names on the command line: folders, FIFOs, symlink loops, names that are also
built-in ids, a closed or full stdout. Each is one sentence and exit code 2, never a hang."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import GUIDELINES, CliResult, hang_guard

from taper.cli import console
from taper.errors import TaperError
from taper.guideline import loader, yamlstrict

Run = Callable[..., CliResult]
PLAN = ["plan", "-m", "oxazepam 25 mg", "--start", "2026-03-02", "-f", "json"]
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")


# --- guidelines validate FOLDER -----------------------------------------------------------


def test_folder_means_its_own_rule_files_not_subfolders_nor_hidden_files(
    run_cli: Run, tmp_path: Path
) -> None:
    shutil.copy(GUIDELINES / "se-vgr.yaml", tmp_path / "se-vgr.yaml")
    (tmp_path / ".#se-vgr.yaml").symlink_to("nowhere@host")  # an editor's lock file
    (tmp_path / "notes.txt").write_text("not a rule file")
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "broken.yaml").write_text("id: [")
    r = run_cli("guidelines", "validate", "-f", "json", str(tmp_path))
    assert (r.code, r.err) == (0, "")
    assert str(tmp_path / "se-vgr.yaml") in r.out
    assert "broken.yaml" not in r.out


def test_folder_with_only_subfolders_has_no_rule_files(run_cli: Run, tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "x.yaml").write_text("id: x\n")
    r = run_cli("guidelines", "validate", str(tmp_path))
    assert (r.code, r.out, r.err) == (
        2,
        "",
        f"taper: Folder {tmp_path} holds no .yaml rule files.\n",
    )


def test_folder_with_too_many_yaml_files_is_refused(run_cli: Run, tmp_path: Path) -> None:
    from taper.cli.guidelines import FOLDER_FILES_MAX

    for index in range(FOLDER_FILES_MAX + 1):
        (tmp_path / f"f{index}.yml").touch()
    r = run_cli("guidelines", "validate", str(tmp_path))
    assert (r.code, r.out) == (2, "")
    assert r.err == (
        f"taper: Folder {tmp_path} holds more than {FOLDER_FILES_MAX} .yaml files; "
        "name the rule files to check.\n"
    )


def test_root_folder_is_not_walked(run_cli: Run) -> None:
    with hang_guard(10):
        r = run_cli("guidelines", "validate", "/")
    assert r.code in (0, 1, 2)
    assert "Traceback" not in r.err


def test_empty_argument_is_refused(run_cli: Run) -> None:
    r = run_cli("guidelines", "validate", "")
    assert (r.code, r.out) == (2, "")
    assert r.err == "taper: An empty argument is not a rule file, folder or built-in id.\n"


# --- FIFOs, symlink loops, size -------------------------------------------------------------


@needs_fifo
@pytest.mark.parametrize(
    "argv",
    [
        ["plan", "-g", "{path}", *PLAN[1:]],
        ["guidelines", "validate", "{path}"],
        ["guidelines", "validate", "{folder}"],
        ["guidelines", "show", "{path}"],
        ["convert", "-g", "{path}", "-m", "oxazepam 10 mg"],
    ],
    ids=["plan", "validate", "validate-folder", "show", "convert"],
)
def test_fifo_as_rule_file_is_refused_without_hanging(
    run_cli: Run, tmp_path: Path, argv: list[str]
) -> None:
    fifo = tmp_path / "rules.yaml"
    os.mkfifo(fifo)
    with hang_guard(10):
        r = run_cli(*(a.format(path=fifo, folder=tmp_path) for a in argv))
    assert (r.code, r.out) == (2, "")
    assert (
        r.err
        == f"taper: {fifo} is a named pipe (FIFO), not a rule file; save the rules as a file.\n"
    )


@needs_fifo
def test_fifo_as_batch_file_is_refused_without_hanging(run_cli: Run, tmp_path: Path) -> None:
    fifo = tmp_path / "patients.csv"
    os.mkfifo(fifo)
    with hang_guard(10):
        r = run_cli("batch", str(fifo), "--out-dir", str(tmp_path / "out"))
    assert (r.code, r.out) == (2, "")
    assert r.err == (
        f"taper: {fifo} is a named pipe (FIFO), not a batch file; to pipe the rows in, give '-'.\n"
    )


def test_symlink_loop_as_rule_file(run_cli: Run, tmp_path: Path) -> None:
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop)
    for argv in (["guidelines", "validate", str(loop)], ["plan", "-g", str(loop), *PLAN[1:]]):
        r = run_cli(*argv)
        assert (r.code, r.out) == (2, "")
        assert r.err == f"taper: Rule file {loop} is a symbolic link that loops.\n"


def test_read_limit_is_one_byte_over_the_size_finding(run_cli: Run, tmp_path: Path) -> None:
    assert loader.RULE_FILE_READ_LIMIT == yamlstrict.MAX_BYTES + 1
    big = tmp_path / "big.yaml"
    big.write_bytes(b"# " + b"x" * (yamlstrict.MAX_BYTES * 2) + b"\n")
    r = run_cli("guidelines", "validate", "-f", "parsable", str(big))
    assert r.code == 1
    assert "larger than 5 MB" in r.out


# --- a name that is also a built-in id ---------------------------------------------------------


def test_folder_named_like_a_builtin_does_not_shadow_it(
    run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "se-vgr").mkdir()
    (tmp_path / "se-vgr" / "draft.yaml").write_text("id: [")
    r = run_cli("plan", "-g", "se-vgr", *PLAN[1:])
    assert (r.code, r.err) == (0, "")
    assert '"id": "se-vgr"' in r.out
    r = run_cli("guidelines", "validate", "se-vgr")
    assert (r.code, r.err) == (0, "")
    r = run_cli("guidelines", "validate", "./se-vgr")  # the folder, when asked for
    assert r.code == 1
    assert "draft.yaml" in r.out


def test_file_named_like_a_builtin_is_ambiguous(
    run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copy(GUIDELINES / "se-vgr.yaml", tmp_path / "se-vgr")
    said = (
        "taper: 'se-vgr' is both a built-in guideline and a file in this folder; write "
        "./se-vgr for the file, or move it away to use the built-in.\n"
    )
    for argv in (["plan", "-g", "se-vgr", *PLAN[1:]], ["guidelines", "validate", "se-vgr"]):
        r = run_cli(*argv)
        assert (r.code, r.out, r.err) == (2, "", said)
    r = run_cli("plan", "-g", "./se-vgr", *PLAN[1:])
    assert (r.code, r.err) == (0, "")
    r = run_cli("guidelines", "validate", "./se-vgr")
    assert (r.code, r.err) == (0, "")


def test_bare_word_that_is_no_builtin_is_a_local_file(
    run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copy(GUIDELINES / "se-vgr.yaml", tmp_path / "draft")
    r = run_cli("guidelines", "show", "draft")
    assert (r.code, r.err) == (0, "")
    assert "se-vgr" in r.out
    r = run_cli("guidelines", "show", "nowhere")
    assert r.code == 2
    assert r.err.startswith("taper: Unknown guideline 'nowhere'; built-in guidelines are: ")


def test_load_builtin_never_reads_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "se-vgr").write_text("id: [")
    assert loader.load_builtin("se-vgr").guideline.id == "se-vgr"
    with pytest.raises(TaperError, match=r"^Unknown guideline 'x'; built-in guidelines are: "):
        loader.load_builtin("x")


# --- output ------------------------------------------------------------------------------------


def test_out_folder_is_refused_with_or_without_force(run_cli: Run, tmp_path: Path) -> None:
    for extra in ([], ["--force"]):
        r = run_cli("plan", "-g", "se-vgr", *PLAN[1:], "--out", str(tmp_path), *extra)
        assert (r.code, r.out) == (2, "")
        assert r.err == f"taper: --out {tmp_path} is a folder; give a file name in it.\n"


class FullDisk(io.StringIO):
    def flush(self) -> None:
        raise OSError(28, "No space left on device")


def test_full_stdout_is_one_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdout", FullDisk())
    with pytest.raises(TaperError, match=r"^Cannot write the output to stdout: No space left"):
        console.out("plan")
    assert sys.stdout is not None
    assert not isinstance(sys.stdout, FullDisk)
    sys.stdout.close()


def test_closed_stdout_is_one_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdout", None)
    with pytest.raises(TaperError, match=r"^Cannot write the output: stdout is closed\.$"):
        console.out("plan")


def test_broken_pipe_is_left_to_typer(monkeypatch: pytest.MonkeyPatch) -> None:
    class Closed(io.StringIO):
        def flush(self) -> None:
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", Closed())
    with pytest.raises(BrokenPipeError):
        console.out("plan")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize(
    "command",
    [
        ["plan", "-g", "se-vgr", "-m", "oxazepam 25 mg", "--start", "2025-03-03", "--out", "-"],
        ["plan", "-g", "se-vgr", "-m", "oxazepam 25 mg", "--start", "2025-03-03"],
        ["batch", "BATCH", "--format", "jsonl", "--out", "-"],
    ],
    ids=["plan-out-dash", "plan", "batch-jsonl"],
)
def test_stdout_on_a_full_disk_is_one_sentence_in_a_real_process(
    command: list[str], tmp_path: Path
) -> None:
    """`batch --format jsonl --out - > /dev/full` ended in "internal error (OSError)"."""
    batch = tmp_path / "patients.csv"
    batch.write_text("patient_id,guideline,start,medication\np1,se-vgr,2025-03-03,oxazepam 25 mg\n")
    args = [str(batch) if a == "BATCH" else a for a in command]
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [sys.executable, "-m", "taper", *args],
            stdout=full,
            stderr=subprocess.PIPE,
            cwd=tmp_path,
            timeout=120,
            check=False,
        )
    err = done.stderr.decode()
    assert (done.returncode, err) == (
        2,
        "taper: Cannot write the output to stdout: No space left on device.\n",
    )
    assert list(tmp_path.iterdir()) == [batch]  # no file named "-"


def test_plan_out_dash_is_stdout(
    run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    r = run_cli(
        "plan", "-g", "se-vgr", "-m", "oxazepam 25 mg", "--start", "2025-03-03", "--out", "-"
    )
    assert r.code == 0
    assert r.out.startswith("Nedtrappningsplan: oxazepam")
    assert list(tmp_path.iterdir()) == []
