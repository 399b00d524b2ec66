"""A realistic panel of patients over the four rule files, and its report for clinicians.

Each patient is a rule file, the medications as a clinic writes them, and the options (a
replan, a chosen rule, specialist sign-off). `report()` plans every patient and writes one
line each: plan length, the largest cut, the longest run at one dose, formulation changes,
the last dose before zero and the plan's high warnings -- or the one-sentence refusal.

Regenerate docs/panel-report.md after a change to the planner or a rule file:

    .venv/bin/python tests/panel.py > docs/panel-report.md

(`tests/test_panel.py` fails while the committed report is out of date, and checks every
panel plan against the plan and regimen invariants.)
"""

from __future__ import annotations

import datetime as dt
import itertools
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: python tests/panel.py
    sys.path.insert(0, str(ROOT))

from taper.dose import format_amount, parse_medication  # noqa: E402
from taper.errors import TaperError  # noqa: E402
from taper.guideline.loader import load_guideline  # noqa: E402
from taper.plan import PlanOptions, make_plan  # noqa: E402
from taper.plan.model import Plan, Step  # noqa: E402

START = dt.date(2026, 1, 5)


@dataclass(frozen=True)
class Patient:
    id: str
    guideline: str
    meds: tuple[str, ...]
    who: str  # age and situation, for the reader
    replan: bool = False
    switch: bool | None = None
    specialist: bool = False
    rule: str | None = None


PANEL: tuple[Patient, ...] = (
    # --- se-vgr -----------------------------------------------------------------------------
    Patient("se-01", "se-vgr", ("oxazepam 30 mg",), "68 y, anxiety, 10 years"),
    Patient("se-02", "se-vgr", ("oxazepam 5 mg",), "82 y, low dose"),
    Patient("se-03", "se-vgr", ("diazepam 15 mg",), "45 y"),
    Patient("se-04", "se-vgr", ("alprazolam 2 mg",), "39 y, panic disorder", switch=True),
    Patient("se-05", "se-vgr", ("zopiclone 7.5 mg",), "74 y, hypnotic"),
    Patient("se-06", "se-vgr", ("zolpidem 10 mg",), "55 y, hypnotic"),
    Patient("se-07", "se-vgr", ("tramadol 300 mg",), "61 y, back pain, depot tramadol"),
    Patient("se-08", "se-vgr", ("Citodon 180 mg",), "57 y, codeine/paracetamol"),
    Patient("se-09", "se-vgr", ("oxycodone 40 mg",), "66 y, depot oxycodone"),
    Patient("se-10", "se-vgr", ("morphine 60 mg",), "71 y, depot morphine"),
    Patient("se-11", "se-vgr", ("Norspan 10 mcg/h",), "79 y, buprenorphine pain patch"),
    Patient("se-12", "se-vgr", ("fentanyl 25 mcg/h",), "69 y, fentanyl patch"),
    Patient(
        "se-13", "se-vgr", ("oxazepam 20 mg", "tramadol 200 mg"), "58 y, opioid + benzodiazepine"
    ),
    Patient("se-14", "se-vgr", ("oxazepam 15 mg",), "replan at 15 mg", replan=True),
    # --- no-helsedir ------------------------------------------------------------------------
    Patient("no-01", "no-helsedir", ("diazepam 20 mg",), "50 y"),
    Patient("no-02", "no-helsedir", ("alprazolam 3 mg",), "44 y", switch=True),
    Patient("no-03", "no-helsedir", ("oxazepam 45 mg",), "63 y"),
    Patient("no-04", "no-helsedir", ("zopiclone 7.5 mg",), "77 y, hypnotic"),
    Patient("no-05", "no-helsedir", ("tramadol 400 mg",), "52 y, depot tramadol"),
    Patient("no-06", "no-helsedir", ("Paralgin forte 240 mg",), "60 y, codeine/paracetamol"),
    Patient("no-07", "no-helsedir", ("oxycodone 30 mg",), "70 y, depot oxycodone"),
    Patient("no-08", "no-helsedir", ("Norspan 20 mcg/h",), "81 y, buprenorphine pain patch"),
    Patient("no-09", "no-helsedir", ("fentanyl 50 mcg/h",), "65 y, fentanyl patch"),
    Patient("no-10", "no-helsedir", ("clonazepam 2 mg",), "36 y"),
    Patient("no-11", "no-helsedir", ("tapentadol 200 mg",), "59 y"),
    # --- uk-ashton --------------------------------------------------------------------------
    Patient("uk-01", "uk-ashton", ("diazepam 20 mg",), "48 y"),
    Patient("uk-02", "uk-ashton", ("lorazepam 3 mg",), "55 y, switch to diazepam"),
    Patient("uk-03", "uk-ashton", ("alprazolam 1.5 mg",), "33 y"),
    Patient("uk-04", "uk-ashton", ("temazepam 20 mg",), "72 y, hypnotic"),
    Patient("uk-05", "uk-ashton", ("zopiclone 7.5 mg",), "80 y, hypnotic"),
    Patient("uk-06", "uk-ashton", ("clonazepam 1 mg",), "42 y"),
    Patient("uk-07", "uk-ashton", ("oxazepam 30 mg",), "67 y"),
    Patient("uk-08", "uk-ashton", ("nitrazepam 10 mg",), "76 y, hypnotic"),
    Patient(
        "uk-09", "uk-ashton", ("morphine 60 mg",), "63 y, back pain, MST Continus 30 mg twice a day"
    ),
    Patient(
        "uk-10",
        "uk-ashton",
        ("co-codamol 240 mg",),
        "58 y, co-codamol 30/500 2 tablets 4 times a day",
    ),
    Patient("uk-11", "uk-ashton", ("tramadol 200 mg",), "61 y, Zydol SR 100 mg twice a day"),
    Patient("uk-12", "uk-ashton", ("fentanyl 25 mcg/h",), "74 y, fentanyl patch"),
    Patient("uk-13", "uk-ashton", ("oxycodone 40 mg",), "52 y, OxyContin 20 mg twice a day"),
    Patient("uk-14", "uk-ashton", ("BuTrans 10 mcg/h",), "80 y, buprenorphine pain patch"),
    Patient("uk-15", "uk-ashton", ("tapentadol 200 mg",), "45 y, no UK tapentadol product listed"),
    # --- us-cdc-2022 ------------------------------------------------------------------------
    Patient("us-01", "us-cdc-2022", ("oxycodone 15 mg",), "64 y, long-term"),
    Patient("us-02", "us-cdc-2022", ("oxycodone 60 mg",), "58 y, long-term"),
    Patient("us-03", "us-cdc-2022", ("tramadol 200 mg",), "62 y, tramadol ER"),
    Patient("us-04", "us-cdc-2022", ("fentanyl 25 mcg/h",), "70 y, fentanyl patch"),
    Patient("us-05", "us-cdc-2022", ("morphine 60 mg",), "66 y, morphine ER"),
    Patient("us-06", "us-cdc-2022", ("hydromorphone 8 mg",), "49 y"),
    Patient("us-07", "us-cdc-2022", ("Butrans 10 mcg/h",), "78 y, buprenorphine pain patch"),
    Patient(
        "us-08",
        "us-cdc-2022",
        ("oxycodone 30 mg",),
        "45 y, weeks of use",
        rule="cdc-shorter-use",
    ),
    Patient("us-09", "us-cdc-2022", ("oxycodone 20 mg",), "replan at 20 mg", replan=True),
)


