"""Builders shared by the checkpoint and referral tests: steps and guidelines without YAML."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from taper.guideline.model import (
    Aftercare,
    Checkpoints,
    ContentItem,
    Evaluation,
    Guideline,
    LocalText,
    SupportContacts,
)
from taper.plan.model import Phase, Step

D = dt.date


def step(
    index: int,
    phase: Phase,
    start: dt.date,
    days: int,
    dose: str | int,
    drug: str = "oxazepam",
    unit: str = "mg",
) -> Step:
    return Step(
        index=index,
        phase=phase,
        start=start,
        end=start + dt.timedelta(days=days - 1),
        drug=drug,
        dose=Decimal(dose),
        unit=unit,
        doses=[],
    )


def schedule(
    start: dt.date, drug: str, parts: list[tuple[Phase, int, str | int]], first_index: int = 0
) -> list[Step]:
    """Consecutive steps of one drug: (phase, days, daily dose) each."""
    steps = []
    day = start
    for offset, (phase, days, dose) in enumerate(parts):
        steps.append(step(first_index + offset, phase, day, days, dose, drug))
        day += dt.timedelta(days=days)
    return steps


def checkpoint_rules(
    *,
    before_each_reduction: bool = True,
    lead_days: int = 1,
    every_days: int | None = 7,
    max_gap_days: int | None = None,
    avoid_weekends: bool = True,
    minimum: str = "6m",
    offsets: tuple[str, ...] = ("2w", "1m", "2m", "3m", "6m"),
    evaluation: str | None = None,
) -> Checkpoints:
    return Checkpoints(
        support=SupportContacts(
            before_each_reduction=before_each_reduction,
            lead_days=lead_days,
            every_days=every_days,
            max_gap_days=max_gap_days,
            content=["withdrawal-symptoms", "motivation"],
            unverified_note="test",
        ),
        aftercare=Aftercare(
            minimum=minimum,
            offsets=list(offsets),
            content=["relapse-prevention", "self-help-groups"],
            opioid_content=["lost-tolerance", "overdose-risk", "naloxone"],
            unverified_note="test",
        ),
        evaluation=(
            Evaluation(after=evaluation, content=["evaluation"], unverified_note="test")
            if evaluation
            else None
        ),
        avoid_weekends=avoid_weekends,
        content=[
            ContentItem(id=cid, text=LocalText(en=cid))
            for cid in (
                "withdrawal-symptoms",
                "motivation",
                "relapse-prevention",
                "self-help-groups",
                "lost-tolerance",
                "overdose-risk",
                "naloxone",
                "evaluation",
            )
        ],
    )


def guideline(checkpoints: Checkpoints | None, **extra: Any) -> Guideline:
    data: dict[str, Any] = {
        "id": "test-care",
        "region": "Test",
        "country": "SE",
        "title": "Test",
        "version": "1",
        "effective": D(2026, 1, 1),
        "language": "en",
        "sources": [],
        "drugs": [],
        "equivalence": {},
        "checkpoints": checkpoints,
    }
    data.update(extra)
    return Guideline.model_validate(data)
