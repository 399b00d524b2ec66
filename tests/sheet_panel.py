"""The panel of plans the printed sheet is measured on (tests/test_sheet_print.py): typical
one-drug plans of up to a year, and the longest plans of the shipped rule files."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from taper.dose import parse_medication
from taper.guideline.loader import load_guideline
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

    def plan(self, lang: str | None = None) -> Plan:
        loaded = load_guideline(self.guideline)
        options = PlanOptions(start=START, switch=self.switch, lang=lang)
        return make_plan([parse_medication(m) for m in self.meds], loaded, options)


ONE_DRUG = 4  # a one-drug plan of up to a year
LONGEST = 8  # the longest plans of the panel
# uk-ashton alprazolam 1.5 mg: since issue 15 item 3 its diazepam tail goes on the 2 mg/5 ml
# suspension in 0.2 mg steps (no 112-day hold at 2 mg): a 2.7-year plan with about 20 more
# dose rows than the tablets' version, each liquid cell "mg = ml" under a product column that
# names the concentration and the oral syringe.
# i13b: 13 since each product strength has its own line in the overview and the dates column
# gives room to the unbreakable dose parts; the liquid rows' long product names ("... oral
# suspension 2 mg/5 ml (0.4 mg/ml), measured with an oral syringe") then wrap in a narrow
# column. Known regression of 2 pages, to win back (issue 13b report).
# Issue 15 leftovers: 14, since the change from tablets to the suspension is a step (and a
# row) of its own, the same dose on the new product for a week before its first cut.
LONGEST_LIQUID = 14

PANEL = (
    PanelPlan("se-oxazepam", "se-vgr", ("oxazepam 25 mg",), None, ONE_DRUG),
    PanelPlan("se-diazepam", "se-vgr", ("diazepam 20 mg",), None, ONE_DRUG),
    PanelPlan("se-oxycodone", "se-vgr", ("oxycodone 40 mg",), None, ONE_DRUG),
    PanelPlan("se-fentanyl", "se-vgr", ("fentanyl 50 mcg/h",), None, ONE_DRUG),
    PanelPlan(
        "se-zopiclone-oxazepam", "se-vgr", ("zopiclone 7.5 mg", "oxazepam 15 mg"), None, LONGEST
    ),
    PanelPlan(
        "se-oxycodone-oxazepam", "se-vgr", ("oxycodone 40 mg", "oxazepam 30 mg"), None, LONGEST
    ),
    PanelPlan("no-alprazolam-switch", "no-helsedir", ("alprazolam 3 mg",), True, LONGEST),
    PanelPlan("uk-alprazolam-switch", "uk-ashton", ("alprazolam 1.5 mg",), True, LONGEST_LIQUID),
)
