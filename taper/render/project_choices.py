"""The plan's project choices (its `unverified` notes) in the reader's language, and rule ids
kept whole on the clinician page.

The plan records each note in English as "rule ID PART: NOTE" (`taper.plan.state`). A rule
file may give a note per language (`unverified: {en: ..., sv: ..., nb: ...}`); a Swedish or
Norwegian reader gets the note in their language, or the English one marked as such, and
the label ("rule ID phases") in their words (nurse review 3, S-9).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from pydantic import BaseModel

from taper.guideline.model import Guideline, Provenance
from taper.render.i18n import Texts
from taper.render.labels import N_

if TYPE_CHECKING:
    from markupsafe import Markup

# What a plan names after "rule ID" (`taper.plan`'s `used(...)` calls), in readers' words.
_RULE_PARTS = {
    "phases": N_("phase lengths"),
    "reduction": N_("pace of the reduction"),
    "slow_down": N_("slower pace near the end"),
    "reduction min_step": N_("smallest step"),
    "slow_down min_step": N_("smallest step near the end"),
    "max_duration_days": N_("longest plan"),
    "stop_dose": N_("dose the last step starts from"),
    "stop_dose stop_instead_of_tail": N_("stop at the stop dose instead of a tail"),
    "max_hold_intervals": N_("longest hold on one dose"),
    "talk_every_days": N_("support talks during the taper"),
    "switch": N_("switch of drug"),
    "switch advice": N_("advice on a switch"),
    "switch limits": N_("limits after a switch"),
    "pause": N_("pauses"),
    "several_drugs": N_("several drugs"),
    "fewer_dose_times": N_("fewer dose times as the dose falls"),
}
_OTHER = {
    "formulary": N_("product %(name)s"),
    "threshold": N_("threshold %(name)s"),
    "equivalence": N_("conversion of %(name)s"),
}
_AFTERCARE = "checkpoints aftercare"


def _provenances(obj: object) -> Iterator[Provenance]:
    if isinstance(obj, Provenance):
        yield obj
    if isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from _provenances(getattr(obj, name))
    elif isinstance(obj, list | tuple):
        for item in obj:
            yield from _provenances(item)
    elif isinstance(obj, dict):
        for item in obj.values():
            yield from _provenances(item)


def _label(t: Texts, what: str) -> str:
    """ "rule bzd phases" in the reader's words: "regel bzd, faslängder"."""
    if what == _AFTERCARE:
        return t._("follow-up after the taper")
    kind, _, rest = what.partition(" ")
    if kind == "rule":
        rule, _, part = rest.partition(" ")
        if part in _RULE_PARTS:
            return t._("rule %(rule)s, %(part)s", rule=rule, part=t._(_RULE_PARTS[part]))
    if kind in _OTHER and rest:
        return t._(_OTHER[kind], name=rest)
    return what


# The project's own bookkeeping in a rule file's notes: which review or issue asked for a
# choice, and the project's fact files. A prescriber can look none of them up (nurse review 7:
# "Project choice (issue 15)", "clinical-facts.md §5.2", "clinician review R21"; nurse review
# 9: "(kliniska granskningar 9 och 12)").
_REVIEW = (
    r"(?:(?:clinician|nurse) reviews?|kliniska? granskning(?:ar)?|kliniske? gjennomgang(?:er)?)"
)
_INTERNAL_REFERENCE = re.compile(
    rf" ?\((?:issue|ärende|sak|{_REVIEW}) [^()]*\)"
    rf"|{_REVIEW} R?\d+(?:, (?:issue |ärende |sak |D|uk-)\d+)*(?:, )?"
)
# The project's fact files, with the sections cited: "shared/formulations.md §5".
_FACT_FILES = re.compile(
    r"(?:/work/)?(?:shared/ ?)?(?:formulations|clinical-facts(?:-2)?)\.md"
    r"(?: §[\w.]+(?:(?:,| and) §[\w.]+)*)?"
)
# What a left-out reference leaves behind: "(…; )", "(, …", "( )", "…, , …".
_EMPTIED = (
    (re.compile(r"\( *[,;] *"), "("),
    (re.compile(r" *[,;] *\)"), ")"),
    (re.compile(r" ?\( *\)"), ""),
    (re.compile(r"([,;]) *[,;]"), r"\1"),
)


