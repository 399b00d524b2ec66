"""Every source id a value names is defined in the file's `sources`.

Checks `source` on every object that carries one, every id in a conversion's `range_sources`,
and the `source` of each checkpoint content item.

Passing:

```yaml
sources:
  - id: rjl-2019
    title: Region Jönköpings län, Fakta 2019
...
    conversions:
      - drug: oxazepam
        amount: 15
        equals: 5
        source: rjl-2019
```

Failing (`rjl-2018` is not in `sources`):

```yaml
      - drug: oxazepam
        amount: 15
        equals: 5
        source: rjl-2018
```
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from taper.guideline.checks._util import at, field, field_names, find, walk
from taper.guideline.findings import Finding
from taper.guideline.model import Conversion, Guideline
from taper.guideline.yamlstrict import YamlDocument

RULE_ID = "source-exists"


def _message(who: str, source: str, known: list[str]) -> str:
    text = f"{who} '{source}' is not defined in `sources`"
    close = difflib.get_close_matches(source, known, n=1)
    if close:
        text += f" (did you mean '{close[0]}'?)"
    return text


def check(guideline: Guideline, doc: YamlDocument) -> Iterable[Finding]:
    known = [s.id for s in guideline.sources]
    defined = set(known)
    for base, obj in walk(doc, guideline):
        if "source" in field_names(type(obj)):
            source = getattr(obj, "source", None)
            if isinstance(source, str) and source not in defined:
                path = field(doc, base, obj, "source")
                yield find(doc, path, RULE_ID, _message(at(guideline, path), source, known))
        if isinstance(obj, Conversion):
            for index, source in enumerate(obj.range_sources):
                if source not in defined:
                    path = (*field(doc, base, obj, "range_sources"), index)
                    yield find(doc, path, RULE_ID, _message(at(guideline, path), source, known))
