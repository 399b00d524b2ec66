"""The slow-down checks' shared parts (`slow-down-threshold`, `slow-down-slower`,
`slow-down-pace`): the rules with a slow-down, and the shares of the current dose a rule's
reduction and slow-down take where the slow-down begins.

A slow-down begins below a share of the starting dose (`below_percent_of_start`) or below an
amount of the reference drug (`below_reference_amount`). A `start`-mode reduction cuts a share
of the starting dose, a larger share of the current dose once the dose has fallen (10 % of the
start is a third of a dose at 30 % of the start); below an amount of the reference drug that
share depends on the start, so it cannot be compared. A smallest step (`min_step`) makes a cut
at least that large: where the threshold is an amount, the step's share of it counts.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from taper.guideline.checks._util import field, walk
from taper.guideline.model import Guideline, MinStep, SlowDown, TaperRule
from taper.guideline.yamlstrict import Path, YamlDocument


def slow_downs(
    guideline: Guideline, doc: YamlDocument
) -> Iterator[tuple[TaperRule, SlowDown, Path]]:
    """Every taper rule with a slow-down, with the slow-down and its YAML path."""
    for base, obj in walk(doc, guideline):
        if isinstance(obj, TaperRule) and obj.slow_down is not None:
            yield obj, obj.slow_down, field(doc, base, obj, "slow_down")


def percents_in_range(rule: TaperRule, slow: SlowDown) -> bool:
    """The percents the comparisons use are in (0, 100]; `percent-range` reports any other, so
    a comparison would only repeat it."""
    percents = (rule.reduction.percent, slow.percent, slow.below_percent_of_start or 1)
    return all(0 < p <= 100 for p in percents)


def round_share(value: Decimal) -> Decimal:
    """A share for a message, to 0.1 %."""
    return value.quantize(Decimal("0.1")).normalize()


def main_share(rule: TaperRule) -> Decimal | None:
    """The reduction's cut as a share (%) of the current dose where the slow-down begins
    (None: it cannot be known from the rule alone)."""
    reduction, slow = rule.reduction, rule.slow_down
    assert slow is not None
    if reduction.mode == "current":
        share = reduction.percent
    elif slow.below_percent_of_start is not None and slow.below_percent_of_start > 0:
        share = reduction.percent * 100 / slow.below_percent_of_start
    else:
        return None
    return max(share, _step_share(rule, reduction.min_step))


def slow_share(rule: TaperRule) -> Decimal:
    """The slow-down's cut as a share (%) of the current dose where it begins."""
    slow = rule.slow_down
    assert slow is not None
    step = slow.min_step or rule.reduction.min_step
    return max(slow.percent, _step_share(rule, step))


def _step_share(rule: TaperRule, step: MinStep | None) -> Decimal:
    slow = rule.slow_down
    assert slow is not None
    threshold = slow.below_reference_amount
    if step is None or threshold is None or threshold <= 0:
        return Decimal(0)
    return step.reference_amount * 100 / threshold
