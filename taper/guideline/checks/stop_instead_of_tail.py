"""`stop_dose.stop_instead_of_tail` is an opioid rule's choice only.

It ends a taper at the stop dose rather than go on below it with a new product or an
immediate-release product at fewer dose times than its regimen. A benzodiazepine keeps its
slow end (its last part is the hardest: clinical-facts.md §6.4), so the field on any other
class's rule is an error, not a silent no-op.

Passing:

```yaml
taper_rules:
  - id: opioid
    class: opioid
    stop_dose:
      reference_amount: 20
      unverified: Project choice.
      stop_instead_of_tail: {unverified: Project choice.}
```

Failing (a benzodiazepine rule):

```yaml
taper_rules:
  - id: bzd
    class: benzodiazepine
    stop_dose:
      reference_amount: 5
      unverified: Project choice.
      stop_instead_of_tail: {unverified: Project choice.}
```
"""

from __future__ import annotations

from collections.abc import Iterable

from taper.guideline.checks._util import field, find
from taper.guideline.findings import Finding
from taper.guideline.model import Guideline
from taper.guideline.yamlstrict import YamlDocument

RULE_ID = "stop-instead-of-tail"


def check(guideline: Guideline, doc: YamlDocument) -> Iterable[Finding]:
    for i, rule in enumerate(guideline.taper_rules):
        stop = rule.stop_dose
        if stop is None or stop.stop_instead_of_tail is None or rule.drug_class == "opioid":
            continue
        at = field(doc, ("taper_rules", i), rule, "stop_dose")
        yield find(
            doc,
            field(doc, at, stop, "stop_instead_of_tail"),
            RULE_ID,
            f"rule {rule.id}: stop_instead_of_tail is for opioid rules only; a "
            f"{rule.drug_class} taper keeps its slow end below the stop dose",
        )
