"""A rule file that declares the TUB model keeps at least six months of aftercare (warning).

The TUB model ends with aftercare, and the sources that describe it give six months: VGR's
tapering unit says aftercare "usually" needs support for at least six months after the drug is
stopped, and VGR's RMR offers follow-up for 6 months after a completed taper (clinical-facts.md
§1.1, §2.1, §8). Other sources give other lengths (Ashton: "some months"; Helsedirektoratet
LAR: close follow-up the first 4 weeks; clinical-facts.md §10 item 17), so a shorter minimum is
only flagged in a file that declares the TUB model: its `title` or `region` names it (the word
"TUB", as in "enligt TUB-modellen"). VGR says how long "varies", so this is a warning, not an
error. Six months here is 180 days or more (`6m`, `26w`, `180d`).

Passing:

```yaml
title: Nedtrappning enligt TUB-modellen
checkpoints:
  aftercare: {minimum: 6m, offsets: [2w, 1m, 3m, 6m], source: vgr}
```

Failing (a TUB file with three months of aftercare):

```yaml
title: Nedtrappning enligt TUB-modellen
checkpoints:
  aftercare: {minimum: 3m, offsets: [2w, 1m, 3m], source: vgr}
```
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

from taper.guideline.checks._util import field, find, period_days
from taper.guideline.findings import Finding
from taper.guideline.model import Guideline
from taper.guideline.yamlstrict import YamlDocument

RULE_ID = "aftercare-tub"

SIX_MONTHS_DAYS = Decimal(180)  # 6m (182.6), 26w (182) and 180d all count as six months
_TUB = re.compile(r"\bTUB\b")


def declares_tub(guideline: Guideline) -> bool:
    return any(_TUB.search(text) for text in (guideline.title, guideline.region))


def check(guideline: Guideline, doc: YamlDocument) -> Iterable[Finding]:
    if guideline.checkpoints is None or not declares_tub(guideline):
        return
    aftercare = guideline.checkpoints.aftercare
    if period_days(aftercare.minimum) >= SIX_MONTHS_DAYS:
        return
    base = field(doc, ("checkpoints",), guideline.checkpoints, "aftercare")
    yield find(
        doc,
        field(doc, base, aftercare, "minimum"),
        RULE_ID,
        f"checkpoints.aftercare.minimum {aftercare.minimum} is shorter than the six months of "
        "aftercare the TUB model's sources give (VGR: follow-up for 6 months after the taper); "
        "this file's title or region names the TUB model",
        "warning",
    )
