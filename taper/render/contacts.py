"""The Contacts list of the text and Markdown outputs: the plan's checkpoints, one dose change
a day. The plan keeps a dose-change checkpoint per drug (its JSON says which drug changes);
a switch changes two drugs on one date, and the list said "Dose change" twice on that day
(clinician review 4, D12)."""

from __future__ import annotations

import datetime as dt

from taper.render.view import CheckpointView, PlanView


def contacts(view: PlanView) -> list[CheckpointView]:
    """The checkpoints to list, the second and later dose change of a day left out."""
    changed: set[dt.date] = set()
    out = []
    for c in view.checkpoints:
        if c.checkpoint.kind == "dose-change":
            if c.checkpoint.date in changed:
                continue
            changed.add(c.checkpoint.date)
        out.append(c)
    return out
