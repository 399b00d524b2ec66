"""Plain text: for a terminal or for pasting into a patient record. Deterministic, UTF-8."""

from __future__ import annotations

from taper.render.advice import patient_lines
from taper.render.contacts import contacts
from taper.render.curve import ascii_bars
from taper.render.view import PlanView, StepView


def table(header: list[str], rows: list[list[list[str]]]) -> list[str]:
    """Left-aligned columns; a cell may hold several lines (one per dose time)."""
    widths = [len(h) for h in header]
    for row in rows:
        for col, cell in enumerate(row):
            widths[col] = max([widths[col], *(len(line) for line in cell)])

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [line(header), line(["-" * w for w in widths])]
    for row in rows:
        height = max(len(cell) for cell in row)
        for n in range(height):
            out.append(line([cell[n] if n < len(cell) else "" for cell in row]))
    return out


def heading(text: str, underline: str = "-") -> list[str]:
    return [text, underline * len(text)]


def step_doses(view: PlanView, step: StepView) -> tuple[list[str], list[str]]:
    """(time labels, tablet texts) for one step, line by line."""
    t = view.t
    if step.kind == "mapping":
        # The dose times as written in the medication list, if given (issue 12).
        return [*(d.label for d in step.doses), "–"], [
            *(d.tablets for d in step.doses),
            t._("As now; write every dose in the intake diary"),
        ]
    if step.kind == "stop":
        return ["–"], [step.stop_text]
    return [d.label for d in step.doses], [d.tablets for d in step.doses]


def render_text(view: PlanView) -> bytes:
    t = view.t
    plan = view.plan
    out: list[str] = [*heading(view.title, "="), ""]
    out.append(t._("Medication now: %(meds)s", meds="; ".join(view.medications)))
    out.append(t._("Plan starts: %(date)s", date=view.start))
    if view.last_dose:
        out.append(t._("Last dose: %(date)s", date=view.last_dose))
    if view.aftercare_until:
        out.append(t._("Aftercare until: %(date)s", date=view.aftercare_until))
    if plan.specialist_signoff:
        out.append(t._("This plan needs a specialist's sign-off before it is used."))
    out += patient_lines(view)
    out.append("")

    several = len(view.drugs) > 1
    header = [t._("Step"), t._("From"), t._("To"), t._("Days"), t._("Phase")]
    if several:
        header.append(t._("Drug"))
    header += [view.dose_header, t._("Ideal"), t._("Time"), view.tablets_header]
    rows = []
    for s in view.steps:
        times, tablets = step_doses(view, s)
        number = f"{s.number}*" if s.step.pause else str(s.number)
        row = [[number], [s.start], [s.end], [str(s.step.days)], [s.phase]]
        if several:
            row.append([s.drug])
        row += [[s.daily], [s.ideal or ""], times, tablets]
        rows.append(row)
    out += [*heading(t._("Steps")), *table(header, rows)]
    if any(s.step.pause for s in view.steps):
        out.append(t._("* pause: the step is held longer"))
    notes = [t._("Step %(number)s", number=s.number) + f": {s.note}" for s in view.steps if s.note]
    out += notes
    out.append("")

    bars = ascii_bars(view)
    if bars:
        out += [*heading(view.curve_heading), *bars, ""]

    listed = contacts(view)
    if listed:
        out += heading(t._("Contacts"))
        dates = [f"{c.date} ({c.weekday})" for c in listed]
        width = max(len(d) for d in dates)
        for c, date in zip(listed, dates, strict=True):
            out.append(f"{date.ljust(width)}  {c.label}")
            for item, url in zip(c.content, c.item_links, strict=True):
                out += [f"    - {item}", *([f"      {url}"] if url else [])]
        out.append("")

    if view.dispensing:
        out += heading(view.dispensing_title)
        out += [t._("Step %(number)s", number=d.step) + f": {d.text}" for d in view.dispensing]
        out.append("")

    if view.warnings:
        out += heading(t._("Warnings"))
        out += [f"[{w.label}] {w.text}" for w in view.warnings]
        out.append("")
    if view.unverified:
        out += heading(t._("Not from a source (project choices)"))
        out += [f"- {item}" for item in view.unverified]
        out.append("")
    out.append(view.stamp)
    return ("\n".join(out) + "\n").encode("utf-8")
