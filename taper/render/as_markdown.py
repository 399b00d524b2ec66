"""Markdown: for records and documents that render it (pipe tables, no HTML)."""

from __future__ import annotations

from taper.render.advice import patient_lines
from taper.render.contacts import contacts
from taper.render.curve import ascii_bars
from taper.render.view import PlanView

_INLINE = str.maketrans({"<": "&lt;", ">": "&gt;", "[": "\\[", "]": "\\]", "`": "\\`"})


def inline(text: str) -> str:
    """Text from a rule file or the command line, as text: no HTML (`<script>` passed through
    to renderers that allow raw HTML), no links or code spans made from it. The HTML sheet
    escapes the same text; markdown must too (issue 14)."""
    text = text.replace("&", "&amp;") if "&" in text else text
    return text.translate(_INLINE)


def link(url: str) -> str:
    """An autolink for a plain http(s) address; anything else is shown as text."""
    plain = url.startswith(("https://", "http://")) and not any(
        c.isspace() or c in '<>"`' for c in url
    )
    return f"<{url}>" if plain else inline(url)


def cell(text: str) -> str:
    """A table cell: pipes escaped, never empty (some renderers collapse empty cells)."""
    return inline(text).replace("|", "\\|") or " "


def render_markdown(view: PlanView) -> bytes:
    t = view.t
    plan = view.plan
    out = [f"# {inline(view.title)}", ""]
    facts = [
        t._("Medication now: %(meds)s", meds=inline("; ".join(view.medications))),
        t._("Plan starts: %(date)s", date=view.start),
    ]
    if view.last_dose:
        facts.append(t._("Last dose: %(date)s", date=view.last_dose))
    if view.aftercare_until:
        facts.append(t._("Aftercare until: %(date)s", date=view.aftercare_until))
    out += [f"- {fact}" for fact in facts]
    if plan.specialist_signoff:
        signoff = t._("This plan needs a specialist's sign-off before it is used.")
        out += ["", f"**{signoff}**"]
    for line in patient_lines(view):
        out += ["", f"**{inline(line)}**"]
    out.append("")

    several = len(view.drugs) > 1
    header = [t._("Step"), t._("Dates"), t._("Days"), t._("Phase")]
    if several:
        header.append(t._("Drug"))
    header += [view.dose_header, view.tablets_header]
    out += ["## " + t._("Steps"), ""]
    out.append("| " + " | ".join(header) + " |")
    out.append("|" + "|".join("---" for _ in header) + "|")
    for s in view.steps:
        if s.kind == "mapping":
            doses = "; ".join(
                [
                    *(f"{d.label}: {d.tablets}" for d in s.doses),
                    t._("As now; write every dose in the intake diary"),
                ]
            )
        elif s.kind == "stop":
            doses = s.stop_text
        else:
            doses = "; ".join(f"{d.label}: {d.tablets}" for d in s.doses)
        number = f"{s.number}\\*" if s.step.pause else str(s.number)
        daily = (
            s.daily
            if s.ideal is None
            else t._("%(daily)s (ideal %(ideal)s)", daily=s.daily, ideal=s.ideal)
        )
        row = [number, s.dates, str(s.step.days), s.phase]
        if several:
            row.append(s.drug)
        row += [daily, doses]
        out.append("| " + " | ".join(cell(c) for c in row) + " |")
    if any(s.step.pause for s in view.steps):
        out += ["", "\\" + t._("* pause: the step is held longer")]
    for s in view.steps:
        if s.note:
            out += ["", t._("Step %(number)s", number=s.number) + f": {inline(s.note)}"]
    out.append("")

    bars = ascii_bars(view)
    if bars:
        out += ["## " + view.curve_heading, "", "```", *bars, "```", ""]

    listed = contacts(view)
    if listed:
        out += ["## " + t._("Contacts"), ""]
        for c in listed:
            out.append(f"- **{c.date}** ({c.weekday}): {inline(c.label)}")
            for item, url in zip(c.content, c.item_links, strict=True):
                out += [f"  - {inline(item)}", *([f"    {link(url)}"] if url else [])]
        out.append("")

    if view.dispensing:
        out += ["## " + view.dispensing_title, ""]
        out += [
            "- " + t._("Step %(number)s", number=d.step) + f": {inline(d.text)}"
            for d in view.dispensing
        ]
        out.append("")
    if view.warnings:
        out += ["## " + t._("Warnings"), ""]
        out += [f"- **{inline(w.label)}:** {inline(w.text)}" for w in view.warnings]
        out.append("")
    if view.unverified:
        out += ["## " + t._("Not from a source (project choices)"), ""]
        out += [f"- {inline(item)}" for item in view.unverified]
        out.append("")
    out += ["---", "", f"*{inline(view.stamp)}*"]
    return ("\n".join(out) + "\n").encode("utf-8")
