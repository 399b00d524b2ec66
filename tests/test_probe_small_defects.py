"""The reliability probe's smaller defects (issue 14), each pinned. Others live with their
kind: names too long for --out, full disks and races in test_io_targets.py; the summary's
`file` column and cells over 128 KiB in tests/corpus/csv (formula-file-name, huge-cell*);
100,000 unknown keys and the aliases hint in test_hostile_rule_files.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CliResult

from taper.batch import decode_batch
from taper.errors import TaperError
from taper.guideline.loader import validate_bytes

ROOT = Path(__file__).resolve().parent.parent
PLAN = ("plan", "-m", "oxazepam 30 mg", "--start", "2027-01-04")


@pytest.mark.parametrize("ref", ["p" * 300, "p" * 300 + ".yaml", "d/" + "p" * 300])
def test_a_guideline_name_over_255_characters_is_one_sentence(run_cli: object, ref: str) -> None:
    """Was an internal error (OSError: File name too long) from a check whether it exists."""
    result: CliResult = run_cli(*PLAN, "-g", ref)  # type: ignore[operator]
    assert result.code == 2
    assert result.err.startswith("taper: ")
    assert result.err.count("\n") == 1
    assert "internal error" not in result.err


def test_an_out_name_over_255_characters_is_one_sentence(run_cli: object, tmp_path: Path) -> None:
    out = tmp_path / ("p" * 300 + ".txt")
    result: CliResult = run_cli(*PLAN, "-g", "se-vgr", "--out", str(out))  # type: ignore[operator]
    assert (result.code, result.err) == (
        2,
        f"taper: Cannot write {out}: the file name is too long.\n",
    )


def test_a_batch_out_dir_name_over_255_characters_is_one_sentence(
    run_cli: object, tmp_path: Path
) -> None:
    src = tmp_path / "p.csv"
    src.write_text("patient_id,guideline,start,medication\nA,se-vgr,2027-01-04,oxazepam 10 mg\n")
    out = tmp_path / ("o" * 300)
    result: CliResult = run_cli("batch", str(src), "-o", str(out))  # type: ignore[operator]
    assert result.code == 2
    assert result.err == f"taper: Cannot create {out}: File name too long.\n"


def test_stdout_in_ascii_gets_escapes_and_one_warning_not_an_internal_error() -> None:
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    done = subprocess.run(
        [sys.executable, "-m", "taper", *PLAN, "-g", "se-vgr"],
        capture_output=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode("ascii")
    assert "L\\xe4kemedel nu: oxazepam 30 mg per dygn" in out
    assert done.stderr.decode() == (
        "taper: the output's encoding (ascii) cannot show every character, so some are written "
        "as \\u escapes; set PYTHONIOENCODING=utf-8 (or a UTF-8 terminal), or write a file with "
        "--out.\n"
    )


def test_a_utf32_rule_file_is_called_utf32() -> None:
    raw = (ROOT / "guidelines" / "se-vgr.yaml").read_text(encoding="utf-8").encode("utf-32")
    findings = validate_bytes(raw, "x.yaml").findings
    assert [(f.rule, f.message) for f in findings] == [
        ("yaml-encoding", "the file is saved as UTF-32; save it as UTF-8")
    ]


@pytest.mark.parametrize("codec", ["utf-32", "utf-32-be"])
def test_a_utf32_batch_file_is_called_utf32(codec: str) -> None:
    header = "patient_id,guideline,start,medication\n"
    raw = header.encode(codec) if codec == "utf-32" else ("\ufeff" + header).encode(codec)
    with pytest.raises(TaperError, match="is UTF-32 text"):
        decode_batch(raw, "p.csv")


def test_markdown_escapes_rule_file_text(run_cli: object, tmp_path: Path) -> None:
    """Markdown passed `<script>` from a rule file through (the HTML sheet escaped it)."""
    text = (ROOT / "guidelines" / "se-vgr.yaml").read_text(encoding="utf-8")
    hostile = "<script>alert(1)</script> [click](javascript:alert(2)) `code`"
    old = '        en: "Motivational talk: your own reasons for stopping'
    assert old in text
    text = text.replace(
        old, f'        en: "{hostile} Motivational talk: your own reasons for stopping'
    )
    path = tmp_path / "se-vgr-local.yaml"
    path.write_text(text.replace("id: se-vgr\n", "id: se-vgr-local\n", 1), encoding="utf-8")
    result: CliResult = run_cli(  # type: ignore[operator]
        *PLAN, "-g", str(path), "--format", "markdown", "--lang", "en"
    )
    assert result.code == 0, result.err
    assert "<script>" not in result.out
    assert "[click](" not in result.out  # escaped, so no link
    assert "&lt;script&gt;alert(1)&lt;/script&gt; \\[click\\](javascript:alert(2)) \\`code\\`" in (
        result.out
    )
