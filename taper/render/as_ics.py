"""iCalendar (RFC 5545) via icalendar (the optional `ics` extra).

Events: the start of every step with a new dose (which tablets to take at each time of day),
the support talks, the evaluation and the aftercare contacts. A plan gives dates, not clock
times, so every event is an all-day event on the region's calendar date (`X-WR-TIMEZONE` names
the region's zone) and marked free (TRANSP:TRANSPARENT) so it never blocks the day.

UIDs are stable: a hash of the guideline's sha256, the plan's identity (start date, medication
lines, rules) and the event's own key (what, which drug, which date), never random, so
re-importing the same plan updates events instead of duplicating them, in any language.
DTSTAMP is the plan's start date at 00:00 UTC, so the same plan gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from taper.errors import TaperError
from taper.render.view import CheckpointView, PlanView, StepView

MISSING = "Calendar files need the optional extra: pip install 'taper[ics]'"


def uid(view: PlanView, key: str) -> str:
    plan = view.plan
    identity = json.dumps(
        {
            "start": plan.start.isoformat(),
            "medications": [m.text for m in plan.medications],
            "rules": plan.rule_ids,
            "guideline": plan.guideline.id,
        },
        sort_keys=True,
    )
    digest = hashlib.sha256(f"{plan.guideline.sha256}|{identity}|{key}".encode()).hexdigest()
    return f"{digest[:32]}@taper"


def _step_summary(view: PlanView, s: StepView) -> str:
    t = view.t
    if s.kind == "mapping":
        return t._("Mapping begins: write down every dose (%(drug)s)", drug=s.drug)
    if s.kind == "stop":
        return t._("No more tablets: %(drug)s", drug=s.drug)
    return t._("New dose: %(drug)s %(amount)s a day", drug=s.drug, amount=s.daily)


def _step_description(view: PlanView, s: StepView) -> str:
    t = view.t
    lines = [f"{s.phase}: {s.dates} ({s.days})"]
    if s.kind == "mapping":
        lines.append(t._("Take your tablets as you do now."))
        lines.append(t._("Write down every dose in the intake diary (a separate sheet)."))
    elif s.kind == "stop":
        lines.append(t._("From %(date)s: no more tablets.", date=s.start))
    else:
        lines += [f"{d.label}: {d.tablets} ({d.amount})" for d in s.doses]
    return "\n".join(lines)


def _checkpoint_description(c: CheckpointView) -> str:
    return "\n".join([*(f"- {item}" for item in c.content), *c.links])


def render_ics(view: PlanView) -> bytes:
    try:
        import icalendar
    except ImportError:
        raise TaperError(MISSING) from None
    plan = view.plan
    stamp = dt.datetime.combine(plan.start, dt.time(0), tzinfo=dt.UTC)
    cal = icalendar.Calendar()
    cal.add("prodid", f"-//taper//taper {plan.tool_version}//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", view.title)
    cal.add("x-wr-timezone", plan.timezone)

    def event(key: str, day: dt.date, summary: str, description: str, category: str) -> None:
        ev = icalendar.Event()
        ev.add("uid", uid(view, key))
        ev.add("dtstamp", stamp)
        ev.add("dtstart", day)
        ev.add("dtend", day + dt.timedelta(days=1))
        ev.add("summary", summary)
        if description:
            ev.add("description", description)
        ev.add("categories", [category])
        ev.add("transp", "TRANSPARENT")
        ev.add("sequence", 0)
        cal.add_component(ev)

    starts: set[tuple[str, dt.date]] = set()
    previous: dict[str, tuple[str, list[str]]] = {}
    for s in view.steps:
        what = (s.kind, [d.label + d.tablets for d in s.doses])
        if previous.get(s.step.drug) == what:
            continue  # the same tablets go on (e.g. a pause): no new event
        previous[s.step.drug] = what
        starts.add((s.step.drug, s.step.start))
        event(
            f"step|{s.step.drug}|{s.step.start.isoformat()}",
            s.step.start,
            _step_summary(view, s),
            _step_description(view, s),
            s.phase,
        )
    seen: dict[str, int] = {}
    for c in view.checkpoints:
        cp = c.checkpoint
        if cp.kind == "dose-change" and any(day == cp.date for _, day in starts):
            continue  # the step's own event says what changes
        key = f"checkpoint|{cp.kind}|{cp.drug or ''}|{cp.date.isoformat()}"
        seen[key] = seen.get(key, 0) + 1  # two contacts of one kind on one day stay apart
        event(
            f"{key}|{seen[key]}",
            cp.date,
            c.label,
            _checkpoint_description(c),
            c.label,
        )
    data: bytes = cal.to_ical()
    return data