@dataclass(frozen=True)
class Figures:
    days: int  # first day to the last dose
    largest_cut: Decimal  # percent of the dose before
    longest_run: int  # days at one dose during the taper
    changes: int  # formulation changes
    last: str  # the last dose before zero
    high: tuple[str, ...]  # codes of high warnings


def plan_of(patient: Patient) -> Plan:
    return make_plan(
        [parse_medication(m) for m in patient.meds],
        load_guideline(patient.guideline),
        PlanOptions(
            start=START,
            switch=patient.switch,
            specialist=patient.specialist,
            replan=patient.replan,
            rule=patient.rule,
        ),
    )


def figures(plan: Plan) -> Figures:
    assert plan.last_dose_date is not None
    days = (plan.last_dose_date - plan.start).days + 1
    cut = Decimal(0)
    run = 0
    lasts = []
    by_drug: dict[str, list[Step]] = {}
    for step in plan.steps:
        by_drug.setdefault(step.drug, []).append(step)
    for drug, steps in by_drug.items():
        current = 0
        for before, after in itertools.pairwise(steps):
            # The stop itself is not a cut here: a drug whose 0 mg step is in the taper
            # (one of two drugs, stopped while the other goes on) would count it (review 3).
            if after.phase == "taper" and before.dose > after.dose > 0:
                cut = max(cut, (before.dose - after.dose) * 100 / before.dose)
            if after.dose == 0 and before.dose > 0 and before.phase == "taper":
                lasts.append(f"{drug} {format_amount(before.dose)} {before.unit}")
        previous: Step | None = None
        for step in steps:
            if step.phase != "taper" or step.dose == 0:
                current = 0
            elif previous is not None and previous.phase == "taper" and previous.dose == step.dose:
                current += step.days
            else:
                current = step.days
            run = max(run, current)
            previous = step
    changes = sum(1 for s in plan.steps if (s.note or "").startswith("from here"))
    changes += sum(1 for w in plan.warnings if w.code == "formulation-change")
    high = tuple(sorted({w.code for w in plan.warnings if w.severity == "high"}))
    return Figures(days, cut.quantize(Decimal(1)), run, changes, ", ".join(lasts) or "–", high)


def report() -> str:
    lines = [
        "# Panel report",
        "",
        f"{len(PANEL)} patients over the four built-in rule files, planned from "
        f"{START.isoformat()} (generated by `tests/panel.py`; do not edit by hand). Plan "
        "length runs from the first day to the last dose; the largest cut is a share of the "
        "dose before it (the stop not counted); the longest hold is the longest run at one "
        "dose during the taper; formulation changes count depot → immediate-release "
        "hand-overs; the last dose is the one the drug stops from. A refusal is the plan's "
        "one sentence.",
        "",
        "| Patient | Rule file | Medication | Who | Days | Largest cut | Longest hold | "
        "Formulation changes | Stops from | High warnings |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for patient in PANEL:
        meds = " + ".join(patient.meds) + (" (replan)" if patient.replan else "")
        try:
            f = figures(plan_of(patient))
        except TaperError as exc:
            lines.append(
                f"| {patient.id} | {patient.guideline} | {meds} | {patient.who} | refused: "
                f"{exc} | | | | | |"
            )
            continue
        lines.append(
            f"| {patient.id} | {patient.guideline} | {meds} | {patient.who} | {f.days} | "
            f"{f.largest_cut} % | {f.longest_run} d | {f.changes} | {f.last} | "
            f"{', '.join(f.high) or '–'} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(report())
