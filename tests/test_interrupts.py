"""Ctrl-C and SIGTERM, sent by a real signal to a real `taper batch` process: one sentence
saying what was written, exit 130 or 143, no traceback, no temporary files, no summary.

Issue 14: an interrupt during `batch --format json` could be swallowed inside the serializer
("Exception ignored in: Decimal('40')", a traceback with a dose in it) and the batch ran on to
exit 0; otherwise it ended with exit 130 and an empty stderr, and left `.P123.json.*.tmp`.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROWS = 3000


@pytest.fixture(scope="module")
def patients(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("interrupts") / "patients.csv"
    rows = [f"P{i},se-vgr,2027-01-04,oxazepam {10 + (i % 5) * 5} mg" for i in range(ROWS)]
    path.write_text("patient_id,guideline,start,medication\n" + "\n".join(rows) + "\n")
    return path


def _interrupted_batch(patients: Path, out: Path, signum: int, after: float) -> tuple[int, str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "taper", "batch", str(patients), "-o", str(out), "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    # wait until plans are being written, then a little longer
    while not any(out.glob("P*.json")) and time.monotonic() < deadline:
        if process.poll() is not None:
            break
        time.sleep(0.02)
    time.sleep(after)
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    return process.returncode, err.decode()


@pytest.mark.parametrize("after", [0.0, 0.13, 0.31])
@pytest.mark.parametrize(
    ("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"]
)
def test_an_interrupted_batch_says_what_it_wrote_and_leaves_no_temporary_files(
    patients: Path, tmp_path: Path, signum: int, code: int, after: float
) -> None:
    out = tmp_path / "out"
    returncode, err = _interrupted_batch(patients, out, signum, after)
    assert returncode == code, err
    match = re.fullmatch(rf"taper: interrupted; (\d+) of {ROWS} plans written, no summary\.\n", err)
    assert match, err
    written = sorted(p.name for p in out.iterdir())
    assert int(match.group(1)) == len(written)
    assert "summary.csv" not in written
    assert all(re.fullmatch(r"P\d+\.json", name) for name in written), written
    for name in written:  # every plan it wrote is whole
        assert (out / name).read_bytes().rstrip().endswith(b"}")


def test_an_interrupt_before_any_plan_is_one_sentence(tmp_path: Path) -> None:
    """SIGTERM while the program starts up (or reads its input) still ends in one sentence."""
    process = subprocess.Popen(
        [sys.executable, "-m", "taper", "batch", "-", "-o", str(tmp_path / "o")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    time.sleep(1.5)  # started, and blocked reading stdin
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 143
    assert err.decode() == "taper: interrupted.\n"
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupt_while_taper_starts_is_one_sentence(signum: int) -> None:
    """Before a command runs (while Python imports taper) an interrupt gave a traceback."""
    process = subprocess.Popen(
        [sys.executable, "-c", "import taper.__main__, time; time.sleep(30)"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    time.sleep(2.0)  # imported, asleep: the early handlers are still the ones installed
    process.send_signal(signum)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 128 + signum
    assert err.decode() == "taper: interrupted.\n"
