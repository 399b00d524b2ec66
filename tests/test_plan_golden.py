"""Golden plans for typical patients: a change to a patient's plan is a visible diff.

Regenerate after an intended change with `TAPER_UPDATE_GOLDEN=1 pytest tests/test_plan_golden.py`
and review the diff of tests/golden/plan-*.json.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from taper.dose import parse_medication
from taper.guideline.loader import load_guideline
from taper.guideline.registry import builtin_ids
from taper.plan import PlanOptions, make_plan
from taper.plan.invariants import plan_problems

HERE = Path(__file__).parent
GOLDEN = HERE / "golden"
FIXTURES = HERE / "fixtures"
UPDATE = os.environ.get("TAPER_UPDATE_GOLDEN") == "1"
START = dt.date(2025, 3, 3)


@dataclass(frozen=True)
class Case:
    name: str
    guideline: str
    meds: tuple[str, ...]
    switch: bool | None = None
    specialist: bool = False
    options: dict[str, object] = field(default_factory=dict)

    @property
    def builtin(self) -> bool:
        return not self.guideline.endswith(".yaml")


def fixture(name: str) -> str:
    return str(FIXTURES / f"plan-{name}.yaml")


CASES = [
    # fixtures (always present)
    Case("fixture-se-oxazepam", fixture("se"), ("oxazepam 25 mg",)),
    Case(
        "fixture-se-opioid-and-benzodiazepine", fixture("se"), ("oxazepam 30 mg", "oxycodone 60 mg")
    ),
    Case("fixture-uk-alprazolam-switch", fixture("uk"), ("alprazolam 1.5 mg",)),
    Case("fixture-us-oxycodone", fixture("us"), ("oxycodone 50 mg",)),
    # shipped rule files (checked once the file is in guidelines/)
    Case("se-vgr-oxazepam", "se-vgr", ("oxazepam 25 mg",)),
    Case("se-vgr-zopiclone", "se-vgr", ("zopiclone 7.5 mg",)),
    Case("se-vgr-oxycodone", "se-vgr", ("oxycodone 40 mg",)),
    Case("uk-ashton-alprazolam", "uk-ashton", ("alprazolam 1.5 mg",)),
    Case("no-helsedir-alprazolam-switch", "no-helsedir", ("alprazolam 1 mg",), switch=True),
    Case("us-cdc-2022-oxycodone", "us-cdc-2022", ("oxycodone 60 mg",)),
    # issue 15: two opioids in turn, the CDC tail under se-vgr, Ashton's hypnotic switch
    Case("us-cdc-2022-two-opioids", "us-cdc-2022", ("oxycodone 120 mg", "hydromorphone 8 mg")),
    # 100 mg OME: at the se-vgr limit ("definitely below 100 mg"), so a specialist signs
    Case("se-vgr-oxycodone-tail", "se-vgr", ("oxycodone 50 mg",), specialist=True),
    Case("uk-ashton-temazepam", "uk-ashton", ("temazepam 20 mg",)),
    # issue 15: a depot taper with an immediate-release tail, a combination product within
    # its label, a buprenorphine pain patch
    Case("se-vgr-tramadol-depot-tail", "se-vgr", ("tramadol 300 mg",)),
    Case("no-helsedir-paralgin-forte", "no-helsedir", ("Paralgin forte 240 mg",)),
    Case("se-vgr-citodon", "se-vgr", ("Citodon 180 mg",)),
    Case("us-cdc-2022-butrans", "us-cdc-2022", ("Butrans 10 mcg/h",)),
    # Issue 15 item 3: a liquid tail after depot tablets (no immediate-release morphine
    # tablets in us-cdc-2022) and an oral suspension for steps the tablets cannot make.
    Case("us-cdc-2022-morphine-liquid-tail", "us-cdc-2022", ("morphine 60 mg",)),
    Case("uk-ashton-diazepam-suspension", "uk-ashton", ("diazepam 10 mg",)),
    # Issue 15 item 9: UK opioids after Opioids Aware - MST Continus with an Oramorph tail,
    # co-codamol 30/500 within its 8 tablets a day
    Case("uk-ashton-morphine-oramorph-tail", "uk-ashton", ("morphine 60 mg",)),
    Case("uk-ashton-co-codamol", "uk-ashton", ("co-codamol 240 mg",)),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_golden_plan(case: Case) -> None:
    if case.builtin and case.guideline not in builtin_ids():
        pytest.skip(f"rule file {case.guideline} is not shipped yet")
    loaded = load_guideline(case.guideline)
    options = PlanOptions(
        start=START,
        switch=case.switch,
        specialist=case.specialist,
        **case.options,  # type: ignore[arg-type]
    )
    made = make_plan([parse_medication(m) for m in case.meds], loaded, options)
    assert plan_problems(made, loaded.guideline) == []
    # The rule file's hash and the tool version change with every edit of a rule file or a
    # release; the golden files pin the plan itself, so both are stated as placeholders.
    assert len(made.guideline.sha256) == 64
    stable = made.model_copy(
        update={
            "guideline": made.guideline.model_copy(update={"sha256": "<sha256>"}),
            "tool_version": "<version>",
        }
    )
    text = stable.model_dump_json(indent=2) + "\n"
    path = GOLDEN / f"plan-{case.name}.json"
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}: run with TAPER_UPDATE_GOLDEN=1"
    assert path.read_text(encoding="utf-8") == text, (
        f"plan {case.name} changed; if intended, regenerate with TAPER_UPDATE_GOLDEN=1"
    )
