"""A taper rule never stops at once, cuts at most 50 % a step, and above 25 % is flagged.

A reduction `percent` or `max_percent` of 100, or a slow-down `percent` of 100, takes the whole
dose away in one step: that is an abrupt stop, not a taper, and is an **error**. NICE NG215
(2022): do not stop abruptly unless exceptional; CDC 2022 (p. 15): opioid therapy "should not
be discontinued abruptly" (clinical-facts.md §6.3 and §7). A table's `switch_reduction_percent`
of 100 is an error for the same reason: the switch would leave no dose of the new drug.

A step above 50 % is an **error** (a project ceiling): the fastest taper any source gives is
CDC 2022's brief taper after less than a week of use, 50 % for 2 days (p. 18); a rule that cuts
more, such as 99 %, takes oxycodone 60 → 20 mg → stop. The same ceiling holds for
`switch_reduction_percent`: Region Uppsala's 50 % is the largest cross-tolerance allowance
cited, and more would cut the dose switched to by more than any step.

A step above 25 % (and at most 50 %) is a **warning**: it is faster than the long-term tapers in
clinical-facts.md allow. The fastest they cite is 20–25 % per step (trappned.no, a Norwegian
clinician tool, §4.3) and 10–25 % of the remaining dose (Terveyskylä, §2.3); Helsedirektoratet
gives 10–20 % of the original dose weekly (§4.3), CDC 2022 10 % a month or a week (§7). Only
brief tapers after days to weeks of use go faster (CDC 2022, p. 18: 50 % for 2 days after less
than a week; about 20 % every 2 days after less than a month), so a faster rule may be meant,
but it should be a decision, not a typo. The warning applies to the reduction's `percent` and
`max_percent` and the slow-down's `percent`, not to `switch_reduction_percent` (a one-off
cross-tolerance allowance on a switch, 50 % in Region Uppsala's table, not a taper step).
Values at or below 0 or above 100 are `percent-range`'s.

Passing:

```yaml
    reduction: {mode: current, percent: 10, max_percent: 25, interval_days: 14, source: rmr}
```

Failing (100 % is an abrupt stop, an error; a `max_percent` of 60 would be a warning):

```yaml
    reduction: {mode: current, percent: 100, interval_days: 14, source: rmr}
```
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from taper.guideline.checks._util import at, field, find, num, walk
from taper.guideline.findings import Finding
from taper.guideline.model import EquivalenceTable, Guideline, Reduction, SlowDown
from taper.guideline.yamlstrict import YamlDocument

RULE_ID = "taper-speed"

FASTEST_CITED = Decimal(25)  # % per step: trappned.no 20–25 %, Terveyskylä 10–25 % (see above)
CEILING = Decimal(50)  # % per step: CDC 2022's brief taper (see above); more is an error


def check(guideline: Guideline, doc: YamlDocument) -> Iterable[Finding]:
    for base, obj in walk(doc, guideline):
        if isinstance(obj, Reduction):
            names: tuple[str, ...] = ("percent", "max_percent")
        elif isinstance(obj, SlowDown):
            names = ("percent",)
        elif isinstance(obj, EquivalenceTable):
            names = ("switch_reduction_percent",)
        else:
            continue
        for name in names:
            value = getattr(obj, name)
            if not isinstance(value, Decimal) or not 0 < value <= 100:
                continue  # none, or percent-range's
            path = field(doc, base, obj, name)
            if value == 100 and isinstance(obj, EquivalenceTable):
                yield find(
                    doc,
                    path,
                    RULE_ID,
                    f"{at(guideline, path)} 100 leaves no dose of the drug switched to: the "
                    "switch would be an abrupt stop (NICE NG215, CDC 2022: do not stop abruptly)",
                )
            elif value == 100:
                yield find(
                    doc,
                    path,
                    RULE_ID,
                    f"{at(guideline, path)} 100 stops the drug in one step: an abrupt stop, not "
                    "a taper (NICE NG215, CDC 2022: do not stop abruptly); a step must cut "
                    "less than the whole dose",
                )
            elif value > CEILING:
                yield find(
                    doc,
                    path,
                    RULE_ID,
                    f"{at(guideline, path)} {num(value)} % is more than {CEILING} %, the "
                    "fastest cut any source gives (CDC 2022: 50 % for 2 days after brief use); "
                    "a faster rule stops a dose almost at once",
                )
            elif value > FASTEST_CITED and not isinstance(obj, EquivalenceTable):
                yield find(
                    doc,
                    path,
                    RULE_ID,
                    f"{at(guideline, path)} {num(value)} % per step is faster than the long-term "
                    "tapers in the sources allow (trappned.no 20–25 % per step is the fastest "
                    "cited; only brief tapers after short use go faster, CDC 2022)",
                    "warning",
                )
