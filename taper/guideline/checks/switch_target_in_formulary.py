"""A rule that may switch drugs names a target with a marketed product in the formulary.

With `policy: optional` or `recommended` the rule must name a `target`, and the formulary must
hold a marketed product of it, or the plan could not be made from real tablets.

Passing:

```yaml
formulary:
  - {drug: diazepam, brand: Stesolid, strengths: [{amount: 2}, {amount: 5}], source: fass}
taper_rules:
  - id: bzd-default
    switch: {policy: recommended, target: diazepam, source: rmr}
```

Failing (no diazepam product in the formulary):

```yaml
formulary:
  - {drug: oxazepam, brand: Sobril, strengths: [{amount: 10}], source: fass}
taper_rules:
  - id: bzd-default
    switch: {policy: recommended, target: diazepam, source: rmr}
```
"""

from __future__ import annotations

from collections.abc import Iterable

from taper.guideline.checks._util import field, find
from taper.guideline.findings import Finding
from taper.guideline.model import Guideline
from taper.guideline.yamlstrict import YamlDocument

RULE_ID = "switch-target-in-formulary"


def check(guideline: Guideline, doc: YamlDocument) -> Iterable[Finding]:
    marketed = {p.drug for p in guideline.formulary if p.marketed}
    listed = {p.drug for p in guideline.formulary}
    for i, rule in enumerate(guideline.taper_rules):
        switch = rule.switch
        path = field(doc, ("taper_rules", i), rule, "switch")
        if switch.policy == "never":
            continue
        if switch.target is None:
            yield find(
                doc,
                field(doc, path, switch, "policy"),
                RULE_ID,
                f"rule {rule.id}: switch policy '{switch.policy}' needs a `target` drug",
            )
            continue
        if switch.target in marketed:
            continue
        why = "only products that are not marketed" if switch.target in listed else "no product"
        yield find(
            doc,
            field(doc, path, switch, "target"),
            RULE_ID,
            f"rule {rule.id}: switch target {switch.target} has {why} in the formulary",
        )
