"""Start-up: what a one-patient plan from a built-in rule file does not need stays unloaded.

Timings are measured by `benchmarks/bench_startup.py`, not here; these tests keep the lazy
imports and the checked snapshot from quietly coming back onto the plan path.
"""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys

import taper

PROBE = """
import json, sys
from taper.cli import main
try:
    main(["plan", "-g", "se-vgr", "--med", "oxazepam 30 mg", "--start", "2026-01-05",
          "--format", "json"])
except SystemExit as exc:
    assert not exc.code, exc.code
from pydantic import BaseModel
from taper.guideline import model
built = [n for n, c in vars(model).items()
         if isinstance(c, type) and issubclass(c, BaseModel) and c.__pydantic_complete__]
from taper.plan import model as plan_model
plan_built = [n for n, c in vars(plan_model).items()
              if isinstance(c, type) and issubclass(c, BaseModel) and c.__pydantic_complete__]
print(json.dumps({"modules": sorted(sys.modules), "built": built, "plan_built": plan_built}),
      file=sys.stderr)
"""


def probe() -> dict[str, list[str]]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
    )
    assert result.stdout.startswith("{")  # the plan itself
    found: dict[str, list[str]] = json.loads(result.stderr.strip().splitlines()[-1])
    return found


def test_plan_from_a_builtin_skips_yaml_checks_and_validators() -> None:
    found = probe()
    modules = set(found["modules"])
    for unneeded in (
        "yaml",
        "taper.guideline.yamlstrict",
        "taper.guideline.checks",
        "taper.guideline.findings",
        "pickle",
        "jinja2",
        "babel",
        "taper.equivalence.comparison",  # only `taper compare`
    ):
        assert unneeded not in modules, unneeded
    assert "taper.guideline.checked" in modules  # it did take the snapshot
    # Public holidays: the rule file's country only, not the library's every country.
    assert "holidays.countries.sweden" in modules
    assert "holidays.countries" not in modules
    assert not any(
        m.startswith("holidays.countries.") and m != "holidays.countries.sweden" for m in modules
    )
    assert found["built"] == []  # no guideline validator was built
    # The plan's own models are made without validation; the plan (for its JSON) is the one
    # built. The start 2026-01-05 moves a dose change: its warning built PlanWarning's too.
    assert found["plan_built"] == ["Plan"]


def test_version_is_the_installed_one() -> None:
    assert taper.__version__ == importlib.metadata.version("taper")
