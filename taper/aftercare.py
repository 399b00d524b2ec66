"""Support contacts during the taper and aftercare contacts after the last dose."""

from __future__ import annotations

import datetime as dt

from taper.guideline.model import DrugClass, Guideline
from taper.plan.model import Checkpoint, Step


def build_checkpoints(
    guideline: Guideline,
    steps: list[Step],
    drug_classes: set[DrugClass],
    start: dt.date,
    last_dose_date: dt.date | None,
) -> list[Checkpoint]:
    """Dated checkpoints for a plan, in date order (placeholder: none yet)."""
    return []
