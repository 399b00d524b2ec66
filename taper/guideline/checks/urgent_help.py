"""Every urgent-help number can be checked, and says when to call it in the file's language.

A number printed on the patient's first page must be right: its `source` names a source with
a `url` a reader can open (or the entry says why it is `unverified`), each number is listed
once, and its `label` is written in the file's `language` (the patient reads it).

Passing:

```yaml
language: sv
sources:
  - id: vardguiden-1177
    title: 1177 Vårdguiden, "Om 1177 Vårdguiden på telefon"
    url: https://www.1177.se/
urgent_help:
  - number: "112"
    label: {en: If life is in danger, sv: Om det är livshotande}
    source: vardguiden-1177
```

Failing (the source has no `url`, and no Swedish label in a Swedish file):

```yaml
language: sv
sources:
  - id: vardguiden-1177
    title: 1177 Vårdguiden
urgent_help:
  - number: "112"
    label: {en: If life is in danger}
    source: vardguiden-1177
```
"""

from __future__ import annotations

from collections.abc import Iterable

from taper.guideline.checks._util import field, find
from taper.guideline.findings import Finding
from taper.guideline.model import Guideline
from taper.guideline.yamlstrict import YamlDocument

RULE_ID = "urgent-help"


def check(guideline: Guideline, doc: YamlDocument) -> Iterable[Finding]:
    urls = {s.id: s.url for s in guideline.sources}
    seen: set[str] = set()
    for index, entry in enumerate(guideline.urgent_help):
        base = ("urgent_help", index)
        who = f"urgent_help[{index}] ({entry.number})"
        if entry.source is not None and entry.source in urls and not urls[entry.source]:
            yield find(
                doc,
                field(doc, base, entry, "source"),
                RULE_ID,
                f"{who}: source '{entry.source}' has no `url`; a number the patient calls "
                "must be checkable",
            )
        if getattr(entry.label, guideline.language) is None:
            yield find(
                doc,
                field(doc, base, entry, "label"),
                RULE_ID,
                f"{who}: `label` has no `{guideline.language}` text, the file's language",
                key=True,
            )
        digits = entry.number.replace(" ", "")
        if digits in seen:
            yield find(doc, base, RULE_ID, f"{who}: the number is listed twice", key=True)
        seen.add(digits)
