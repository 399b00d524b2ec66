"""taper.io.write_atomic: never over a file unless asked, never half a file, folders refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from taper.errors import TaperError
from taper.io import write_atomic


def test_writes_a_new_file_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    write_atomic(target, b"{}\n")
    assert target.read_bytes() == b"{}\n"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]


def test_an_existing_file_is_kept_without_force(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    target.write_bytes(b"old")
    with pytest.raises(TaperError, match="already exists; use --force"):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"


def test_force_replaces_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    target.write_bytes(b"old")
    write_atomic(target, b"new", force=True)
    assert target.read_bytes() == b"new"


@pytest.mark.parametrize("force", [False, True])
def test_a_folder_is_refused_as_a_folder_not_as_existing(tmp_path: Path, force: bool) -> None:
    """Regression: a folder was reported as "already exists; use --force", and --force failed."""
    with pytest.raises(TaperError, match="is a directory; give a file name") as caught:
        write_atomic(tmp_path, b"x", force=force)
    assert "--force" not in str(caught.value)


def test_a_missing_folder_is_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(TaperError, match="does not exist"):
        write_atomic(tmp_path / "missing" / "plan.json", b"x")
