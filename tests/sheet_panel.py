"""The panel of plans the printed sheet is measured on (tests/test_sheet_print.py): typical
one-drug plans of up to a year, and the longest plans of the shipped rule files."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tail_helpers import with_tail

from taper.dose import parse_medication
from taper.plan import PlanOptions, make_plan
from taper.plan.model import Plan

START = dt.date(2027, 1, 4)


@dataclass(frozen=True)
class PanelPlan:
    name: str
    guideline: str
    meds: tuple[str, ...]
    switch: bool | None
    patient_pages: int  # the target: pages before the clinician page
    clinician_pages: int = 4  # at most, after them (see TWO_CLASSES)

    def plan(self, lang: str | None = None) -> Plan:
        # The rule files with their opioid tails (tail_helpers.py): these sheets show a depot
        # to immediate-release change and long holds, which the shipped files' stop at the
        # stop dose (clinician review 12) would leave out.
        loaded = with_tail(self.guideline)
        options = PlanOptions(start=START, switch=self.switch, lang=lang)
        return make_plan([parse_medication(m) for m in self.meds], loaded, options)


ONE_DRUG = 4  # a one-drug plan of up to a year
LONGEST = 8  # the longest plans of the panel
# The clinician part after them: warnings, notes, rules, project choices, what to dispense
# (a table, a line a step) and sources; the longest panel plans need 4 pages. A plan of an
# opioid and a benzodiazepine together carries both classes' warnings, tablet-limited notes
# and dispensing for two drugs: 5 pages (a known limitation, README; the issue asks for one).
TWO_CLASSES = 5

PANEL = (
    PanelPlan("se-oxazepam", "se-vgr", ("oxazepam 25 mg",), None, ONE_DRUG),
    PanelPlan("se-diazepam", "se-vgr", ("diazepam 20 mg",), None, ONE_DRUG),
    PanelPlan("se-oxycodone", "se-vgr", ("oxycodone 40 mg",), None, ONE_DRUG),
    PanelPlan("se-fentanyl", "se-vgr", ("fentanyl 50 mcg/h",), None, ONE_DRUG),
    # The patch safety lines (nurse review 3, S-7: heat, fever, a patch that falls off, a used
    # patch) cost the Norwegian sheet, whose talk topics already fill its third page, a fifth.
    PanelPlan("no-fentanyl", "no-helsedir", ("fentanyl patch 50 mcg/h",), None, ONE_DRUG + 1),
    PanelPlan("se-buprenorphine", "se-vgr", ("buprenorphine patch 20 mcg/h",), None, ONE_DRUG),
    PanelPlan(
        "se-zopiclone-oxazepam", "se-vgr", ("zopiclone 7.5 mg", "oxazepam 15 mg"), None, LONGEST
    ),
    PanelPlan(
        "se-oxycodone-oxazepam",
        "se-vgr",
        ("oxycodone 40 mg", "oxazepam 30 mg"),
        None,
        LONGEST,
        TWO_CLASSES,
    ),
    PanelPlan("no-alprazolam-switch", "no-helsedir", ("alprazolam 3 mg",), True, LONGEST),
    PanelPlan("uk-alprazolam-switch", "uk-ashton", ("alprazolam 1.5 mg",), True, LONGEST),
    # Depot tablets topped up with a solution, then the solution alone four times a day for
    # ten months (nurse review 3: the product names in every cell gave the dates a negative
    # width and the sheet 14 Chromium pages).
    PanelPlan("us-morphine-topup", "us-cdc-2022", ("morphine 60 mg",), None, LONGEST),
)
