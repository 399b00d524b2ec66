"""Doses, factors, strengths and thresholds are finite numbers above zero.

Covers conversion `factor`, `amount` and `equals`, both ends of a `range`, band `factor` and
`up_to` (a band's `above` may be 0), table `points`, product strengths, threshold `above`, a
taper's smallest steps (`min_step`), a slow-down's `below_reference_amount` and a rule's
`fewer_dose_times` amount (`below`), the counts `doses_per_day` (rule and switch) and
`parts_per_dose_time`, and a switch's limits `max_daily` and `max_per_dose` (a zero per-dose
maximum crashed the switch: issue 14), and an oral solution's `mg_per_ml` (a negative one
validated and crashed the planner: issue 14; `smallest_ml` and `mg_per_drop` are checked by
`product-regimen`).

Passing:

```yaml
      - drug: alprazolam
        amount: 0.5
        equals: 5
```

Failing (a zero amount cannot be converted):

```yaml
      - drug: alprazolam
        amount: 0
        equals: 5
```
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from pydantic import BaseModel

from taper.guideline.checks._util import at, field, find, num, walk
from taper.guideline.findings import Finding
from taper.guideline.model import (
    Band,
    Conversion,
    DrugAmount,
    FewerDoseTimes,
    Guideline,
    Liquid,
    MinStep,
    SlowDown,
    Strength,
    Switch,
    SwitchLimits,
    TablePoint,
    TaperRule,
    Threshold,
)
from taper.guideline.yamlstrict import Path, YamlDocument

RULE_ID = "positive-number"

# model → fields that must be > 0 (and fields that may be 0 but not negative)
_POSITIVE: dict[type[BaseModel], tuple[str, ...]] = {
    Conversion: ("factor", "amount", "equals", "range"),
    Band: ("factor", "up_to"),
    TablePoint: ("dose", "equals"),
    Strength: ("amount",),
    Threshold: ("above",),
    TaperRule: ("doses_per_day",),
    Switch: ("doses_per_day", "parts_per_dose_time"),
    SwitchLimits: ("max_daily", "max_per_dose"),
    MinStep: ("reference_amount",),
    DrugAmount: ("amount",),
    SlowDown: ("below_reference_amount",),
    Liquid: ("mg_per_ml",),
    FewerDoseTimes: ("below",),
}
_NOT_NEGATIVE: dict[type[BaseModel], tuple[str, ...]] = {Band: ("above",)}


def _bad(value: Decimal | int, allow_zero: bool) -> bool:
    if isinstance(value, Decimal) and not value.is_finite():
        return True
    return value < 0 if allow_zero else value <= 0


def _values(
    doc: YamlDocument, base: Path, obj: BaseModel, name: str
) -> Iterable[tuple[Path, Decimal | int]]:
    value = getattr(obj, name)
    path = field(doc, base, obj, name)
    if isinstance(value, tuple):
        for index, item in enumerate(value):
            yield (*path, index), item
    elif isinstance(value, Decimal | int) and not isinstance(value, bool):
        yield path, value


def check(guideline: Guideline, doc: YamlDocument) -> Iterable[Finding]:
    for base, obj in walk(doc, guideline):
        for allow_zero, table in ((False, _POSITIVE), (True, _NOT_NEGATIVE)):
            for name in table.get(type(obj), ()):
                for path, value in _values(doc, base, obj, name):
                    if _bad(value, allow_zero):
                        need = "0 or more" if allow_zero else "more than 0"
                        yield find(
                            doc,
                            path,
                            RULE_ID,
                            f"{at(guideline, path)} {num(value)} must be {need}",
                        )
