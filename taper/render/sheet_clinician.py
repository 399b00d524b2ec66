"""The clinician part of the printed sheet: everything meant for the prescriber.

Warnings, unresolved prescriber decisions, the planner's notes on steps (like notes merged
into one line), the rules applied and the sources the applied rules cite; what to dispense is
a table of its own (`sheet_dispense`). Split from `sheet` (the patient's pages), which builds
the whole `Sheet` from both.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from taper.render.driving import driving_line
from taper.render.project_choices import readable_sources
from taper.render.view import PlanView

# Warning codes that leave the prescriber a decision the patient's pages cannot make for them.
_DECISION_CODES = frozenset(
    {"switch-declined", "switch-advised", "modified-release-once-a-day", "tablet-limited"}
)
_DECISION_WORDS = ("prescriber's decision", "--switch", "--specialist")


@dataclass(frozen=True)
class NoteView:
    dates: str
    drug: str
    text: str


@dataclass(frozen=True)
class RuleView:
    rule: str
    text: str


def short_brand(brand: str) -> str:
    """A brand without what its parentheses add ("Diazepam (Stesolid, ...)" → "Diazepam"):
    the overview names it in every row; the full name is listed once under the table."""
    return brand.split(" (", 1)[0] if brand.endswith(")") and " (" in brand else brand


def decisions(view: PlanView) -> list[str]:
    t = view.t
    out = []
    if view.plan.specialist_signoff:
        out.append(t._("This plan needs a specialist's sign-off before it is used."))
    for w in view.warnings:
        message = w.warning.message
        if w.warning.code in _DECISION_CODES or any(word in message for word in _DECISION_WORDS):
            out.append(w.text)
    for s in view.steps:
        if s.step.note is not None and any(word in s.step.note for word in _DECISION_WORDS):
            out.append(f"{s.drug}, {s.dates}: {s.note}")
    return list(dict.fromkeys(steps_by_date(view, clinician_words(d)) for d in out))


def listed_days(days: list[str]) -> str:
    """Days one after another; by semicolons where a day has a comma ("Jun 20, 2028")."""
    return ("; " if any("," in day for day in days) else ", ").join(days)


def clinician_day(view: PlanView, day: dt.date) -> str:
    """A step's day on the clinician page: "19 Jan", or "19 Jan 2028" on a plan long enough
    to hold a day and month twice, where "19 Jan" could be either (nurse review 7: "19 Jan:
    11.1 %" was 2028 on a plan through two Januaries)."""
    return view.t.short_date(day) if _repeats_days(view) else view.t.short_day_month(day)


def clinician_days(view: PlanView, days: list[dt.date]) -> list[str]:
    """Days one after another, on a plan long enough to need years, with the year on the first
    and wherever it changes ("7 Sept 2027: 11.1 %; 21 Sept: 12.5 %; … 12 Jan 2028: 16.7 %"),
    read from left to right as a dated list is: each day once exact, in a third of the room."""
    if not _repeats_days(view):
        return [view.t.short_day_month(day) for day in days]
    return [
        view.t.short_date(day)
        if n == 0 or day.year != days[n - 1].year
        else view.t.short_day_month(day)
        for n, day in enumerate(days)
    ]


def _repeats_days(view: PlanView) -> bool:
    """Whether the plan's steps span a year or more: then every day and month recurs."""
    if not view.steps:
        return False
    first = min(s.step.start for s in view.steps)
    last = max(s.step.end for s in view.steps)
    try:
        return last >= first.replace(year=first.year + 1)
    except ValueError:  # 29 February: a year on is 1 March
        return last >= dt.date(first.year + 1, 3, 1)


# "(step 11, 13)" as the planner's message says it, and "Step 11 of …" as the short form of
# one says it (labels.py), in each sheet language's words.
_STEP_NUMBERS = re.compile(r"\((?:steps?|steg|trinn) (\d+(?:, \d+)*)\)")
_STEP_LEAD = re.compile(r"^(?:Step|Steg|Trinn) (\d+(?:, \d+)*)(?= )")


def steps_by_date(view: PlanView, text: str) -> str:
    """Steps named by the day each starts, as the patient's table dates its rows ("(11 jan.,
    8 feb.)"), not by number ("(steg 11, 13)"): the table has no step numbers, and a row
    may hold several steps of one dose (nurse review 2, A-7)."""
    t = view.t
    by_index = {s.step.index: s.step.start for s in view.steps}

    def days(found: re.Match[str]) -> list[str] | None:
        numbers = [int(n) for n in found.group(1).split(", ")]
        if any(n not in by_index for n in numbers):
            return None  # a number the plan has no step for: as the planner said
        return clinician_days(view, [by_index[n] for n in numbers])

    def inner(found: re.Match[str]) -> str:
        shown = days(found)
        return found.group(0) if shown is None else "(" + listed_days(shown) + ")"

    def lead(found: re.Match[str]) -> str:
        shown = days(found)
        if shown is None:
            return found.group(0)
        return t.ngettext(
            "The step starting %(dates)s",
            "The steps starting %(dates)s",
            len(shown),
            dates=listed_days(shown),
        )

    text = _STEP_LEAD.sub(lead, _STEP_NUMBERS.sub(inner, text))
    return _shares_by_date(view, _by_period(view, text))


# The cut shares as the planner's message lists them in each language: "(step: share of the
# dose before): 26: 11.1 %; 27: 12.5 %." (the listing ends at the sentence's full stop).
_SHARES = re.compile(
    r" \((?:step|steg|trinn): (?:share of the dose before|andel av dosen före|andel av dosen før)"
    r"\): (?P<listing>\d+: [^;]+?(?:; \d+: [^;]+?)*)(?=\.(?:\s|$))"
)
_SHARE = re.compile(r"(?P<step>\d+): (?P<share>[^;]+)")


def _shares_by_date(view: PlanView, text: str) -> str:
    """A list of cut shares by the day each step starts ("13 juli: 11,1 %"), not by step
    number ("26: 11,1 %"): the numbers are the planner's and stand nowhere on the patient's
    pages, where the prescriber finds the dates (nurse review 6)."""
    t = view.t
    by_index = {s.step.index: s.step.start for s in view.steps}

    listed: list[str] = []

    def listing(found: re.Match[str]) -> str:
        starts: list[dt.date] = []
        shares: list[str] = []
        for item in _SHARE.finditer(found.group("listing")):
            start = by_index.get(int(item.group("step")))
            if start is None:
                return found.group(0)  # a number the plan has no step for: as written
            starts.append(start)
            shares.append(item.group("share"))
        days = clinician_days(view, starts)
        items = [f"{day}: {share}" for day, share in zip(days, shares, strict=True)]
        listed.append(" (" + listed_days(days) + ")")
        return (
            " ("
            + t._("the day the step starts: share of the dose before")
            + "): "
            + "; ".join(items)
        )

    text = _SHARES.sub(listing, text)
    # The steps' days said once: the list of shares gives them, so the same days in brackets
    # after "13 steps of diazepam" go (a clinician page of a fifth page, uk-ashton switch).
    for days in listed:
        if text.count(days) == 1:
            text = text.replace(days, "")
    return text


# The paracetamol listing as the planner's message says it in each language: "by step (step:
# amount): 2: 3200 mg; 3–4: 2800 mg".
_LISTING = re.compile(
    r" (?:by step|per steg|per trinn) \((?:step|steg|trinn): (?:amount|mängd|mengde)\): "
    r"(?P<listing>[0-9–, ]+: [^;]+?(?:; [0-9–, ]+: [^;]+?)*)(?=\.)"
)
_LISTED = re.compile(r"(?P<steps>[0-9–, ]+): (?P<amount>[^;]+)")


def _by_period(view: PlanView, text: str) -> str:
    """A listing by step numbers as date ranges ("11 jan. – 24 jan.: 3 200 mg"): the
    patient's table has no step numbers (nurse review 3, S-9)."""
    t = view.t
    by_index = {s.step.index: s.step for s in view.steps}

    def ranges(numbers: str) -> list[str] | None:
        out = []
        for part in numbers.split(", "):
            first, _, last = part.partition("–")
            a, b = by_index.get(int(first)), by_index.get(int(last or first))
            if a is None or b is None:
                return None
            out.append(f"{clinician_day(view, a.start)}–{clinician_day(view, b.end)}")
        return out

    def listing(found: re.Match[str]) -> str:
        items = []
        for item in _LISTED.finditer(found.group("listing")):
            shown = ranges(item.group("steps"))
            if shown is None:
                return found.group(0)  # a number the plan has no step for: as written
            items.append(f"{', '.join(shown)}: {item.group('amount')}")
        return " " + t._("in these periods (dates: amount)") + ": " + "; ".join(items)

    return _LISTING.sub(listing, text)


_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def merged_notes(notes: list[NoteView]) -> list[NoteView]:
    """Consecutive notes on one drug that say the same but for their numbers, as one: the
    dates one after another, each number that differs as its values in the same order ("35 /
    30 / 25 mg", one a date range). The same words, every value kept, in far fewer lines."""
    groups: list[list[NoteView]] = []
    for note in notes:
        last = groups[-1][-1] if groups else None
        if (
            last is not None
            and last.drug == note.drug
            and _NUMBER.sub("#", last.text) == _NUMBER.sub("#", note.text)
        ):
            groups[-1].append(note)
        else:
            groups.append([note])
    out = []
    for group in groups:
        if len(group) == 1:
            out.append(group[0])
            continue
        out.append(NoteView("; ".join(n.dates for n in group), group[0].drug, _merged(group)))
    return out


def _merged(group: list[NoteView]) -> str:
    """The group's common text with each number slot as its values in order (one where all
    agree)."""
    values = [_NUMBER.findall(n.text) for n in group]
    slots = iter(
        " / ".join(v[i] for v in values) if len({v[i] for v in values}) > 1 else values[0][i]
        for i in range(len(values[0]))
    )
    return _NUMBER.sub(lambda _: next(slots), group[0].text)


_OPTION = re.compile(r" ?\(--[a-z-]+\)")


def clinician_words(text: str) -> str:
    """A planner message as the printed page says it: without command-line options (the
    sheet names the decision, "a switch to diazepam", not the option that makes it)."""
    return _OPTION.sub("", text)


def rules(view: PlanView) -> list[RuleView]:
    t = view.t
    out = []
    for rule in view.plan.applied_rules:
        drug = view.drug_names.get(rule.drug, rule.drug)
        mode = t._("of the current dose") if rule.mode == "current" else t._("of the starting dose")
        out.append(
            RuleView(
                rule.rule,
                t._(
                    "%(drug)s: %(percent)s %% %(mode)s every %(days)s days",
                    drug=drug,
                    percent=t.number(rule.percent),
                    mode=mode,
                    days=rule.interval_days,
                ),
            )
        )
    return out


def sources(view: PlanView) -> list[str]:
    """The sources the applied taper rules and the printed drug notes cite (not the rule
    file's whole list)."""
    guideline = view.guideline
    if guideline is None:
        return []
    cited: set[str] = set()

    def collect(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("source"), str):
                cited.add(node["source"])
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    for rule in guideline.taper_rules:
        if rule.id in view.plan.rule_ids:
            collect(rule.model_dump())
    if guideline.driving is not None and driving_line(view) is not None:
        collect(guideline.driving.model_dump())  # the patient's driving sentence
    # The rule file's notes on drugs that the plan prints (taper.plan.inputs.note_drugs).
    printed = {w.code for w in view.plan.warnings}
    for drug in guideline.drugs:
        for note in drug.clinician_notes:
            if f"drug-note:{drug.id}:{note.id}" in printed and note.source is not None:
                cited.add(note.source)
    # A secondary source (a copy, a summary, a consumer page) is said to be one in the
    # reader's words, not presented as the issuer's text (nurse review 9, N12: "Dr. Oracle").
    secondary = view.t._("secondary source")
    return [
        readable_sources(f"{s.title} ({s.date.isoformat()})" if s.date else s.title, None)
        + (f" ({secondary})" if s.kind == "secondary" else "")
        for s in guideline.sources
        if s.id in cited
    ]
