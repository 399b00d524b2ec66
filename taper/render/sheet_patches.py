"""Patch change days for the patient's pages: the days a new patch goes on.

The planner starts the plan's patches on the first fixed-dose day and makes every phase and
step whole patches (`taper.plan.patches`), so the change days run on one cycle from the first
patch step's start, every label interval (fentanyl 3 days, buprenorphine 7 days). Nothing here
computes a dose: the days only mark when the patient changes the patch.
"""

from __future__ import annotations

import datetime as dt

from taper.render.view import PlanView, StepView


def _every_days(s: StepView) -> int | None:
    """The step's patch interval in whole days (None: not a patch step, or not whole days)."""
    hours = s.patch_hours
    if not s.patch or not hours or hours % 24:
        return None
    return hours // 24


def patch_change_days(view: PlanView, drug: str | None = None) -> set[dt.date]:
    """Every day a new patch goes on, from each drug's first prescribed patch to its last (of
    `drug` only, where given)."""
    days: set[dt.date] = set()
    anchors: dict[str, dt.date] = {}
    for s in view.steps:
        every = _every_days(s)
        if s.kind != "doses" or every is None or s.step.dose <= 0:
            continue
        if drug not in (None, s.step.drug):
            continue
        anchor = anchors.setdefault(s.step.drug, s.step.start)
        day = s.step.start
        while day <= s.step.end:
            if (day - anchor).days % every == 0:
                days.add(day)
            day += dt.timedelta(days=1)
    return days


def last_patch(view: PlanView, drug: str | None = None) -> tuple[dt.date, dt.date] | None:
    """The day the last patch (of `drug`, or of any drug) goes on and the day it comes off
    (None: no patch steps on a whole-day cycle)."""
    worn = [
        s
        for s in view.steps
        if s.kind == "doses" and s.patch and s.step.dose > 0 and drug in (None, s.step.drug)
    ]
    last = max((s.step.end for s in worn), default=None)
    days = [d for d in patch_change_days(view) if last is not None and d <= last]
    if last is None or not days or any(_every_days(s) is None for s in worn):
        return None
    return max(days), last + dt.timedelta(days=1)


def last_patch_text(view: PlanView, drug: str | None = None) -> str | None:
    """Page 1's line: 'put on 2 May 2027, take off 5 May 2027' (None: no such patch)."""
    days = last_patch(view, drug)
    if days is None:
        return None
    on, off = (view.t.date(day) for day in days)
    return view.t._("put on %(on)s, take off %(off)s", on=on, off=off)


def last_patch_stop(view: PlanView, drug: str) -> str | None:
    """The overview's stop row for a patch: the same two dates as page 1."""
    days = last_patch(view, drug)
    if days is None:
        return None
    on, off = (view.t.date(day) for day in days)
    return view.t._(
        "Put on the last patch on %(on)s and take it off on %(off)s. No more patches after that.",
        on=on,
        off=off,
    )