def readable_sources(text: str, guideline: Guideline | None) -> str:
    """A rule file's note as a prescriber can follow it: each source cited by its id
    ("droracle-cdc") named ("Dr. Oracle"), and the project's internal bookkeeping (reviews,
    issues, its fact files) left out: a prescriber can look none of it up."""
    text = _FACT_FILES.sub("", _INTERNAL_REFERENCE.sub("", text))
    for pattern, kept in _EMPTIED:
        text = pattern.sub(kept, text)
    for source_id, name in _source_names(guideline).items():
        # "trappned", not the "trappned" of "trappned.no"
        text = re.sub(rf"(?<![\w.-]){re.escape(source_id)}(?![\w-]|\.\w)", name, text)
    return text


def _source_names(guideline: Guideline | None) -> dict[str, str]:
    """Each source's name in a note: its title up to the first comma, without brackets ("Dr.
    Oracle", "Withdrawal of benzodiazepines"); where two sources would share a name, with the
    title's year ("C. H. Ashton 1994") or the first words of what follows
    ("Helsedirektoratet, Behandling ved opioidavhengighet …"), else the whole title. Short,
    for the clinician part's few pages, which list the whole titles its rules cite."""
    if guideline is None:
        return {}
    parts = {s.id: _BRACKETS.sub("", s.title.strip('"')).split(", ") for s in guideline.sources}
    short = {i: p[0] for i, p in parts.items()}
    names = {}
    for source in guideline.sources:
        name = short[source.id]
        if list(short.values()).count(name) > 1:
            year = _YEAR.search(source.title)
            words = " ".join(parts[source.id][1:]).strip('"').split()
            if year:
                name = f"{name} {year.group(0)}"
            elif words:
                more = " …" if len(words) > _WORDS else ""
                name = f"{name}, {' '.join(words[:_WORDS])}{more}"
        names[source.id] = name
    clashing = [name for name in names.values() if list(names.values()).count(name) > 1]
    # The same name still: those sources by their whole titles.
    return {s.id: s.title if names[s.id] in clashing else names[s.id] for s in guideline.sources}


_WORDS = 3
_BRACKETS = re.compile(r" ?\([^()]*\)")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def project_choices(t: Texts, items: Iterable[str], guideline: Guideline | None) -> list[str]:
    """Each "WHAT: NOTE" of the plan in the reader's language, its sources by title. English
    readers get the plan's own words; others the note the rule file gives in their language,
    else the English note said to be English."""
    return [readable_sources(item, guideline) for item in _in_language(t, items, guideline)]


def _in_language(t: Texts, items: Iterable[str], guideline: Guideline | None) -> list[str]:
    items = list(items)
    if t.lang == "en" or not items:
        return items
    notes: dict[str, Provenance] = {}
    if guideline is not None:
        for p in _provenances(guideline):
            if p.unverified is not None:
                notes.setdefault(p.unverified, p)
    out = []
    for item in items:
        what, note, provenance = item, "", None
        for found in re.finditer(": ", item):
            rest = item[found.end() :]
            if rest in notes:
                what, note, provenance = item[: found.start()], rest, notes[rest]
                break
        else:
            what, _, note = item.partition(": ")
        own = provenance.unverified_in(t.lang) if provenance is not None else None
        if own is not None:
            out.append(f"{_label(t, what)}: {own}")
        else:
            english = t._("in English in the rule file")
            out.append(f"{_label(t, what)} ({english}): {note}")
    return out


class IdKeeper:
    """A template function: the text, escaped, with each hyphenated id in `ids` (rule and
    source ids, "bzd-angestdampande") kept on one line. Printed, "bzd-" at a line's end and
    "angestdampande" on the next read as two words (nurse review 3, S-9)."""

    def __init__(self, ids: Iterable[str]) -> None:
        whole = sorted({i for i in ids if "-" in i}, key=len, reverse=True)
        self.pattern = (
            re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, whole)) + r")(?![\w-])")
            if whole
            else None
        )

    def __call__(self, text: str) -> Markup:
        from markupsafe import Markup, escape

        escaped = str(escape(text))
        if self.pattern is None:
            return Markup(escaped)
        return Markup(self.pattern.sub(r'<span class="nowrap">\1</span>', escaped))


def sheet_ids(plan_rule_ids: Iterable[str], guideline: Guideline | None) -> IdKeeper:
    """The ids a clinician page may name: the plan's rules, and the rule file's rules and
    sources."""
    ids = set(plan_rule_ids)
    if guideline is not None:
        ids |= {r.id for r in guideline.taper_rules} | {s.id for s in guideline.sources}
    return IdKeeper(ids)
