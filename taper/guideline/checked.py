"""Built-in rule files that passed every check, loaded without checking them again.

Loading a rule file in full means importing PyYAML and the strict reader, parsing the YAML,
validating it against the schema and running every semantic check: 25–35 ms for a shipped file,
on every `taper plan`. The shipped files do not change between runs, so `guidelines/checked/`
holds, for each built-in that passed all of it, the validated `Guideline` (a pickle made by
this module) and `MANIFEST` the sha256 of the YAML it was made from, the sha256 of the pickle
and a fingerprint of the code that decides what is valid (the model, the reader, the loader,
the checks).

A built-in loaded by its id whose bytes hash to the recorded value, under the same fingerprint,
is unpickled: the same objects full validation builds (`tests/test_loader_checked.py` compares
every field, its type and which fields the file set). Any other file, any mismatch and any
error reading the snapshot take the full path; `taper guidelines validate` always does.

What it saves (2026-12-03, paired whole-process runs, medians of CPU time on a shared 2-core
machine): `taper plan` one patient 481 ms with the snapshot, 616 ms without (0.80x, ~135 ms:
PyYAML, the strict reader, the schema and the checks); a 1,000-patient jsonl batch, which
loads each rule file once, 0.97x. Kept: it pays on every one-patient plan.

After changing a shipped rule file or that code, regenerate (a test fails until you do):

    python -m taper.guideline.checked
"""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from taper.guideline.model import Guideline

FOLDER = "checked"
MANIFEST = "MANIFEST"
_GUIDELINE_DIR = Path(__file__).resolve().parent
# The code that decides whether a rule file is valid and what it loads to.
_CODE = (
    "model.py",
    "model_base.py",
    "products.py",
    "care.py",
    "yamlstrict.py",
    "yaml_syntax.py",
    "loader.py",
    "findings.py",
)


@cache
def fingerprint() -> str:
    """sha256 over the validating code and pydantic's major version (the pickle's format).
    Once a process: the code does not change while it runs, and a batch loads several files."""
    import pydantic.version

    digest = hashlib.sha256(f"pydantic {pydantic.version.VERSION.split('.')[0]}\n".encode())
    checks = _GUIDELINE_DIR / "checks"
    names = [*_CODE, *(f"checks/{n}" for n in sorted(os.listdir(checks)) if n.endswith(".py"))]
    for name in names:
        digest.update(f"{name}\n".encode())
        digest.update((_GUIDELINE_DIR / name).read_bytes())
    return digest.hexdigest()


def _read_manifest(folder: Path) -> tuple[str, dict[str, tuple[str, str]]]:
    """(fingerprint, {rule file name: (its sha256, snapshot sha256)})."""
    recorded = ""
    files: dict[str, tuple[str, str]] = {}
    for line in (folder / MANIFEST).read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "fingerprint":
            recorded = parts[1]
        elif len(parts) == 3 and not line.startswith("#"):
            files[parts[2]] = (parts[0], parts[1])
    return recorded, files


def load_checked(path: Path, sha256: str) -> Guideline | None:
    """The checked snapshot of built-in rule file `path` whose bytes hash to `sha256`, or None
    (then load it in full)."""
    folder = path.parent / FOLDER
    try:
        recorded, files = _read_manifest(folder)
        if files.get(path.name, ("", ""))[0] != sha256 or recorded != fingerprint():
            return None
        data = (folder / f"{path.stem}.pickle").read_bytes()
        if hashlib.sha256(data).hexdigest() != files[path.name][1]:
            return None
        from taper.guideline.model import Guideline

        loaded = _loads(data)
    except Exception:  # a missing or damaged snapshot only costs the full load
        return None
    return loaded if type(loaded) is Guideline else None


def _loads(data: bytes) -> object:
    try:  # the C unpickler `pickle.loads` is, without importing pickle.py (~1.5 ms)
        from _pickle import loads
    except ImportError:  # pragma: no cover - Python without the C accelerator
        from pickle import loads
    return loads(data)


def regenerate(folder: Path) -> list[str]:
    """Validate every rule file in `folder` in full and record the ones without errors.

    A snapshot that still loads to the same model is kept byte for byte (pickles of the same
    model differ between runs in the order of sets). Returns what it did, one line a file.
    """
    import pickle

    from taper.guideline.loader import validate_file

    out_dir = folder / FOLDER
    out_dir.mkdir(exist_ok=True)
    _, old = _read_manifest(out_dir) if (out_dir / MANIFEST).exists() else ("", {})
    lines = [
        "# Built-in rule files that passed every check (taper/guideline/checked.py).",
        "# Regenerate: python -m taper.guideline.checked",
        f"fingerprint {fingerprint()}",
        "# rule file sha256, snapshot sha256, rule file",
    ]
    report: list[str] = []
    for path in sorted(folder.glob("*.yaml")):
        snapshot = out_dir / f"{path.stem}.pickle"
        result = validate_file(path)
        if not result.ok or result.loaded is None:
            snapshot.unlink(missing_ok=True)
            report.append(f"{path.name}: not valid, no snapshot")
            continue
        model = result.loaded.guideline
        data = snapshot.read_bytes() if snapshot.exists() else b""
        if not data or not same_model(_unpickle(data), model):
            data = pickle.dumps(model, protocol=5)
            snapshot.write_bytes(data)
            report.append(f"{path.name}: snapshot written")
        else:
            report.append(f"{path.name}: snapshot current")
        snapshot_sha = hashlib.sha256(data).hexdigest()
        lines.append(f"{result.loaded.sha256} {snapshot_sha} {path.name}")
        old.pop(path.name, None)
    for name in old:
        (out_dir / f"{Path(name).stem}.pickle").unlink(missing_ok=True)
    (out_dir / MANIFEST).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return report


def _unpickle(data: bytes) -> object:
    import pickle

    try:
        return pickle.loads(data)
    except Exception:
        return None


def same_model(a: object, b: object) -> bool:
    """Exactly the same values: types, `Decimal` exponents, and which fields were set."""
    from pydantic import BaseModel

    if type(a) is not type(b):
        return False
    if isinstance(a, BaseModel) and isinstance(b, BaseModel):
        if a.model_fields_set != b.model_fields_set or a.model_extra != b.model_extra:
            return False
        if vars(a).keys() != vars(b).keys():
            return False  # a snapshot made before the model gained a field
        return all(same_model(getattr(a, n), getattr(b, n)) for n in type(a).model_fields)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same_model(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(same_model(a[k], b[k]) for k in a)
    return a == b and repr(a) == repr(b)


def main() -> None:
    from taper.guideline.registry import guidelines_dir

    for line in regenerate(guidelines_dir()):
        print(line)


if __name__ == "__main__":
    main()
