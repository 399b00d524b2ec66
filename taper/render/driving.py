"""Driving and the plan's doses: until which day the benzodiazepine and z-drug doses of a plan
do not meet the health requirement for a driving licence (the rule file's `driving`; Norway:
førerkortforskriften vedlegg 1 § 36, via rusinfo.no and helsenorge.no).

A drug the rule file lists meets it up to its amount a day, halved on a day another such drug
is taken too; any other benzodiazepine does not meet it at all. Opioids have rules of their own
that no rule file gives, so a plan with an opioid only points the patient to the doctor. The
prescriber has the duty to tell the patient (rusinfo.no); the sheet gives the dates."""

from __future__ import annotations

import datetime as dt

from taper.guideline.model import Driving
from taper.plan.model import Step
from taper.render.view import PlanView


def driving_line(view: PlanView) -> str | None:
    """The patient's sentence on driving, or None where the rule file gives no limits or the
    plan has no benzodiazepine or z-drug."""
    guideline = view.guideline
    if guideline is None or guideline.driving is None:
        return None
    classes = {d.id: d.drug_class for d in guideline.drugs}
    taken = [s for s in view.plan.steps if s.phase != "aftercare" and s.dose > 0]
    sedatives = [s for s in taken if classes.get(s.drug) == "benzodiazepine"]
    if not sedatives:
        return None
    t = view.t
    if any(classes.get(s.drug) == "opioid" for s in taken):
        return t._(
            "Driving: these medicines affect your driving, and a driving licence has rules of "
            "its own for them. Talk to your doctor before you drive."
        )
    beyond = _last_day_beyond(guideline.driving, sedatives)
    last = max(s.end for s in sedatives)
    if beyond is None:
        return _within(view, guideline.driving, sedatives)
    wait = guideline.driving.days_after_change
    changes = _changes(sedatives)
    barred = _last_day_barred(beyond, wait, changes)
    if barred >= last:
        return t._(
            "Driving: while you take these tablets (in your plan up to and including %(date)s) you "
            "do not meet the health requirement for a driving licence (group 1). Talk to your "
            "doctor about when you can drive again.",
            date=t.date(last),
        )
    if wait is None:
        line = t._(
            "Driving: do not drive up to and including %(date)s: until then your doses do not "
            "meet the health requirement for a driving licence (group 1). Talk to your doctor "
            "before you drive again.",
            date=t.date(barred),
        )
    else:
        # The later, lower doses meet it on the same conditions as a plan within the limits
        # (clinician review 13, D3; nurse review 9, N1: the first day of a new dose read as
        # free to drive), each of those days named (nurse review 10, F3 and F4).
        line = t._(
            "Driving: do not drive up to and including %(date)s. Until then your doses do not "
            "meet the health requirement for a driving licence (group 1), or a change of dose "
            "is less than %(days)s days ago. Talk to your doctor before you drive again.",
            date=t.date(barred),
            days=wait,
        )
        later = _days_after_changes(view, wait, [c for c in changes if c > barred], last)
        if later:
            line += " " + t._(
                "Nor in the %(days)s days after each later change of dose (%(dates)s).",
                days=wait,
                dates=later,
            )
    return line + _hours_before(view, guideline.driving, sedatives)


def _changes(sedatives: list[Step]) -> set[dt.date]:
    """The days a dose changes (a new daily dose of a drug, a drug begun after the plan's
    first day, a drug stopped while another is still taken); not the plan's first day."""
    first = min(s.start for s in sedatives)
    last = max(s.end for s in sedatives)
    changes: set[dt.date] = set()
    for drug in {s.drug for s in sedatives}:
        steps = sorted((s for s in sedatives if s.drug == drug), key=lambda s: s.start)
        changes.update(
            b.start
            for a, b in zip([None, *steps], steps, strict=False)
            if a is None or a.dose != b.dose
        )
        if steps[-1].end < last:
            changes.add(steps[-1].end + dt.timedelta(days=1))
    changes.discard(first)
    return changes


def _last_day_barred(beyond: dt.date, wait: int | None, changes: set[dt.date]) -> dt.date:
    """The last day before the doses meet the requirement and `wait` days have passed since
    every change of dose before it."""
    if wait is None:
        return beyond
    day = beyond + dt.timedelta(days=1)  # the first day within the limits is a change
    while recent := [c for c in changes if c <= day and (day - c).days < wait]:
        day = max(recent) + dt.timedelta(days=wait)
    return day - dt.timedelta(days=1)


def _days_after_changes(view: PlanView, wait: int, changes: list[dt.date], last: dt.date) -> str:
    """The days not to drive after each change of dose up to the last dose ("1 Feb – 7 Feb,
    15 Feb – 21 Feb"), overlapping stretches as one."""
    stretches: list[list[dt.date]] = []
    for change in sorted(c for c in changes if c <= last):
        end = change + dt.timedelta(days=wait - 1)
        if stretches and change <= stretches[-1][1] + dt.timedelta(days=1):
            stretches[-1][1] = max(stretches[-1][1], end)
        else:
            stretches.append([change, end])
    t = view.t
    return ", ".join(f"{t.short_day_month(a)} – {t.short_day_month(b)}" for a, b in stretches)


def _last_day_beyond(driving: Driving, sedatives: list[Step]) -> dt.date | None:
    """The last day of a step whose dose does not meet the requirement (None: none)."""
    limits = {limit.drug: limit for limit in driving.limits}
    beyond: dt.date | None = None
    for step in sedatives:
        limit = limits.get(step.drug)
        if limit is not None and step.unit == "mg":
            together = any(
                other.drug != step.drug and other.start <= step.end and step.start <= other.end
                for other in sedatives
            )
            most = limit.max_daily / 2 if together else limit.max_daily
            if step.dose <= most:
                continue
        beyond = step.end if beyond is None else max(beyond, step.end)
    return beyond


def _within(view: PlanView, driving: Driving, sedatives: list[Step]) -> str:
    """Every dose meets the requirement: the conditions the rule file attaches to it."""
    t = view.t
    wait = driving.days_after_change
    last = max(s.end for s in sedatives)
    days = (
        None if wait is None else _days_after_changes(view, wait, list(_changes(sedatives)), last)
    )
    if wait is not None and days:
        line = t._(
            "Driving: the doses in your plan meet the health requirement for a driving licence "
            "(group 1), but not in the %(days)s days after a change of dose: do not drive then "
            "(%(dates)s). Talk to your doctor before you drive.",
            days=wait,
            dates=days,
        )
    else:
        line = t._(
            "Driving: the doses in your plan meet the health requirement for a driving licence "
            "(group 1). Talk to your doctor before you drive."
        )
    return line + _hours_before(view, driving, sedatives)


def _hours_before(view: PlanView, driving: Driving, sedatives: list[Step]) -> str:
    """The hours between a dose and driving, for each drug of the plan the rule file sets
    (said so that it never reads as "take it before you drive", nurse review 10, F3)."""
    drugs = {s.drug for s in sedatives}
    return "".join(
        " "
        + view.t._(
            "Do not drive until at least %(hours)s hours after you took %(drug)s.",
            drug=view.drug_names.get(limit.drug, limit.drug),
            hours=limit.hours_before,
        )
        for limit in driving.limits
        if limit.drug in drugs and limit.hours_before is not None
    )
