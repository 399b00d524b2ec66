"""Choosing a taper rule for a drug, and the pace it sets after the user's options."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from taper.dose import format_amount
from taper.errors import TaperError
from taper.guideline.model import Drug, Guideline, TaperRule
from taper.plan.options import PlanOptions

MAX_DOSES_PER_DAY = 4


def matches(rule: TaperRule, drug: Drug) -> bool:
    return (
        rule.drug_class == drug.drug_class
        and (not rule.drugs or drug.id in rule.drugs)
        and (not rule.groups or drug.group in rule.groups)
    )


def _specificity(rule: TaperRule) -> int:
    return 2 if rule.drugs else 1 if rule.groups else 0


def matching_rules(guideline: Guideline, drug: Drug) -> list[TaperRule]:
    """Rules for `drug`, most specific first (named drugs, then groups, then the class);
    the file's order among equally specific rules."""
    found = [r for r in guideline.taper_rules if matches(r, drug)]
    return sorted(found, key=lambda r: -_specificity(r))  # sorted() is stable


def select_rule(guideline: Guideline, drug: Drug, wanted: str | None) -> TaperRule:
    """The default rule for `drug`, or the rule `wanted` (--rule) when it matches the drug."""
    candidates = matching_rules(guideline, drug)
    if wanted is not None:
        for rule in candidates:
            if rule.id == wanted:
                return rule
    if not candidates:
        why = guideline.not_covered.get(drug.drug_class)
        raise TaperError(
            f"Rule file {guideline.id} has no taper rule for {drug.id} "
            f"({drug.drug_class}{', ' + drug.group if drug.group else ''})"
            + (f": {why.rstrip('.')}." if why else ".")
        )
    return candidates[0]


def check_rule_choice(guideline: Guideline, drugs: list[Drug], wanted: str | None) -> None:
    """--rule must name a rule of the file that matches at least one of the drugs."""
    if wanted is None:
        return
    ids = [r.id for r in guideline.taper_rules]
    if wanted not in ids:
        raise TaperError(
            f"Rule file {guideline.id} has no taper rule {wanted!r}; its rules are: "
            f"{', '.join(ids) or 'none'}."
        )
    rule = next(r for r in guideline.taper_rules if r.id == wanted)
    if not any(matches(rule, d) for d in drugs):
        names = ", ".join(d.id for d in drugs)
        raise TaperError(f"Rule {wanted} does not apply to {names}; it is for {_scope(rule)}.")


def _scope(rule: TaperRule) -> str:
    if rule.drugs:
        return ", ".join(rule.drugs)
    if rule.groups:
        return f"{rule.drug_class} ({', '.join(rule.groups)})"
    return rule.drug_class


@dataclass(frozen=True)
class Pace:
    """How fast one rule tapers, after --percent and --interval."""

    rule: TaperRule
    mode: Literal["current", "start"]
    percent: Fraction  # per step: of the current dose (current) or of the start dose (start)
    interval_days: int
    max_percent: Fraction  # the fastest step the rule allows (same basis as `percent`)
    # Slow down below this share (%) of the start dose (None: no slow-down, or one below an
    # amount of the reference drug, `taper.plan.step_floors`) ...
    slow_below: Fraction | None
    slow_percent: Fraction | None  # ... to this share of the current dose ...
    slow_interval_days: int | None  # ... every this many days
    slow_rule_percent: Fraction | None  # the largest slow-down share allowed (step check)
    chosen_percent: Fraction | None = None  # --percent, when the user chose a speed


def pace(rule: TaperRule, options: PlanOptions) -> Pace:
    """The rule's pace with the user's options; anything faster than the rule is refused."""
    red = rule.reduction
    max_percent = red.max_percent if red.max_percent is not None else red.percent
    percent = red.percent
    if options.percent is not None:
        if not Decimal(0) < options.percent <= Decimal(100):
            raise TaperError(f"--percent must be above 0 and at most 100 (got {options.percent}).")
        if options.percent > max_percent:
            raise TaperError(
                f"--percent {format_amount(options.percent)} is faster than rule {rule.id} "
                f"allows (at most {format_amount(max_percent)} % per step)."
            )
        percent = options.percent
    min_interval = red.min_interval_days if red.min_interval_days is not None else red.interval_days
    interval = red.interval_days
    if options.interval_days is not None:
        if options.interval_days < min_interval:
            raise TaperError(
                f"--interval {options.interval_days} is shorter than rule {rule.id} allows "
                f"(at least {min_interval} days per step)."
            )
        interval = options.interval_days
    _check_days(rule, interval, "reduction interval")
    sd = rule.slow_down
    slow_below = slow_percent = slow_rule = None
    slow_interval = None
    if sd is not None:
        if sd.below_percent_of_start is not None:
            slow_below = Fraction(sd.below_percent_of_start)
        slow_rule = Fraction(sd.percent)
        # The slow-down never runs faster than the speed the user chose.
        slow_percent = min(slow_rule, Fraction(percent)) if options.percent else slow_rule
        slow_interval = max(sd.interval_days, options.interval_days or 0)
        _check_days(rule, slow_interval, "slow-down interval")
    if not 1 <= rule.doses_per_day <= MAX_DOSES_PER_DAY:
        raise TaperError(
            f"Rule {rule.id} asks for {rule.doses_per_day} doses a day; plans support 1 to "
            f"{MAX_DOSES_PER_DAY}."
        )
    if options.percent is not None:
        # The chosen speed bounds every cut as the rule's maximum does: a larger cut that the
        # tablets force is flagged, never silently taken.
        max_percent = percent
        if slow_rule is not None and slow_percent is not None:
            slow_rule = slow_percent
    return Pace(
        rule=rule,
        chosen_percent=None if options.percent is None else Fraction(options.percent),
        mode=red.mode,
        percent=Fraction(percent),
        interval_days=interval,
        max_percent=Fraction(max_percent),
        slow_below=slow_below,
        slow_percent=slow_percent,
        slow_interval_days=slow_interval,
        slow_rule_percent=slow_rule,
    )


def _check_days(rule: TaperRule, days: int, what: str) -> None:
    if days < 1:
        raise TaperError(f"Rule {rule.id} has a {what} of {days} days; it must be at least 1.")
