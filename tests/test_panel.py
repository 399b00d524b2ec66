"""The patient panel (tests/panel.py): its report is current and every plan is sound."""

from __future__ import annotations

from pathlib import Path

import pytest
from panel import PANEL, Patient, plan_of, report

from taper.errors import TaperError
from taper.guideline.loader import load_guideline
from taper.plan.invariants import plan_problems
from taper.plan.regimen_invariants import regimen_problems

REPORT = Path(__file__).resolve().parents[1] / "docs" / "panel-report.md"


def test_the_panel_has_at_least_forty_patients() -> None:
    assert len(PANEL) >= 40
    assert len({p.id for p in PANEL}) == len(PANEL)


def test_committed_panel_report_is_current() -> None:
    assert REPORT.read_text(encoding="utf-8") == report(), (
        "docs/panel-report.md is out of date: .venv/bin/python tests/panel.py > "
        "docs/panel-report.md"
    )


@pytest.mark.parametrize("patient", PANEL, ids=[p.id for p in PANEL])
def test_every_panel_plan_keeps_every_invariant(patient: Patient) -> None:
    guideline = load_guideline(patient.guideline).guideline
    try:
        plan = plan_of(patient)
    except TaperError as exc:
        refusal = str(exc)
        assert "\n" not in refusal
        assert refusal.endswith(".")
        return
    assert plan_problems(plan, guideline) == []
    assert regimen_problems(plan, guideline) == []
    assert plan.steps[-1].dose == 0
