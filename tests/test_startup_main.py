"""`python -m taper` (and the `taper` script, `taper.__main__:run`) keep the exit-code contract
while freezing the collector at exit; in-process calls of `main()` leave it alone."""

from __future__ import annotations

import gc
import subprocess
import sys

import pytest

from taper import __version__
from taper.cli import main


def taper(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "taper", *args], capture_output=True, text=True, check=False
    )


def test_exit_codes_and_output_through_run() -> None:
    ok = taper("--version")
    assert (ok.returncode, ok.stdout, ok.stderr) == (0, f"taper {__version__}\n", "")
    bad = taper("plan", "-g", "nowhere", "--med", "oxazepam 30 mg", "--start", "2026-01-05")
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert bad.stderr.startswith("taper: Unknown guideline 'nowhere'")
    assert bad.stderr.count("\n") == 1
    plan = taper("plan", "-g", "se-vgr", "--med", "oxazepam 30 mg", "--start", "2026-01-05")
    assert plan.returncode == 0
    assert plan.stdout.endswith("\n")


def test_main_in_process_keeps_the_collector(capsys: pytest.CaptureFixture[str]) -> None:
    frozen = gc.get_freeze_count()
    with pytest.raises(SystemExit):
        main(["--version"])
    assert gc.get_freeze_count() == frozen
    assert gc.isenabled()
    assert capsys.readouterr().out == f"taper {__version__}\n"
