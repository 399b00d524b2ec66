"""Clinical invariants of every plan, over drugs, doses, regions and options (hypothesis).

The invariants themselves live in `taper.plan.invariants.plan_problems`: doses never rise in a
taper, nothing below zero, no step cuts more than the rule allows unless flagged as forced by
tablet strengths, tablets add up to each dose and doses per time to the daily dose, every dose
is made of real pieces (halves only of scored tablets, depot tablets whole), the plan ends at
zero, a drug's steps are contiguous, never two drugs change on the same day (a switch
crossover is one change), and dispensing covers every step. Reruns are identical. A product
(formulation), once stopped during a drug's taper, never returns
(`taper.plan.regimen_invariants.formulation_restarts`; clinician review 6, D4).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from plan_helpers import SOURCES, medication, plannable, replan_originals

from taper.dose import MedicationInput
from taper.errors import TaperError
from taper.guideline.loader import LoadedGuideline, load_guideline
from taper.plan import Pause, PlanOptions, make_plan
from taper.plan.invariants import plan_problems
from taper.plan.model import Plan
from taper.plan.regimen_invariants import formulation_restarts


@st.composite
def cases(draw: st.DrawFn) -> tuple[LoadedGuideline, list[MedicationInput], PlanOptions]:
    loaded = load_guideline(draw(st.sampled_from(SOURCES)))
    pairs = plannable(loaded)
    assume(pairs)
    chosen = draw(
        st.lists(st.sampled_from(pairs), min_size=1, max_size=3, unique_by=lambda p: p[0])
    )
    meds = []
    for drug, unit in chosen:
        amount = draw(st.decimals(min_value=Decimal("0.25"), max_value=Decimal(160), places=2))
        meds.append(medication(drug, amount, unit))
    replan, originals = replan_originals(draw, chosen, meds)
    rules = [r.id for r in loaded.guideline.taper_rules]
    rule = draw(st.sampled_from([None, None, *rules])) if rules else None
    start = dt.date(2025, 1, 6) + dt.timedelta(days=draw(st.integers(0, 400)))
    pauses: tuple[Pause, ...] = ()
    if draw(st.booleans()):
        pauses = (
            Pause(start + dt.timedelta(days=draw(st.integers(0, 200))), draw(st.integers(1, 28))),
        )
    options = PlanOptions(
        start=start,
        switch=draw(st.sampled_from([None, True, False])),
        percent=draw(st.sampled_from([None, Decimal(5), Decimal("7.5"), Decimal(10)])),
        interval_days=draw(st.sampled_from([None, 14, 28, 30])),
        pauses=pauses,
        specialist=draw(st.sampled_from([True, True, True, False])),
        replan=replan,
        originals=originals,
        rule=rule,
    )
    return loaded, meds, options


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(case=cases())
def test_every_plan_keeps_the_clinical_invariants(
    case: tuple[LoadedGuideline, list[MedicationInput], PlanOptions],
) -> None:
    loaded, meds, options = case
    try:
        plan = make_plan(meds, loaded, options)
    except TaperError as exc:
        message = str(exc)
        assert "\n" not in message
        assert message.endswith((".", "?"))
        return
    assert plan_problems(plan, loaded.guideline) == []
    # built without validation for speed: it must pass full validation unchanged
    dumped = plan.model_dump_json()
    assert Plan.model_validate_json(dumped).model_dump_json() == dumped
    again = make_plan(meds, loaded, options)
    assert again.model_dump_json() == plan.model_dump_json()
    assert plan.steps[-1].dose == 0
    assert plan.guideline.sha256 == loaded.sha256


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(case=cases())
def test_a_product_once_stopped_never_returns(
    case: tuple[LoadedGuideline, list[MedicationInput], PlanOptions],
) -> None:
    """Each formulation of a drug (depot tablets, immediate-release tablets, an oral
    solution, a patch) is taken in one unbroken run of its steps, over every rule file,
    drug, dose, pause, replan and option the plan properties draw (clinician review 6, D4:
    Oramorph as a top-up, then not, then alone)."""
    loaded, meds, options = case
    try:
        plan = make_plan(meds, loaded, options)
    except TaperError:
        return
    assert formulation_restarts(plan, loaded.guideline) == []
