"""Issue 12, switching to a long-acting drug: the substitute starts at the lower end of the
equivalence range, within the rule file's cap and per-dose maximum, crosses over one dose
time at a time and is held for the rule's stabilisation days before the first cut.

Named regression tests for the issue's examples, then hypothesis properties over every
shipped switch rule: a switch never exceeds the cap or the per-dose maximum, and the
stabilisation before the first cut is never shorter than the rule's.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taper.dose import parse_medication
from taper.equivalence import equivalents
from taper.errors import TaperError
from taper.guideline.loader import load_guideline
from taper.guideline.model import SwitchLimits
from taper.plan import PlanOptions, make_plan
from taper.plan.model import Plan, Step

START = dt.date(2027, 1, 4)


def _plan(gid: str, *meds: str, switch: bool | None = True, specialist: bool = False) -> Plan:
    return make_plan(
        [parse_medication(m) for m in meds],
        load_guideline(gid),
        PlanOptions(start=START, switch=switch, specialist=specialist),
    )


def _limits(gid: str, drug: str) -> SwitchLimits:
    g = load_guideline(gid).guideline
    group = next(d.group for d in g.drugs if d.id == drug)
    rule = next(r for r in g.taper_rules if group in r.groups)
    assert rule.switch.limits is not None
    return rule.switch.limits


def _target_steps(plan: Plan, target: str = "diazepam") -> list[Step]:
    return [s for s in plan.steps if s.drug == target]


def _days_before_first_cut(plan: Plan, target: str = "diazepam") -> int:
    """Days on the full substitute from the day the last switched drug stopped (the
    crossover is complete) to the first cut of the substitute."""
    done = max(s.start for s in plan.steps if s.replaced_by == target)
    first_cut = min(s.start for s in _target_steps(plan, target) if s.phase == "taper")
    return (first_cut - done).days


def test_issue12_ashton_alprazolam_6mg_switch_is_capped_and_split() -> None:
    # Starting at the cap needs a specialist (clinician review R21, below).
    plan = _plan("uk-ashton", "alprazolam 6 mg", specialist=True)
    limits = _limits("uk-ashton", "alprazolam")
    diazepam = _target_steps(plan)
    assert max(s.dose for s in diazepam) == limits.max_daily  # 30, not 120
    assert all(d.amount <= limits.max_per_dose for s in diazepam for d in s.doses)
    assert all(s.dose < Decimal(60) for s in diazepam)  # never 60 mg as one evening dose
    capped = [w for w in plan.warnings if w.code == "switch-capped"]
    assert capped
    assert capped[0].severity == "high"
    assert "the cap, not the equivalence, sets the dose" in capped[0].message


def test_issue12_helsedir_alprazolam_3mg_takes_the_lower_end_and_stabilises() -> None:
    plan = _plan("no-helsedir", "alprazolam 3 mg")
    full = max(s.dose for s in _target_steps(plan))
    assert full == Decimal(30)  # 0.5 mg alprazolam per 5 mg diazepam, not 0.25 (60 mg)
    assert any(w.code == "switch-lower-end" for w in plan.warnings)
    assert _days_before_first_cut(plan) >= _limits("no-helsedir", "alprazolam").stabilisation_days


def test_helsedir_switch_above_the_cap_needs_a_specialist() -> None:
    with pytest.raises(TaperError, match="above rule avrusning-angstdempende's cap of 30 mg"):
        _plan("no-helsedir", "alprazolam 4 mg")
    plan = _plan("no-helsedir", "alprazolam 4 mg", specialist=True)
    assert max(s.dose for s in _target_steps(plan)) == Decimal(40)
    assert all(d.amount <= 10 for s in _target_steps(plan) for d in s.doses)


def test_issue12_no_switch_offer_for_a_drug_already_long_acting() -> None:
    plan = _plan("se-vgr", "diazepam 30 mg", switch=None)
    assert all("--switch" not in w.message for w in plan.warnings)


def test_issue12_ashton_switches_clonazepam_as_its_schedule_1() -> None:
    plan = _plan("uk-ashton", "clonazepam 1.5 mg")
    assert _target_steps(plan)
    assert any(s.replaced_by == "diazepam" for s in plan.steps if s.drug == "clonazepam")


def test_issue12_ashton_hypnotic_default_is_the_switch() -> None:
    plan = _plan("uk-ashton", "temazepam 20 mg", switch=None)
    assert _target_steps(plan)
    assert all(d.time == "bedtime" for s in _target_steps(plan) for d in s.doses)


# --- properties -------------------------------------------------------------------------------

_CASES = [
    ("uk-ashton", "alprazolam", [Decimal("0.25") * k for k in range(1, 33)]),
    ("uk-ashton", "lorazepam", [Decimal("0.5") * k for k in range(1, 17)]),
    ("uk-ashton", "oxazepam", [Decimal(10) * k for k in range(1, 13)]),
    ("no-helsedir", "alprazolam", [Decimal("0.25") * k for k in range(1, 13)]),
    ("no-helsedir", "oxazepam", [Decimal(5) * k for k in range(2, 21)]),
    ("se-vgr", "oxazepam", [Decimal(5) * k for k in range(2, 21)]),
    ("se-vgr", "alprazolam", [Decimal("0.25") * k for k in range(1, 13)]),
]


@settings(max_examples=40, deadline=None)
@given(case=st.sampled_from(_CASES), data=st.data(), specialist=st.booleans())
def test_a_switch_stays_within_the_cap_and_per_dose_maximum(case, data, specialist) -> None:  # type: ignore[no-untyped-def]
    gid, drug, doses = case
    amount = data.draw(st.sampled_from(doses), label="dose")
    limits = _limits(gid, drug)
    try:
        plan = _plan(gid, f"{drug} {amount} mg", specialist=specialist)
    except TaperError as exc:
        message = str(exc)
        # refused above the cap (without a specialist), or by tablets/plausibility limits
        assert (
            ("cap of" in message and not specialist)
            or "dose times" in message
            or ("plausibility" in message)
        ), message
        return
    diazepam = _target_steps(plan)
    if not diazepam:
        return
    assert all(d.amount <= limits.max_per_dose for s in diazepam for d in s.doses)
    if not specialist or limits.above_cap == "cap":
        assert max(s.dose for s in diazepam) <= limits.max_daily
    assert _days_before_first_cut(plan) >= limits.stabilisation_days


@pytest.mark.parametrize("gid", ["uk-ashton", "no-helsedir", "se-vgr"])
def test_issue12_high_dose_alprazolam_warns_of_seizures(gid: str) -> None:
    g = load_guideline(gid).guideline

    def codes(dose: str) -> dict[str, str]:
        found = equivalents([parse_medication(f"alprazolam {dose} mg")], g).warnings
        return {w.code: w.severity for w in found}

    assert codes("6")["threshold:alprazolam-high-dose"] == "high"
    assert "threshold:alprazolam-high-dose" not in codes("4")  # "above 4 mg a day"


def test_issue12_high_dose_alprazolam_warning_reaches_the_plan() -> None:
    plan = _plan("uk-ashton", "alprazolam 6 mg", specialist=True)
    found = [w for w in plan.warnings if w.code == "threshold:alprazolam-high-dose"]
    assert found
    assert "seizures" in found[0].message


def test_issue12_convert_to_diazepam_says_the_load_is_no_starting_dose(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("convert", "-g", "uk-ashton", "-m", "alprazolam 6 mg", "--to", "diazepam")
    assert result.code == 0
    flat = " ".join(result.out.split())
    assert "starts a switch to diazepam at no more than 30 mg a day" in flat
    assert "120 mg is the equivalent load, not a starting dose" in flat
    small = run_cli("convert", "-g", "uk-ashton", "-m", "alprazolam 1 mg", "--to", "diazepam")
    assert "switch-cap" not in small.out  # 20 mg: within the cap
