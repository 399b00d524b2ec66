"""Shared by the hostile and mutated rule-file tests: a time bound, and planning every drug."""

from __future__ import annotations

import datetime as dt
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from types import FrameType
from typing import Any

from plan_helpers import medication, plannable

from taper import names
from taper.errors import TaperError
from taper.guideline.loader import LoadedGuideline
from taper.plan import (
    PlanOptions,
    builder,
    curve,
    formulary,
    formulation,
    inputs,
    make_plan,
    regimen,
    review,
    step_floors,
)
from taper.plan.invariants import plan_problems

# The planner's memos, keyed by a rule file's sha256 (or by object): each mutant is a new
# file, so nothing one mutant leaves there is of use to the next.
_MEMOS: list[dict[Any, Any]] = [
    formulary._KITS,
    formulary._KIT_LOOKUPS,
    curve._TRAJECTORIES,
    builder._PLAN_MEMO,
    review._PER_DAY,
    formulation._STOP_QUANTA,
    step_floors._CACHE,
    inputs._DRUGS,
    inputs._EQUIVALENCE_WARNINGS,
    regimen._IMMEDIATE,
    regimen._LIQUID,
    names._INDEX_CACHE,
]


class Hang(BaseException):
    """The block ran out of time (a BaseException: no handler for errors can swallow it)."""


@contextmanager
def bounded(seconds: float, what: str) -> Iterator[None]:
    """Raise `Hang` if the block uses more than `seconds` of CPU time (SIGPROF; Unix).

    CPU time, not wall time: on a machine shared by several test runs a wall-clock bound
    failed now and then for a validation that needs 0.05 s of CPU.

    The `Hang` that leaves the block is a fresh one raised here, with no frame of the
    interrupted code: a signal can land on an instruction that has no line number
    (`tb_lineno` None), and pytest then stopped the whole run with an INTERNALERROR while
    formatting the traceback, naming no test (issue 14)."""

    def alarm(_signum: int, _frame: FrameType | None) -> None:
        raise Hang(f"{what} took over {seconds} s")

    previous = signal.signal(signal.SIGPROF, alarm)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    except Hang as exc:
        interrupted = exc
    else:
        return
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
    raise Hang(str(interrupted)) from None


def forget_other_rule_files() -> None:
    """Empty the planner's memos before a mutant, so that its CPU bound counts its own work:
    over thousands of mutants they held millions of objects, and the garbage collector's
    passes over them (seconds each) fell on whichever mutant was running (issue 14)."""
    for memo in _MEMOS:
        memo.clear()


def plan_every_drug(loaded: LoadedGuideline) -> list[str]:
    """Plan each drug the formulary can make, from its largest strength, three of its
    smallest and 1.9 of its smallest (a dose the strengths rarely make: evening out, issue 14
    item 3); the problems of any plan (empty: each is sound or refused in one sentence)."""
    problems = []
    g = loaded.guideline
    for drug, unit in plannable(loaded):
        strengths = sorted(
            s.amount for p in g.formulary if p.drug == drug and p.unit == unit for s in p.strengths
        )
        for amount in sorted({strengths[-1], strengths[0] * 3, strengths[0] * Decimal("1.9")}):
            options = PlanOptions(start=dt.date(2027, 1, 4), specialist=True)
            try:
                plan = make_plan([medication(drug, amount, unit)], loaded, options)
            except TaperError as exc:
                if "\n" in str(exc):
                    problems.append(f"{drug} {amount} {unit}: a refusal of several lines")
                continue
            problems += [f"{drug} {amount} {unit}: {p}" for p in plan_problems(plan, g)]
    return problems
