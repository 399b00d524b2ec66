"""The printed sheet's tick boxes, built in Python, equal the Jinja loop they replace.

`as_html.tick_rows` writes the boxes directly (the loop made the sheet ten times slower than
the other formats). The reference below is the template's former loop, verbatim, rendered by
the same Jinja environment; both are compared over real plans in every language, and over
labels that need escaping.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taper.dose import parse_medication
from taper.guideline.loader import load_guideline
from taper.plan import PlanOptions, make_plan
from taper.render.as_html import environment, tick_rows
from taper.render.i18n import LANGUAGES, Lang
from taper.render.view import PlanView, StepView, build_view

# The loop as sheet.html had it, between <table class="ticks"> and </table>.
REFERENCE = """{% for week in s.weeks %}
<tbody>
<tr><th class="time" scope="col">{% if loop.first %}{{ _("Taken") }}{% endif %}</th>
{% for day in week %}<th scope="col">{{ day.weekday }}<span class="date">{{ day.numeric }}</span></th>{% endfor %}
{% for pad in range(7 - week|length) %}<th aria-hidden="true"></th>{% endfor %}
</tr>
{% for d in s.doses %}
<tr><th class="time" scope="row">{{ d.label }}</th>
{% for day in week %}<td><span class="tick" role="img" aria-label="{{ d.label }} {{ day.long }}"></span></td>{% endfor %}
{% for pad in range(7 - week|length) %}<td aria-hidden="true"></td>{% endfor %}
</tr>
{% endfor %}
</tbody>
{% endfor %}
"""  # noqa: E501

PATIENTS = [
    ("se-vgr", "oxazepam 30 mg"),
    ("se-vgr", "oxycodone 40 mg"),
    ("no-helsedir", "diazepam 20 mg"),
    ("uk-ashton", "alprazolam 1.5 mg"),
    ("us-cdc-2022", "oxycodone 60 mg"),
]


def reference(view: PlanView, step: StepView) -> str:
    return environment(view.lang).from_string(REFERENCE).render(s=step)


def view_of(guideline_id: str, med: str, start: dt.date, lang: Lang) -> PlanView:
    loaded = load_guideline(guideline_id)
    plan = make_plan([parse_medication(med)], loaded, PlanOptions(start=start, lang=lang))
    return build_view(plan, lang, loaded.guideline)


@settings(max_examples=25, deadline=None)
@given(
    patient=st.sampled_from(PATIENTS),
    lang=st.sampled_from(LANGUAGES),
    start=st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2030, 12, 31)),
)
def test_tick_rows_equal_the_template_loop(
    patient: tuple[str, str], lang: Lang, start: dt.date
) -> None:
    view = view_of(*patient, start, lang)
    for step in view.steps:
        assert str(tick_rows(view, step)) == reference(view, step)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("label", ["<b>&\"'", "Morgon & kväll", "{{ x }}", ""])
def test_tick_rows_escape_as_the_template_did(lang: Lang, label: str) -> None:
    view = view_of("se-vgr", "oxazepam 30 mg", dt.date(2026, 2, 27), lang)
    step = next(s for s in view.steps if s.kind == "doses")
    odd = dataclasses.replace(step, doses=[dataclasses.replace(d, label=label) for d in step.doses])
    assert str(tick_rows(view, odd)) == reference(view, odd)
