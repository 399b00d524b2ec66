"""Every clinical number lies within the range a real taper needs (project limits).

A value that validates must never make the planner work without end or stop a dose too
fast, so the numbers a taper is computed from are bounded here, before any other check or the
planner does arithmetic with them. None of these limits is a clinical recommendation: each is
far outside every shipped rule file and every source in `docs` (clinical-facts.md), and exists
so that a typo (`interval_days: 1400`, a strength of `0.001`) is caught, not planned.

- reduction and slow-down `interval_days`, `min_interval_days`: at most 91 days (the slowest
  cited pace is monthly, CDC 2022's 10 % a month; a quarter year is far beyond it);
- `mapping_days`, `stabilisation_days` (also a switch's, in its `limits`): at most 91 days
  (the TUB model takes weeks; a switch's of 1,000,000 days validated and made a plan of
  2,700 years that took 17 s to make: issue 14);
- switch `crossover_step_days`: at most 28 days (a month to replace one dose time);
- switch `parts_per_dose_time`: 1 to 4 (a dose time replaced in at most four steps; a plan
  has at most four dose times, so a crossover has at most 16 steps);
- pause `max_days`, support `every_days` and `max_gap_days`: at most 182 days (half a year);
- support `lead_days`: at most 28 days;
- `max_duration_days`: at most 1,826 days (five years; the shipped files allow two);
- reduction and slow-down `percent`, `max_percent`, `below_percent_of_start`: at least 1 %
  (the slowest step any source gives is 5–10 %; below 1 % a plan has thousands of steps);
- a strength in mg: 0.05 to 1,000 mg (tablets run from 0.125 mg to 300 mg, tramadol ER);
- a strength in mcg/h: 1 to 200 mcg/h (patches come in 5 to 100 mcg/h);
- conversion and band `factor`: 0.001 to 1,000;
- conversion `amount`, `equals`, `range`, band limits, table points, threshold `above`: at
  most 100,000.

Values at or below 0 and percents above 100 are `positive-number`'s and `percent-range`'s;
intervals below 1 day are `interval-min`'s.

Passing:

```yaml
    reduction: {mode: current, percent: 10, interval_days: 14, source: rmr}
```

Failing (an interval of 1,400 days is a typo for 14):

```yaml
    reduction: {mode: current, percent: 10, interval_days: 1400, source: rmr}
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
    Guideline,
    PausePolicy,
    Phases,
    Product,
    Reduction,
    SlowDown,
    SourcedInt,
    SupportContacts,
    Switch,
    SwitchLimits,
    TablePoint,
    TaperRule,
    Threshold,
)
from taper.guideline.yamlstrict import YamlDocument

RULE_ID = "clinical-range"

_NONE = None
# model → field → (lowest, highest) allowed; None: no bound on that side (another rule's).
_DAYS_91 = (_NONE, 91)
_LIMITS: dict[type[BaseModel], dict[str, tuple[Decimal | int | None, Decimal | int | None]]] = {
    Reduction: {
        "interval_days": _DAYS_91,
        "min_interval_days": _DAYS_91,
        "percent": (1, _NONE),
        "max_percent": (1, _NONE),
    },
    SlowDown: {
        "interval_days": _DAYS_91,
        "percent": (1, _NONE),
        "below_percent_of_start": (1, _NONE),
    },
    Phases: {"mapping_days": _DAYS_91, "stabilisation_days": _DAYS_91},
    Switch: {"crossover_step_days": (_NONE, 28), "parts_per_dose_time": (1, 4)},
    SwitchLimits: {"stabilisation_days": _DAYS_91},
    PausePolicy: {"max_days": (_NONE, 182)},
    SupportContacts: {
        "every_days": (_NONE, 182),
        "max_gap_days": (_NONE, 182),
        "lead_days": (_NONE, 28),
    },
    Conversion: {
        "factor": (Decimal("0.001"), 1000),
        "amount": (_NONE, 100_000),
        "equals": (_NONE, 100_000),
        "range": (_NONE, 100_000),
    },
    Band: {
        "factor": (Decimal("0.001"), 1000),
        "above": (_NONE, 100_000),
        "up_to": (_NONE, 100_000),
    },
    TablePoint: {"dose": (_NONE, 100_000), "equals": (_NONE, 100_000)},
    Threshold: {"above": (_NONE, 100_000)},
}
_STRENGTH = {"mg": (Decimal("0.05"), Decimal(1000)), "mcg/h": (Decimal(1), Decimal(200))}
MAX_DURATION_DAYS = 1826


def _out_of_range(
    value: Decimal | int, low: Decimal | int | None, high: Decimal | int | None
) -> str | None:
    if isinstance(value, Decimal) and not value.is_finite():
        return None  # positive-number's
    if value <= 0:
        return None  # positive-number's, percent-range's or interval-min's
    if low is not None and value < low:
        return f"below {num(low)}"
    if high is not None and value > high:
        return f"above {num(high)}"
    return None


def _message(
    guideline: Guideline, path: tuple[str | int, ...], value: Decimal | int, why: str
) -> str:
    return (
        f"{at(guideline, path)} {num(value)} is {why}, outside the range any taper needs "
        "(a project limit; see clinical-range in docs/rule-format.md)"
    )


def check(guideline: Guideline, doc: YamlDocument) -> Iterable[Finding]:
    for base, obj in walk(doc, guideline):
        if isinstance(obj, Product):
            weakest, strongest = _STRENGTH[obj.unit]
            for index, strength in enumerate(obj.strengths):
                why = _out_of_range(strength.amount, weakest, strongest)
                if why is not None:
                    path = (*field(doc, base, obj, "strengths"), index, "amount")
                    unit = (
                        f"{obj.unit} (a strength in {obj.unit} is {num(weakest)} to "
                        f"{num(strongest)})"
                    )
                    yield find(
                        doc,
                        path,
                        RULE_ID,
                        _message(guideline, path, strength.amount, f"{why} {unit}"),
                    )
            continue
        if isinstance(obj, TaperRule):
            duration = obj.max_duration_days.value
            if duration > MAX_DURATION_DAYS:
                path = (*field(doc, base, obj, "max_duration_days"), "value")
                yield find(
                    doc,
                    path,
                    RULE_ID,
                    _message(guideline, path, duration, f"above {MAX_DURATION_DAYS} days"),
                )
            continue
        if isinstance(obj, SourcedInt):
            continue
        limits = _LIMITS.get(type(obj))
        if limits is None:
            continue
        for name, (low, high) in limits.items():
            value = getattr(obj, name)
            path = field(doc, base, obj, name)
            values = (
                [((*path, i), v) for i, v in enumerate(value)]
                if isinstance(value, tuple)
                else [(path, value)]
            )
            for where, item in values:
                if not isinstance(item, Decimal | int) or isinstance(item, bool):
                    continue
                why = _out_of_range(item, low, high)
                if why is not None:
                    yield find(doc, where, RULE_ID, _message(guideline, where, item, why))
