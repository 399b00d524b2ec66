"""A `holiday_subdivision` is one the `holidays` library knows for the file's country.

Contacts and dose changes avoid the region's public holidays. Some holidays belong to a part
of a country only (England's Easter Monday and August bank holiday; Scotland's 2 January), so
a clinic names its part; an unknown code would leave the plan without its holidays.

Passing:

```yaml
country: GB
holiday_subdivision: ENG
```

Failing (Scotland is `SCT` in the library):

```yaml
country: GB
holiday_subdivision: SCO
```
"""

from __future__ import annotations

from collections.abc import Iterable

from taper.clinic_days import known_subdivisions
from taper.guideline.checks._util import find
from taper.guideline.findings import Finding
from taper.guideline.model import Guideline
from taper.guideline.yamlstrict import YamlDocument

RULE_ID = "holiday-subdivision"


def check(guideline: Guideline, doc: YamlDocument) -> Iterable[Finding]:
    code = guideline.holiday_subdivision
    if code is None:
        return
    known = known_subdivisions(guideline.country)
    if code not in known:
        listed = ", ".join(known) if known else "none"
        yield find(
            doc,
            ("holiday_subdivision",),
            RULE_ID,
            f"holiday_subdivision '{code}' is not a part of {guideline.country} the holidays "
            f"library knows (it knows: {listed})",
        )
