"""Stand-ins for the planner and the guideline loader, so batch tests exercise the batch
machinery (CSV, grouping, files, summary, exit codes) on their own, deterministically."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import cast

import pytest

from taper.batch import ClassTotalCell
from taper.dose import MedicationInput
from taper.errors import TaperError
from taper.guideline.loader import LoadedGuideline
from taper.guideline.model import Guideline
from taper.plan import PlanOptions
from taper.plan.model import GuidelineStamp, MedicationLine, Plan, PlanWarning

KNOWN_GUIDELINES = ("test-se", "test-no")


class LoaderCounter:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, ref: str) -> LoadedGuideline:
        self.calls.append(ref)
        if ref not in KNOWN_GUIDELINES:
            raise TaperError(f"unknown guideline {ref!r}; built-in guidelines are: test-se.")
        return LoadedGuideline(cast(Guideline, None), ref, "ab" * 32)


def fake_plan(
    medications: list[MedicationInput], loaded: LoadedGuideline, options: PlanOptions
) -> Plan:
    """30 days per medication; 'unknowndrug' is refused, 'crashdrug' is a planner bug."""
    for med in medications:
        if med.drug_name == "unknowndrug":
            raise TaperError("Unknown drug 'unknowndrug' in this guideline.")
        if med.drug_name == "crashdrug":
            raise RuntimeError(f"bug while planning {med.text} for SECRET-PATIENT")
    warnings = [
        PlanWarning(code="short-acting", severity="caution", message="Short-acting drug.")
        for med in medications
        if med.drug_name == "alprazolam"
    ]
    return Plan(
        guideline=GuidelineStamp(id=loaded.path, version="2026.1", sha256=loaded.sha256, title="T"),
        tool_version="0.0.0",
        language="sv",
        timezone="Europe/Stockholm",
        start=options.start,
        medications=[
            MedicationLine(
                text=m.text,
                drug=m.drug_name,
                amount=m.dose.amount,
                unit=m.dose.unit,
                route=m.route or "oral",
            )
            for m in medications
        ],
        rule_ids=[],
        steps=[],
        checkpoints=[],
        warnings=warnings,
        dispensing=[],
        last_dose_date=options.start + dt.timedelta(days=30 * len(medications) - 1),
    )


def fake_totals(
    medications: list[MedicationInput], loaded: LoadedGuideline
) -> dict[str, ClassTotalCell]:
    total = sum((m.dose.amount for m in medications), Decimal(0)) / 2
    return {"benzodiazepine": ClassTotalCell(total, "diazepam mg", True)}


@pytest.fixture(name="fake_batch")
def fake_batch_fixture(monkeypatch: pytest.MonkeyPatch) -> LoaderCounter:
    """Route `taper batch` to the stand-ins; returns the loader to count its calls."""
    loader = LoaderCounter()
    monkeypatch.setattr("taper.batch.load_builtin", loader)
    monkeypatch.setattr("taper.batch.class_totals", fake_totals)
    monkeypatch.setattr("taper.plan.make_plan", fake_plan)
    return loader
