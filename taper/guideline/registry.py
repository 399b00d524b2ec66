"""Built-in rule files: shipped inside the package, or read from the source tree."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


@cache
def guidelines_dir() -> Path:
    installed = _PACKAGE_DIR / "_guidelines"  # placed there by the wheel build
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / "guidelines"


@cache
def builtin_files() -> dict[str, Path]:
    """Guideline id → file. The id is the file's stem; `guidelines validate` checks they agree."""
    folder = guidelines_dir()
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))}


def builtin_ids() -> list[str]:
    return list(builtin_files())


def builtin_path(guideline_id: str) -> Path | None:
    return builtin_files().get(guideline_id)
