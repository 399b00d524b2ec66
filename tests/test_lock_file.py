"""The locked test environment (requirements/lock.txt) and pyproject.toml agree.

`tools/install.sh` installs exactly the lock (versions and hashes); `tools/lock.sh` makes it
from pyproject.toml and requirements/build.in. A dependency added to, removed from or narrowed
in one but not the other fails here with the command that mends it.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements" / "lock.txt"
MEND = "re-lock with `bash tools/lock.sh` (or `bash tools/check.sh --upgrade`) and commit it"

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def declared() -> dict[str, Requirement]:
    """Every requirement pyproject.toml names (runtime and every extra) and build.in's."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        lines.extend(extra)
    build_in = (ROOT / "requirements" / "build.in").read_text(encoding="utf-8").splitlines()
    lines.extend(line for line in build_in if line.strip() and not line.startswith("#"))
    requirements = [Requirement(line) for line in lines]
    return {canonicalize_name(r.name): r for r in requirements if r.name != "taper"}


def locked() -> dict[str, tuple[str, list[str], str]]:
    """name -> (version, hashes, the lock's "via" annotation) for every pin in the lock."""
    pins: dict[str, tuple[str, list[str], str]] = {}
    name = ""
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        if match := _PIN.match(line):
            name = canonicalize_name(match[1])
            pins[name] = (match[2], [], "")
        elif name and (hash_ := re.search(r"--hash=(sha256:[0-9a-f]{64})", line)):
            pins[name][1].append(hash_[1])
        elif name and line.strip().startswith("#"):
            version, hashes, via = pins[name]
            pins[name] = (version, hashes, via + line.strip("# ") + "\n")
    return pins


def test_every_declared_dependency_is_locked_at_a_version_it_allows() -> None:
    pins = locked()
    missing = sorted(set(declared()) - set(pins))
    assert not missing, f"in pyproject.toml but not in requirements/lock.txt: {missing}; {MEND}"
    outside = {
        name: f"{pins[name][0]} not in {req.specifier}"
        for name, req in declared().items()
        if not req.specifier.contains(pins[name][0], prereleases=True)
    }
    assert not outside, f"locked versions outside pyproject.toml's ranges: {outside}; {MEND}"


def test_nothing_is_locked_for_taper_that_pyproject_no_longer_names() -> None:
    ours = {
        name
        for name, (_, _, via) in locked().items()
        if "pyproject.toml" in via or "build.in" in via
    }
    stale = sorted(ours - set(declared()))
    assert not stale, f"locked as taper's but not in pyproject.toml: {stale}; {MEND}"


def test_every_pin_is_exact_and_hashed() -> None:
    pins = locked()
    assert len(pins) > 20
    unhashed = sorted(name for name, (_, hashes, _) in pins.items() if not hashes)
    assert not unhashed, f"pins without hashes: {unhashed}; {MEND}"
    text = LOCK.read_text(encoding="utf-8")
    assert not re.search(r"^[A-Za-z0-9][^\s#]*(>=|<=|~=|>|<)", text, re.M)


def test_the_scripts_install_from_the_lock_and_ci_runs_the_readme_command() -> None:
    install = (ROOT / "tools" / "install.sh").read_text(encoding="utf-8")
    assert "--require-hashes" in install
    assert "-r requirements/lock.txt" in install
    assert "bash tools/install.sh" in (ROOT / "tools" / "check.sh").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "\nbash tools/check.sh\n" in readme
    assert "bash tools/install.sh && .venv/bin/taper plan" in readme
    assert "bash tools/check.sh --upgrade" in readme
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.rstrip().endswith("bash tools/check.sh")
