"""Dose equivalents: diazepam milligrams and oral morphine milligrams under one rule file.

Pure functions over typed values; nothing here reads files or prints.

Arithmetic. Every dose and every number of the rule file is a `Decimal`; the calculation runs
on exact rationals (`fractions.Fraction` built from those decimals, never a float), so
`dose x equals / amount` is exact even when it does not terminate (25 mg oxazepam x 5/15), a
linear table scales exactly linearly, a class total is the exact sum of its items, and
converting a total back to the reference drug returns it unchanged. Results are rounded
**once, at the end**, to 0.01 of the unit (half up, `QUANTUM`): the `equivalent`, `range` and
`dose` fields are rounded, the `exact` fields are not. A class total is the exact sum of the
exact items, rounded once; it can therefore differ by 0.01 from the sum of the rounded items.

Bases (see `taper.guideline.model.Conversion`):
- `factor`: reference = dose x factor (patches: factor per mcg/h of delivery rate, never per
  patch, so a 3-day patch is never counted three times);
- `amount`/`equals`: reference = dose x equals / amount;
- `bands`: the factor of the band the daily dose falls in (`above` < dose <= `up_to`);
- `points`: published table rows; a dose on a row is exact, between rows it is interpolated
  linearly (flag `interpolated`), below the first row it is proportional from zero (flag
  `below-table`), above the last row no factor can be determined.
For `bands` and `points` the dose is the drug's **combined** daily dose when several lines
name the same drug, route and unit (two methadone lines are one methadone dose); each line
gets its share of the result (flag `combined-dose`).

A medication the table has no conversion for gives an explicit "no factor could be determined"
result: it is never counted as zero, and its class total is marked incomplete.
"""

from typing import TYPE_CHECKING

from taper.equivalence.conversion import (
    Computed,
    compute,
    from_reference,
    select_conversion,
    to_reference,
)
from taper.equivalence.drugs import (
    check_brand_form,
    drug_label,
    is_substitution,
    resolve_drug,
    resolve_medication,
    suggestions,
)
from taper.equivalence.lists import (
    class_total,
    convert_item,
    equivalents,
)
from taper.equivalence.results import (
    CLASS_ARTICLE,
    CLASS_LABEL,
    CLASS_ORDER,
    QUANTUM,
    SWITCH_JUDGEMENT,
    Basis,
    ClassTotal,
    EquivalenceWarning,
    Equivalents,
    ItemEquivalent,
    SourceRef,
    TargetResult,
    decimal_if_exact,
    exact,
    quantize,
)
from taper.equivalence.target import (
    to_target,
)

if TYPE_CHECKING:
    from taper.equivalence.comparison import Comparison, Spread, compare


def __getattr__(name: str) -> object:
    # Only `taper compare` compares rule files: its module (five classes, ~3 ms of start-up)
    # is imported when one of its names is first asked for, not on every plan.
    if name in ("Comparison", "Spread", "compare"):
        from taper.equivalence import comparison

        return getattr(comparison, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CLASS_ARTICLE",
    "CLASS_LABEL",
    "CLASS_ORDER",
    "QUANTUM",
    "SWITCH_JUDGEMENT",
    "Basis",
    "ClassTotal",
    "Comparison",
    "Computed",
    "EquivalenceWarning",
    "Equivalents",
    "ItemEquivalent",
    "SourceRef",
    "Spread",
    "TargetResult",
    "check_brand_form",
    "class_total",
    "compare",
    "compute",
    "convert_item",
    "decimal_if_exact",
    "drug_label",
    "equivalents",
    "exact",
    "from_reference",
    "is_substitution",
    "quantize",
    "resolve_drug",
    "resolve_medication",
    "select_conversion",
    "suggestions",
    "to_reference",
    "to_target",
]
