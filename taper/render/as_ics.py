"""iCalendar (RFC 5545) via icalendar (the optional `ics` extra).

Events: the start of every step with a new dose (which tablets to take at each time of day),
the support talks, the evaluation and the aftercare contacts. A plan gives dates, not clock
times, so every event is an all-day event on the region's calendar date (`X-WR-TIMEZONE` names
the region's zone) and marked free (TRANSP:TRANSPARENT) so it never blocks the day.

UIDs are stable for an identical plan and new for a changed one: a hash of the plan's whole
identity (the rule file's sha256, the medication lines, the rules, and every step, dose, tablet,
pause, note and contact the planner made, so every option that shapes a plan — --pause,
--percent, --interval, --switch, a replan and its --original doses — is in it) and the event's
own key (what, which drug, which date). Never random and never language-dependent (the plan's
language and the titles are left out), so re-importing the same plan updates its events in
any language, and a changed plan's events never share a UID with the old plan's: a calendar
cannot be told that an event vanished, so the old plan's events must be deleted by hand
before a changed plan is imported (README). DTSTAMP is the plan's start date at 00:00 UTC, so
the same plan gives the same bytes. The stamp (rule file id, version, sha256, taper version)
is the calendar's X-WR-CALDESC and ends every event's description.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from taper.errors import TaperError
from taper.plan.model import Plan
from taper.render.view import CheckpointView, PlanView, StepView

MISSING = "Calendar files need the optional extra: pip install 'taper[ics]'"


def plan_identity(plan: Plan) -> str:
    """A digest of everything that makes the plan what it is, in no language: two plans share
    it only when every step, dose and contact is the same."""
    data = plan.model_dump(
        mode="json",
        exclude={
            "language": True,  # the same plan in another language is the same plan
            "tool_version": True,  # a new taper that plans the same keeps the events
            "warnings": True,  # English sentences; what they say is in the steps
            "unverified": True,
            "checkpoints": {"__all__": {"title"}},  # a title may be in the plan's language
        },
    )
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def uid(view: PlanView, key: str, identity: str | None = None) -> str:
    plan = view.plan
    identity = identity or plan_identity(plan)
    digest = hashlib.sha256(f"{plan.guideline.sha256}|{identity}|{key}".encode()).hexdigest()
    return f"{digest[:32]}@taper"


def _step_summary(view: PlanView, s: StepView) -> str:
    t = view.t
    if s.kind == "mapping":
        return t._("Mapping begins: write down every dose (%(drug)s)", drug=s.drug)
    if s.kind == "stop":
        if s.patch:
            return t._("No more patches: %(drug)s", drug=s.drug)
        return t._("No more tablets: %(drug)s", drug=s.drug)
    if s.patch:  # a rate, never "a day"
        return t._("New patch strength: %(drug)s %(amount)s", drug=s.drug, amount=s.daily)
    return t._("New dose: %(drug)s %(amount)s a day", drug=s.drug, amount=s.daily)


def _step_description(view: PlanView, s: StepView) -> str:
    t = view.t
    lines = [f"{s.phase}: {s.dates} ({s.days})"]
    if s.kind == "mapping":
        lines.append(s.as_now)
        lines.append(t._("Write down every dose in the intake diary (a separate sheet)."))
    elif s.kind == "stop":
        lines.append(s.stop_from)
    else:
        lines += [f"{d.label}: {d.tablets} ({d.amount})" for d in s.doses]
        if s.patch:
            lines.append(t._("Change the patch as prescribed."))
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
    cal.add("x-wr-caldesc", view.stamp)
    identity = plan_identity(plan)

    def event(key: str, day: dt.date, summary: str, description: str, category: str) -> None:
        ev = icalendar.Event()
        ev.add("uid", uid(view, key, identity))
        ev.add("dtstamp", stamp)
        ev.add("dtstart", day)
        ev.add("dtend", day + dt.timedelta(days=1))
        ev.add("summary", summary)
        ev.add("description", f"{description}\n\n{view.stamp}" if description else view.stamp)
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
