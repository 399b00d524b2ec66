"""Issue 12, partial substitution where the rule says (`switch.parts_per_dose_time`): the
crossover replaces each dose time in parts of whole tablets of the old drug, each part held a
crossover step. No shipped rule file uses it (the text of Ashton's stepwise substitution was
not found, shared/formulations.md §4 and §7); a fixture copy of uk-ashton with
`parts_per_dose_time` tests it.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taper.dose import parse_medication
from taper.guideline.loader import LoadedGuideline, load_guideline
from taper.plan import PlanOptions, make_plan
from taper.plan.model import Plan
from taper.plan.switching import pieces

START = dt.date(2027, 1, 4)
SHIPPED = Path(__file__).resolve().parents[1] / "guidelines" / "uk-ashton.yaml"
_ANXIOLYTIC = "      crossover_step_days: 7\n      long_acting_switched: [clonazepam]\n"


def _fixture(folder: Path, parts: int) -> LoadedGuideline:
    """uk-ashton with its anxiolytic rule replacing each dose time in `parts` steps."""
    text = SHIPPED.read_text(encoding="utf-8")
    assert _ANXIOLYTIC in text
    text = text.replace(
        _ANXIOLYTIC,
        f"      crossover_step_days: 7\n      parts_per_dose_time: {parts}\n"
        "      long_acting_switched: [clonazepam]\n",
    )
    path = folder / "uk-ashton.yaml"  # the id must match the file name
    path.write_text(text, encoding="utf-8")
    return load_guideline(str(path))


def _plan(loaded: LoadedGuideline, med: str) -> Plan:
    return make_plan([parse_medication(med)], loaded, PlanOptions(start=START, lang="en"))


def _source_doses(plan: Plan, drug: str) -> list[dict[str, Decimal]]:
    """The old drug's dose at each time, step by step, from the last fixed doses on."""
    return [
        {d.time: d.amount for d in s.doses}
        for s in plan.steps
        if s.drug == drug and s.phase in ("stabilisation", "switch")
    ]


@pytest.fixture(scope="module")
def halves(tmp_path_factory: pytest.TempPathFactory) -> LoadedGuideline:
    return _fixture(tmp_path_factory.mktemp("parts2"), 2)


def test_issue12_partial_substitution_replaces_each_dose_time_in_two_steps(
    halves: LoadedGuideline,
) -> None:
    plan = _plan(halves, "oxazepam 15+15+30 mg")
    doses = _source_doses(plan, "oxazepam")
    # evening 30 mg: 15 mg replaced, then the rest; midday 15 mg: part of it, then the rest
    # (what is left is a dose the oxazepam tablets make).
    evenings = [d.get("evening", Decimal(0)) for d in doses]
    assert evenings[:3] == [Decimal(30), Decimal(15), Decimal(0)]
    assert any(Decimal(0) < d.get("midday", Decimal(0)) < Decimal(15) for d in doses)
    crossover = [s for s in plan.steps if s.drug == "oxazepam" and s.phase == "switch"]
    assert len(crossover) == 6  # three dose times, two parts each
    assert any(w.code == "switch-partial" for w in plan.warnings)


def test_issue12_one_part_is_the_shipped_crossover(halves: LoadedGuideline) -> None:
    shipped = _plan(load_guideline("uk-ashton"), "oxazepam 15+15+30 mg")
    crossover = [s for s in shipped.steps if s.drug == "oxazepam" and s.phase == "switch"]
    assert len(crossover) == 3
    assert not any(w.code == "switch-partial" for w in shipped.warnings)
    # the same substitute in the end
    partial = _plan(halves, "oxazepam 15+15+30 mg")
    last = [s for s in shipped.steps if s.drug == "diazepam" and s.phase == "switch"][-1]
    same = [s for s in partial.steps if s.drug == "diazepam" and s.phase == "switch"][-1]
    assert (last.dose, [d.amount for d in last.doses]) == (
        same.dose,
        [d.amount for d in same.doses],
    )


@pytest.mark.parametrize(
    ("value", "rule"), [(5, "clinical-range"), (0, "positive-number"), (-1, "positive-number")]
)
def test_issue12_parts_per_dose_time_is_checked(  # type: ignore[no-untyped-def]
    tmp_path: Path, run_cli, value: int, rule: str
) -> None:
    text = SHIPPED.read_text(encoding="utf-8").replace(
        _ANXIOLYTIC,
        f"      crossover_step_days: 7\n      parts_per_dose_time: {value}\n"
        "      long_acting_switched: [clonazepam]\n",
    )
    path = tmp_path / "uk-ashton.yaml"
    path.write_text(text, encoding="utf-8")
    result = run_cli("guidelines", "validate", str(path))
    assert result.code != 0
    assert rule in result.out + result.err


@pytest.mark.parametrize(
    ("quanta", "parts", "expected"),
    [(8, 2, [4, 4]), (7, 2, [4, 3]), (1, 2, [1]), (9, 3, [3, 3, 3]), (0, 2, [0]), (5, 1, [5])],
)
def test_pieces_are_whole_and_add_up(quanta: int, parts: int, expected: list[int]) -> None:
    assert pieces(quanta, parts, lambda q: True) == expected


def test_pieces_leave_only_doses_the_tablets_make() -> None:
    # 3 quanta of 5 mg (15 mg), tablets of 10 and 15 mg: 10 mg is left, never 5 mg.
    assert pieces(3, 2, lambda q: q in (2, 3)) == [1, 2]
    assert pieces(3, 2, lambda q: q == 3) == [3]  # nothing can be left: one step


_DOSES = st.sampled_from(["10", "15", "30", "0"])


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(parts=st.integers(min_value=1, max_value=4), times=st.lists(_DOSES, min_size=2, max_size=4))
def test_partial_crossover_never_raises_a_dose_nor_passes_the_limits(
    tmp_path_factory: pytest.TempPathFactory, parts: int, times: list[str]
) -> None:
    if not any(t != "0" for t in times):
        return
    loaded = _loaded(tmp_path_factory, parts)
    limits = next(r for r in loaded.guideline.taper_rules if r.id == "ashton-anxiolytic").switch
    assert limits.limits is not None
    med = f"oxazepam {'+'.join(times)} mg"
    # Above uk-ashton's 30 mg cap the start at the cap needs a specialist (clinician review
    # R21); with one, the plan starts at the cap.
    plan = make_plan(
        [parse_medication(med)], loaded, PlanOptions(start=START, lang="en", specialist=True)
    )
    doses = _source_doses(plan, "oxazepam")
    for before, after in itertools.pairwise(doses):
        for time, amount in after.items():
            assert amount <= before.get(time, Decimal(0))  # the old drug only goes down
    for step in plan.steps:
        if step.drug == "diazepam" and step.phase == "switch":
            assert step.dose <= limits.limits.max_daily
            assert all(d.amount <= limits.limits.max_per_dose for d in step.doses)
    crossover = [s for s in plan.steps if s.drug == "oxazepam" and s.phase == "switch"]
    assert len(crossover) <= parts * sum(t != "0" for t in times)


_LOADED: dict[int, LoadedGuideline] = {}


def _loaded(factory: pytest.TempPathFactory, parts: int) -> LoadedGuideline:
    if parts not in _LOADED:
        _LOADED[parts] = _fixture(factory.mktemp(f"parts{parts}"), parts)
    return _LOADED[parts]
