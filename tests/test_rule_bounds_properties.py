"""Property: a taper rule with any values the checks allow, up to their bounds (1–50 % a step,
1–91 days, a slow-down from 1 % of the start), validates and plans every drug of its file in
bounded CPU time, each plan keeping the clinical invariants or refused in one sentence.

Together with the mutated files (test_rule_file_bounds.py) and the hostile ones
(test_hostile_rule_files.py) this is issue 14's "every computation is bounded in time".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from bounds_helpers import bounded, plan_every_drug
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from taper.dose import parse_medication
from taper.equivalence import equivalents
from taper.errors import TaperError
from taper.guideline.loader import validate_bytes
from taper.plan import PlanOptions, make_plan
from taper.plan.invariants import plan_problems

SE_VGR = (Path(__file__).resolve().parent.parent / "guidelines" / "se-vgr.yaml").read_text(
    encoding="utf-8"
)
BLOCK = """      percent: 10
      max_percent: 25
      interval_days: 14
      min_interval_days: 7
"""
SLOW = """      below_percent_of_start: 25
      percent: 10
      interval_days: 21
"""
assert SE_VGR.count(BLOCK) >= 1
assert SE_VGR.count(SLOW) >= 1
PLAN_CPU_SECONDS = 20.0

percents = st.decimals(min_value=1, max_value=50, places=1)
days = st.integers(min_value=1, max_value=91)


@st.composite
def rules(draw: st.DrawFn) -> bytes:
    percent = draw(percents)
    top = draw(st.decimals(min_value=percent, max_value=50, places=1))
    interval = draw(days)
    shortest = draw(st.integers(min_value=1, max_value=interval))
    below = draw(st.decimals(min_value=1, max_value=100, places=1))
    slow_percent = draw(st.decimals(min_value=1, max_value=percent, places=1))
    slow_interval = draw(st.integers(min_value=interval, max_value=91))
    block = (
        f"      percent: {percent}\n      max_percent: {top}\n"
        f"      interval_days: {interval}\n      min_interval_days: {shortest}\n"
    )
    slow = (
        f"      below_percent_of_start: {below}\n      percent: {slow_percent}\n"
        f"      interval_days: {slow_interval}\n"
    )
    return SE_VGR.replace(BLOCK, block, 1).replace(SLOW, slow, 1).encode()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=rules())
def test_a_rule_at_any_allowed_values_plans_every_drug_in_bounded_time(raw: bytes) -> None:
    result = validate_bytes(raw, "se-vgr.yaml")
    errors = [f.parsable() for f in result.findings if f.level == "error"]
    assume(not errors)  # e.g. a slow-down faster than a mode-start reduction's share
    assert result.loaded is not None
    with bounded(PLAN_CPU_SECONDS, "planning every drug"):
        assert plan_every_drug(result.loaded) == []


def test_the_slowest_allowed_rule_validates() -> None:
    """The bounds themselves are allowed: 1 % a step, 91 days, a slow-down from 1 %. (The
    reduction takes 90 days: a slow-down at the very same pace is not slower, slow-down-pace.)"""
    block = BLOCK.replace("percent: 10", "percent: 1").replace("max_percent: 25", "max_percent: 1")
    slow = "      below_percent_of_start: 1\n      percent: 1\n      interval_days: 91\n"
    block = block.replace("interval_days: 14", "interval_days: 90")
    raw = SE_VGR.replace(BLOCK, block, 1).replace(SLOW, slow, 1).encode()
    result = validate_bytes(raw, "se-vgr.yaml")
    assert [f.parsable() for f in result.findings if f.level == "error"] == []
    assert Decimal(1) in {r.reduction.percent for r in result.loaded.guideline.taper_rules}  # type: ignore[union-attr]


OXAZEPAM = """      - drug: oxazepam
        amount: 15
        equals: 5
"""
assert OXAZEPAM in SE_VGR
# any number yaml-number lets through, as a decimal with few digits
sizes = st.builds(
    lambda digits, exponent: Decimal(digits).scaleb(exponent),
    st.integers(min_value=1, max_value=999_999),
    st.integers(min_value=-9, max_value=3),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(amount=sizes, equals=sizes, dose=st.sampled_from(["0.5", "15", "30", "500"]))
def test_a_conversion_at_any_allowed_values_converts_and_plans_in_bounded_time(
    amount: Decimal, equals: Decimal, dose: str
) -> None:
    """Issue 14: `equals: 1e999999` made convert run over 60 s. Any value that validates
    converts at once, and a switch plan from it is planned or refused in one sentence."""
    edited = OXAZEPAM.replace("amount: 15", f"amount: {amount:f}").replace(
        "equals: 5", f"equals: {equals:f}"
    )
    raw = SE_VGR.replace(OXAZEPAM, edited, 1).encode()
    result = validate_bytes(raw, "se-vgr.yaml")
    assume(result.ok)
    assert result.loaded is not None
    med = parse_medication(f"oxazepam {dose} mg")
    with bounded(5.0, "convert"):
        try:
            equivalents([med], result.loaded.guideline)
        except TaperError as exc:
            assert "\n" not in str(exc)  # noqa: PT017 - the refusal is one sentence
    options = PlanOptions(start=dt.date(2027, 1, 4), switch=True, specialist=True)
    with bounded(PLAN_CPU_SECONDS, "a switch plan"):
        try:
            plan = make_plan([med], result.loaded, options)
        except TaperError as exc:
            assert "\n" not in str(exc)  # noqa: PT017
            return
    assert plan_problems(plan, result.loaded.guideline) == []
