"""Output targets (issue 14): concurrent writers, symbolic links, devices, FIFOs, sockets,
a full disk and names too long. Each is one sentence naming the file; nothing is replaced
without --force, and --force replaces only regular files and links.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CliResult

from taper.errors import TaperError
from taper.io import write_atomic

PLAN = ("plan", "-g", "se-vgr", "-m", "oxazepam 30 mg", "--start", "2027-01-04")


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def _race(target: Path, writers: int) -> list[str]:
    """Start `writers` threads writing `target` at the same moment; what each one got."""
    outcomes: list[str] = []
    barrier = threading.Barrier(writers)

    def write(payload: bytes) -> None:
        barrier.wait()
        try:
            write_atomic(target, payload, durable=False)
            outcomes.append("won")
        except TaperError as exc:
            outcomes.append(str(exc))

    threads = [
        threading.Thread(target=write, args=(bytes([65 + i]) * 1000,)) for i in range(writers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_of_concurrent_writers_without_force_exactly_one_wins(tmp_path: Path) -> None:
    """Regression: with four writers two "won" in 19 of 200 rounds (check, then replace)."""
    for round_ in range(60):
        target = tmp_path / f"plan{round_}.json"
        outcomes = _race(target, writers=4)
        assert outcomes.count("won") == 1, outcomes
        assert all(o == "won" or "already exists" in o for o in outcomes), outcomes
        assert len(set(target.read_bytes())) == 1  # one writer's bytes, whole
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("kind", ["dangling", "looping", "to-a-file"])
def test_a_symbolic_link_at_the_target_is_an_existing_file(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "plan.json"
    if kind == "dangling":
        target.symlink_to(tmp_path / "nowhere")
    elif kind == "looping":
        target.symlink_to(target)
    else:
        (tmp_path / "real").write_bytes(b"old")
        target.symlink_to(tmp_path / "real")
    with pytest.raises(
        TaperError, match=r"plan\.json \(a symbolic link\) already exists; use --force"
    ):
        write_atomic(target, b"new")
    assert target.is_symlink()
    assert _leftovers(tmp_path) == []
    if kind == "to-a-file":
        assert (tmp_path / "real").read_bytes() == b"old"


def test_force_replaces_the_link_never_what_it_points_to(tmp_path: Path) -> None:
    (tmp_path / "real").write_bytes(b"old")
    target = tmp_path / "plan.json"
    target.symlink_to(tmp_path / "real")
    write_atomic(target, b"new", force=True)
    assert not target.is_symlink()
    assert target.read_bytes() == b"new"
    assert (tmp_path / "real").read_bytes() == b"old"


def test_a_fifo_is_never_replaced_even_with_force(tmp_path: Path) -> None:
    fifo = tmp_path / "plan.txt"
    os.mkfifo(fifo)
    for force in (False, True):
        with pytest.raises(
            TaperError, match=r"is a named pipe \(FIFO\); taper writes only regular"
        ):
            write_atomic(fifo, b"x", force=force)
    assert fifo.is_fifo()


def test_a_socket_is_never_replaced_even_with_force(tmp_path: Path) -> None:
    path = tmp_path / "s.txt"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
        with pytest.raises(TaperError, match="is a socket"):
            write_atomic(path, b"x", force=True)
    assert path.is_socket()


def test_dev_null_is_never_replaced_even_with_force(run_cli: object) -> None:
    """As root, `--out /dev/null --force` replaced /dev/null with a regular file."""
    result: CliResult = run_cli(*PLAN, "--out", "/dev/null", "--force")  # type: ignore[operator]
    assert result.code == 2
    assert result.err == "taper: /dev/null is a device; taper writes only regular files there.\n"
    assert Path("/dev/null").is_char_device()


def test_a_name_too_long_is_one_sentence(run_cli: object, tmp_path: Path) -> None:
    out = tmp_path / ("p" * 300 + ".txt")
    result: CliResult = run_cli(*PLAN, "--out", str(out))  # type: ignore[operator]
    assert result.code == 2
    assert result.err == f"taper: Cannot write {out}: the file name is too long.\n"


@contextlib.contextmanager
def small_tmpfs(folder: Path, size: str) -> Iterator[Path]:
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root and mount rights)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="tmpfs is Linux's")
def test_a_full_disk_is_one_sentence_for_plan(run_cli: object, tmp_path: Path) -> None:
    with small_tmpfs(tmp_path / "disk", "16k") as disk:
        (disk / "filler").write_bytes(b"x" * 12_000)
        out = disk / "plan.pdf"
        result: CliResult = run_cli(*PLAN, "--format", "html", "--out", str(disk / "plan.html"))  # type: ignore[operator]
        assert result.code == 2
        assert result.err == f"taper: Cannot write {disk / 'plan.html'}: the disk is full.\n"
        assert sorted(p.name for p in disk.iterdir()) == ["filler"]
        assert not out.exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="tmpfs is Linux's")
def test_a_full_disk_stops_a_batch_saying_what_it_wrote(run_cli: object, tmp_path: Path) -> None:
    rows = [f"P{i},se-vgr,2027-01-04,oxazepam 30 mg" for i in range(40)]
    src = tmp_path / "patients.csv"
    src.write_text("patient_id,guideline,start,medication\n" + "\n".join(rows) + "\n")
    with small_tmpfs(tmp_path / "disk", "64k") as disk:
        result: CliResult = run_cli("batch", str(src), "-o", str(disk / "o"), "--format", "html")  # type: ignore[operator]
        assert result.code == 2
        written = sorted(p.name for p in (disk / "o").iterdir())
        last = result.err.splitlines()[-1]
        assert last.startswith(f"taper: Cannot write {disk / 'o'}/P")
        assert last.endswith(f": the disk is full. {len(written)} of 40 plans written, no summary.")
        assert "summary.csv" not in written
        assert all(name.endswith(".html") and not name.startswith(".") for name in written)
        assert "internal error" not in result.err
