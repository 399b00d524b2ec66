"""Clinician review 9, D11: a benzodiazepine plan said not to stop suddenly ("for some even
seizures"), but not what to do if a fit or confusion comes. Vård och insats names delirium and
epileptic seizures as the serious withdrawal complications a taper guards against (the rule
files' `vardochinsats-bzd`), so the sedative's safety sentence ends with seeking help at once.
"""

from __future__ import annotations

import pytest
from test_clinician_review_4 import plan

from taper.render import PlanFormat, render_plan

URGENT = {
    "en": "If you have a fit or become confused, get medical help at once.",
    "sv": "Får du kramper eller blir förvirrad, sök vård direkt.",
    "nb": "Får du kramper eller blir forvirret, søk legehjelp straks.",
}


@pytest.mark.parametrize(
    ("rule", "medication"),
    [
        ("se-vgr", "oxazepam 30 mg"),
        ("no-helsedir", "diazepam 20 mg"),
        ("uk-ashton", "diazepam 20 mg"),
    ],
)
@pytest.mark.parametrize("lang", ["en", "sv", "nb"])
def test_a_benzodiazepine_sheet_and_text_say_to_seek_help_at_once_for_a_fit_or_confusion(
    rule: str, medication: str, lang: str
) -> None:
    made = plan(rule, medication)
    html = render_plan(made, PlanFormat.html, lang).decode("utf-8").replace("\u00a0", " ")
    text = render_plan(made, PlanFormat.text, lang).decode("utf-8").replace("\u00a0", " ")
    patient = html.split('<section class="clinician')[0]
    assert URGENT[lang] in patient
    assert URGENT[lang] in " ".join(text.split())


def test_an_opioid_sheet_has_no_sedative_urgent_help_line() -> None:
    made = plan("se-vgr", "morphine 60 mg")
    html = render_plan(made, PlanFormat.html, "en").decode("utf-8")
    assert URGENT["en"] not in html
