"""Checked snapshots of the built-in rule files (`taper.guideline.checked`).

A built-in whose bytes match the manifest is unpickled instead of parsed, validated and checked.
These tests keep the manifest current, prove the snapshot is exactly what full validation
builds, and that anything else takes the full path.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import CliResult

from taper.guideline import checked, loader
from taper.guideline.checked import load_checked, same_model
from taper.guideline.findings import Finding
from taper.guideline.loader import load_guideline, validate_file
from taper.guideline.model import Band, Guideline, LocalText
from taper.guideline.registry import builtin_files, guidelines_dir
from taper.guideline.yamlstrict import YamlDocument

STALE = "stale: regenerate with `python -m taper.guideline.checked` and commit guidelines/checked/"
SHIPPED = sorted(builtin_files().items())


def sha(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def test_manifest_is_current() -> None:
    folder = guidelines_dir() / checked.FOLDER
    recorded, files = checked._read_manifest(folder)
    assert recorded == checked.fingerprint(), f"the validating code changed; {STALE}"
    valid = {path.name for _, path in SHIPPED if validate_file(path).ok}
    assert set(files) == valid, STALE
    for name, (yaml_sha, snapshot_sha) in files.items():
        assert sha((guidelines_dir() / name).read_bytes()) == yaml_sha, f"{name} changed; {STALE}"
        snapshot = folder / f"{Path(name).stem}.pickle"
        assert sha(snapshot.read_bytes()) == snapshot_sha, f"{snapshot.name} changed; {STALE}"


@pytest.mark.parametrize(("ident", "path"), SHIPPED, ids=[i for i, _ in SHIPPED])
def test_snapshot_is_exactly_full_validation(ident: str, path: Path) -> None:
    full = validate_file(path)
    assert full.ok
    assert full.loaded is not None
    snapshot = load_checked(path, full.loaded.sha256)
    assert snapshot is not None, STALE
    assert same_model(snapshot, full.loaded.guideline)
    assert snapshot == full.loaded.guideline
    assert repr(snapshot) == repr(full.loaded.guideline)
    # the same output as well: serialising builds the validators the snapshot skipped
    assert snapshot.model_dump_json(by_alias=True) == full.loaded.guideline.model_dump_json(
        by_alias=True
    )


def test_same_model_sees_what_equality_does_not() -> None:
    assert Decimal("0.5") == Decimal("0.50")
    half = Band(above=Decimal(0), factor=Decimal("0.5"))
    assert not same_model(half, Band(above=Decimal(0), factor=Decimal("0.50")))
    set_none = Band(above=Decimal(0), up_to=None, factor=Decimal(1))
    default_none = Band(above=Decimal(0), factor=Decimal(1))
    assert set_none == default_none
    assert not same_model(set_none, default_none)  # which fields the file wrote differs
    assert not same_model(LocalText(en="a"), LocalText(en="b"))
    assert not same_model([1], [1, 2])
    assert not same_model({"a": 1}, {"b": 1})
    assert not same_model(1, True)
    assert same_model(half, Band(above=Decimal(0), factor=Decimal("0.5")))


@pytest.fixture
def copy_of_builtins(tmp_path: Path) -> Path:
    folder = tmp_path / "guidelines"
    shutil.copytree(guidelines_dir(), folder)
    return folder


def test_builtin_id_loads_the_snapshot(monkeypatch: pytest.MonkeyPatch) -> None:
    path = builtin_files()["se-vgr"]
    full = validate_file(path).loaded
    assert full is not None
    loader._load_path.cache_clear()

    def no_full_load(raw: bytes, path: str) -> None:
        raise AssertionError("a checked built-in was validated again")

    monkeypatch.setattr(loader, "validate_bytes", no_full_load)
    try:
        loaded = load_guideline("se-vgr")
    finally:
        loader._load_path.cache_clear()
    assert loaded.path == "se-vgr"
    assert loaded.sha256 == sha(path.read_bytes())
    assert same_model(loaded.guideline, full.guideline)


def test_a_path_is_always_loaded_in_full(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = loader.validate_bytes

    def counting(raw: bytes, path: str) -> loader.ValidationResult:
        calls.append(path)
        return real(raw, path)

    monkeypatch.setattr(loader, "validate_bytes", counting)
    loader._load_path.cache_clear()
    try:
        load_guideline(str(builtin_files()["se-vgr"]))
    finally:
        loader._load_path.cache_clear()
    assert calls == [str(builtin_files()["se-vgr"])]


def test_validate_runs_every_check_on_builtins(
    monkeypatch: pytest.MonkeyPatch, run_cli: Callable[..., CliResult]
) -> None:
    from taper.guideline import checks

    calls: list[str] = []
    real = checks.run_checks

    def counting(guideline: Guideline, doc: YamlDocument) -> list[Finding]:
        calls.append(doc.path)
        return real(guideline, doc)

    monkeypatch.setattr(checks, "run_checks", counting)
    paths = [str(path) for _, path in SHIPPED]
    result = run_cli("guidelines", "validate", *paths)
    assert result.code == 0
    assert calls == paths


def test_changed_file_is_not_taken_from_the_snapshot(copy_of_builtins: Path) -> None:
    path = copy_of_builtins / "se-vgr.yaml"
    raw = path.read_bytes()
    assert load_checked(path, sha(raw)) is not None  # the copy is still the checked file
    edited = raw.replace(b"version:", b"version: ", 1)
    path.write_bytes(edited)
    assert load_checked(path, sha(edited)) is None


def test_damaged_or_foreign_snapshot_is_not_used(copy_of_builtins: Path) -> None:
    path = copy_of_builtins / "se-vgr.yaml"
    digest = sha(path.read_bytes())
    snapshot = copy_of_builtins / checked.FOLDER / "se-vgr.pickle"
    # another built-in's snapshot under this name: its sha256 is not the recorded one
    shutil.copy(copy_of_builtins / checked.FOLDER / "uk-ashton.pickle", snapshot)
    assert load_checked(path, digest) is None
    snapshot.write_bytes(b"not a pickle")
    assert load_checked(path, digest) is None
    snapshot.unlink()
    assert load_checked(path, digest) is None


def test_other_code_is_not_trusted(copy_of_builtins: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = copy_of_builtins / "se-vgr.yaml"
    digest = sha(path.read_bytes())
    monkeypatch.setattr(checked, "fingerprint", lambda: "0" * 64)
    assert load_checked(path, digest) is None
    monkeypatch.undo()
    (copy_of_builtins / checked.FOLDER / checked.MANIFEST).write_text("fingerprint\n")
    assert load_checked(path, digest) is None


def test_regenerate_keeps_current_snapshots_and_drops_invalid(copy_of_builtins: Path) -> None:
    out = copy_of_builtins / checked.FOLDER
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    report = checked.regenerate(copy_of_builtins)
    assert all(line.endswith("snapshot current") for line in report)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    broken = copy_of_builtins / "uk-ashton.yaml"
    broken.write_bytes(broken.read_bytes().replace(b"\nid:", b"\nidd:", 1))
    report = checked.regenerate(copy_of_builtins)
    assert "uk-ashton.yaml: not valid, no snapshot" in report
    assert not (out / "uk-ashton.pickle").exists()
    assert load_checked(broken, sha(broken.read_bytes())) is None
    (out / "se-vgr.pickle").unlink()
    assert "se-vgr.yaml: snapshot written" in checked.regenerate(copy_of_builtins)
    se = copy_of_builtins / "se-vgr.yaml"
    assert load_checked(se, sha(se.read_bytes())) is not None
