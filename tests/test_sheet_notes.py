"""The clinician page of a Swedish or Norwegian sheet speaks its language (nurse review 3, S-9):
the rule file's project choices, rule ids kept whole, the paracetamol listing by dates."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from taper.dose import parse_medication
from taper.guideline.loader import load_builtin, load_guideline, validate_file
from taper.guideline.model import Lang, Provenance
from taper.plan import PlanOptions, make_plan
from taper.plan.model import Plan
from taper.render import PlanFormat, render_plan
from taper.render.project_choices import IdKeeper, _provenances, readable_sources
from taper.render.sheet_dispense import PERIOD_DAYS, DispenseTable, dispensing, periods
from taper.render.view_builder import build_view, find_guideline

START = dt.date(2027, 1, 4)
GUIDELINES = Path(__file__).resolve().parent.parent / "guidelines"


def _plan(guideline: str, *meds: str, lang: str | None = None) -> Plan:
    options = PlanOptions(start=START, lang=lang)
    loaded = load_guideline(guideline)
    return make_plan([parse_medication(m, loaded.guideline) for m in meds], loaded, options)


def _box(html: str) -> str:
    """The text of the "not from a source" box, tags removed."""
    box = html.split('<div class="unverified">', 1)[1].split("</div>", 1)[0]
    return re.sub(r"<[^>]+>", "", box)


@pytest.mark.parametrize(
    ("guideline", "meds", "lang", "own"),
    [
        ("se-vgr", ("oxycodone 40 mg", "oxazepam 30 mg"), "sv", "Projektets val"),
        ("no-helsedir", ("Paralgin forte 2+2+2+2",), "nb", "Prosjektets valg"),
    ],
)
def test_project_choices_print_in_the_sheets_language(
    guideline: str, meds: tuple[str, ...], lang: str, own: str
) -> None:
    plan = _plan(guideline, *meds)
    box = _box(render_plan(plan, PlanFormat.html, lang).decode())
    assert own in box
    assert "Project choice" not in box
    assert " phases:" not in box
    assert "rule " not in box
    assert "regel" in box
    assert "engelsk" not in box  # every note the plan used is translated


def test_a_note_only_in_english_says_so() -> None:
    plan = _plan("uk-ashton", "alprazolam 1.5 mg", lang="sv")
    box = _box(render_plan(plan, PlanFormat.html, "sv").decode())
    assert "(på engelska i regelfilen)" in box
    english = plan.unverified[0].partition(": ")[2]
    assert english[:40] in box  # the note itself, as the file gives it


def test_an_english_sheet_keeps_the_plans_own_words() -> None:
    plan = _plan("se-vgr", "oxazepam 25 mg", lang="en")
    text = render_plan(plan, PlanFormat.text, "en").decode()
    # As written, but for sources named rather than by id (nurse review 7).
    guideline = load_builtin("se-vgr").guideline
    assert all(readable_sources(item, guideline) in text for item in plan.unverified)


@pytest.mark.parametrize("name", ["se-vgr", "no-helsedir"])
def test_shipped_swedish_and_norwegian_notes_are_translated(name: str) -> None:
    """Every note in both languages: a se-vgr plan printed in Norwegian (`--lang nb`) too."""
    notes = [p for p in _provenances(load_builtin(name).guideline) if isinstance(p, Provenance)]
    for lang in ("sv", "nb"):
        missing = [p.unverified for p in notes if p.unverified and p.unverified_in(lang) is None]
        assert missing == [], lang
    findings = validate_file(GUIDELINES / f"{name}.yaml").findings
    assert [f.parsable() for f in findings if f.rule == "unverified-language"] == []


def test_a_swedish_rule_file_printed_in_norwegian_gives_its_norwegian_notes() -> None:
    plan = _plan("se-vgr", "oxazepam 25 mg", lang="nb")
    box = _box(render_plan(plan, PlanFormat.html, "nb").decode())
    assert "Prosjektets valg" in box
    assert "engelsk" not in box


def test_the_validator_flags_a_note_left_in_english(tmp_path: Path) -> None:
    text = (GUIDELINES / "se-vgr.yaml").read_text(encoding="utf-8")
    note = "unverified: Project choice (left in English)."
    changed = re.sub(r"unverified: \{en: [^{}]*?, sv: [^{}]*?, nb: [^{}]*?\}", note, text, count=1)
    assert changed != text
    path = tmp_path / "se-vgr.yaml"
    path.write_text(changed, encoding="utf-8")
    found = [f for f in validate_file(path).findings if f.rule == "unverified-language"]
    assert len(found) == 1
    assert found[0].level == "warning"


def test_rule_ids_are_kept_on_one_line() -> None:
    plan = _plan("se-vgr", "oxycodone 40 mg", "oxazepam 30 mg")
    html = render_plan(plan, PlanFormat.html, "sv").decode()
    clinician = html.split('<section class="clinician', 1)[1]
    for rule in plan.rule_ids:
        assert f'<span class="nowrap">{rule}</span>' in clinician
    assert not re.search(r"(?<![\w>-])(?:bzd-angestdampande|opioid-eda)(?!</span>)", clinician)


def test_id_keeper_escapes_and_wraps_whole_ids_only() -> None:
    keep = IdKeeper(["bzd-a", "bzd-ab", "plain"])
    assert str(keep("<b> bzd-ab, bzd-a; xbzd-a")) == (
        '&lt;b&gt; <span class="nowrap">bzd-ab</span>, <span class="nowrap">bzd-a</span>; xbzd-a'
    )


def test_paracetamol_per_day_is_listed_by_dates_not_step_numbers() -> None:
    plan = _plan("no-helsedir", "Paralgin forte 2+2+2+2")
    html = render_plan(plan, PlanFormat.html, "nb").decode()
    clinician = re.sub(r"<[^>]+>", "", html.split('<section class="clinician', 1)[1])
    assert "(trinn: mengde)" not in clinician
    assert "i disse periodene (datoer: mengde): 11. jan.–17. jan.: 3200 mg;" in clinician


# --- what to dispense (nurse review 3, S-5) -------------------------------------------------


def _dispensing(plan: Plan, lang: Lang) -> DispenseTable:
    return dispensing(build_view(plan, lang, find_guideline(plan)))


def test_no_dispensing_row_covers_more_than_four_weeks() -> None:
    plan = _plan("se-vgr", "oxycodone 40 mg", "oxazepam 30 mg")
    assert any(s.days > PERIOD_DAYS for s in plan.steps if s.dose > 0 and s.drug == "oxazepam")
    table = _dispensing(plan, "sv")
    assert table.split
    for row in table.rows:
        first, _, last = row.dates.partition("–")
        end_day, end_month, year = re.split(r"[/ ]", last)
        start = dt.date(int(year), *map(int, reversed(first.split("/"))))
        end = dt.date(int(year), int(end_month), int(end_day))
        if start > end:  # a period over the new year
            start = start.replace(year=start.year - 1)
        assert (end - start).days + 1 <= PERIOD_DAYS, row.dates


def test_split_periods_dispense_at_least_what_the_step_needs() -> None:
    plan = _plan("se-vgr", "oxycodone 40 mg", "oxazepam 30 mg")
    long = next(s for s in plan.steps if s.days > PERIOD_DAYS and s.dose > 0)
    whole = [d for d in plan.dispensing if d.step == long.index]
    parts = periods(long, whole)
    assert len(parts) == -(-long.days // PERIOD_DAYS)
    assert parts[0][0] == long.start
    assert parts[-1][1] == long.end
    lengths = [(end - start).days + 1 for start, end, _ in parts]
    assert max(lengths) - min(lengths) <= 1  # no period of a day or two at the end
    for d in whole:
        split = sum(p.tablets for _, _, ds in parts for p in ds if p.brand == d.brand)
        assert split >= d.tablets


def test_the_period_is_said_to_be_the_project_s_choice() -> None:
    plan = _plan("se-vgr", "oxycodone 40 mg", "oxazepam 30 mg")
    html = render_plan(plan, PlanFormat.html, "sv").decode()
    assert "perioder om högst 4 veckor (projektets val" in html
    short = _plan("se-vgr", "oxycodone 40 mg")
    if not _dispensing(short, "sv").split:
        assert "perioder om högst" not in render_plan(short, PlanFormat.html, "sv").decode()
