"""Dose bands are sorted, touch without gaps or overlaps, and only the last is open-ended.

A band covers `above` < dose <= `up_to`; each band's `above` must equal the previous band's
`up_to`, and only the last band may leave out `up_to`. A factor that falls as the dose rises is
reported as a warning (for methadone the factor to morphine rises with dose), and so is a first
band that does not start at 0 (lower doses would have no factor).

Passing:

```yaml
      - drug: methadone
        bands:
          - {above: 0, up_to: 20, factor: 4}
          - {above: 20, up_to: 40, factor: 8}
          - {above: 40, factor: 10}
```

Failing (a gap between 20 and 30 mg):

```yaml
        bands:
          - {above: 0, up_to: 20, factor: 4}
          - {above: 30, factor: 8}
```
"""

from __future__ import annotations

from collections.abc import Iterable

from taper.guideline.checks._util import field, find, num, subject, walk
from taper.guideline.findings import Finding
from taper.guideline.model import Conversion, Guideline
from taper.guideline.yamlstrict import YamlDocument

RULE_ID = "bands-contiguous"


def check(guideline: Guideline, doc: YamlDocument) -> Iterable[Finding]:
    for base, obj in walk(doc, guideline):
        if not isinstance(obj, Conversion) or not obj.bands:
            continue
        who = subject(guideline, base)
        bands_path = field(doc, base, obj, "bands")
        first = obj.bands[0]
        if first.above != 0:
            yield find(
                doc,
                (*bands_path, 0, "above"),
                RULE_ID,
                f"{who}: the first band starts above {num(first.above)}; lower doses have no "
                "factor",
                "warning",
            )
        for index, band in enumerate(obj.bands):
            path = (*bands_path, index)
            span = f"band {index + 1}"
            if band.up_to is not None and band.up_to <= band.above:
                yield find(
                    doc,
                    (*path, "up_to"),
                    RULE_ID,
                    f"{who}: {span} ends at {num(band.up_to)}, which is not above its start "
                    f"{num(band.above)}",
                )
            if index == 0:
                continue
            prev = obj.bands[index - 1]
            if prev.up_to is None:
                yield find(
                    doc,
                    (*bands_path, index - 1),
                    RULE_ID,
                    f"{who}: only the last band may be open-ended (band {index} has no `up_to`)",
                )
            elif band.above < prev.above:
                yield find(
                    doc,
                    (*path, "above"),
                    RULE_ID,
                    f"{who}: bands must be sorted by dose ({span} starts at {num(band.above)}, "
                    f"before band {index} at {num(prev.above)})",
                )
            elif band.above > prev.up_to:
                yield find(
                    doc,
                    (*path, "above"),
                    RULE_ID,
                    f"{who}: doses between {num(prev.up_to)} and {num(band.above)} are in no "
                    f"band ({span} should start at {num(prev.up_to)})",
                )
            elif band.above < prev.up_to:
                yield find(
                    doc,
                    (*path, "above"),
                    RULE_ID,
                    f"{who}: {span} overlaps band {index} between {num(band.above)} and "
                    f"{num(prev.up_to)}",
                )
            if band.factor < prev.factor:
                yield find(
                    doc,
                    (*path, "factor"),
                    RULE_ID,
                    f"{who}: the factor falls from {num(prev.factor)} to {num(band.factor)} as "
                    "the dose rises; check the table",
                    "warning",
                )
