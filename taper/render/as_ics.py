"""iCalendar (RFC 5545) via icalendar (the optional `ics` extra).

Events: the start of every step with a new dose (which tablets to take at each time of day),
the support talks, the evaluation and the aftercare contacts. A plan gives dates, not clock
times, so every event is an all-day event on the region's calendar date (`X-WR-TIMEZONE` names
the region's zone) and marked free (TRANSP:TRANSPARENT) so it never blocks the day.

UIDs are stable for an unchanged event and new for a changed one: a hash of whose plan it is
(the patient id, `--patient-id` or the batch row's id, when one is given; else the plan's
origin: the rule file's sha256, the medication lines and the plan's first day) and the event's
own content in no language (what, which drug, which date, which doses and tablets, which
contact and checklist). So two patients never share a UID when each has an id; re-importing
the same plan updates its events, in any language; and a changed plan (a `--pause`, another
`--percent`, a replan) keeps the UIDs of the events that did not change, the past ones in
particular, while every changed event gets a new UID. A calendar cannot be told that an event
vanished, so a changed plan's superseded events must still be deleted by hand (README).
DTSTAMP is the plan's start date at 00:00 UTC, so the same plan gives the same bytes. The
stamp (rule file id, version, sha256, taper version) is the calendar's X-WR-CALDESC and ends
every event's description. Every text value goes through icalendar's vText, which escapes
commas, semicolons and backslashes (an X- property is otherwise written raw).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from taper.errors import TaperError
from taper.render.view import CheckpointView, PlanView, StepView

MISSING = "Calendar files need the optional extra: pip install 'taper[ics]'"


def owner(view: PlanView) -> str:
    """Whose events these are: the patient's id when given, else the plan's origin (rule
    file, medication lines, first day), which a `--pause` or another `--percent` keeps."""
    if view.patient_id is not None:
        return f"patient|{view.patient_id}"
    plan = view.plan
    lines = json.dumps([m.text for m in plan.medications], ensure_ascii=False)
    return f"origin|{plan.guideline.sha256}|{lines}|{plan.start.isoformat()}"


def uid(view: PlanView, key: str, content: object = None) -> str:
    """An event's UID from its owner, its key and its content (language-neutral JSON)."""
    body = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    seed = f"{owner(view)}|{key}|{body}"
    return f"{hashlib.sha256(seed.encode()).hexdigest()[:32]}@taper"


def _step_content(s: StepView) -> object:
    step = s.step
    return {
        "kind": s.kind,
        "unit": step.unit,
        "dose": str(step.dose),
        "doses": [d.model_dump(mode="json") for d in step.doses],
    }


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
        if s.patch and s.patch_hours is None:
            # (a patch with its label's interval says it in its tablets text)
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
    cal.add("x-wr-calname", icalendar.vText(view.title))
    cal.add("x-wr-timezone", icalendar.vText(plan.timezone))
    cal.add("x-wr-caldesc", icalendar.vText(view.stamp))

    def event(
        key: str, content: object, day: dt.date, summary: str, description: str, category: str
    ) -> None:
        ev = icalendar.Event()
        ev.add("uid", uid(view, key, content))
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
            _step_content(s),
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
            cp.content,
            cp.date,
            c.label,
            _checkpoint_description(c),
            c.label,
        )
    data: bytes = cal.to_ical()
    return data
