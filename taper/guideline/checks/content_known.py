"""Every content id a checkpoint names is defined in `checkpoints.content`.

Support contacts, aftercare (`content`, `opioid_content`) and the evaluation list what is
discussed by id; the text of each id is in the content catalogue.

Passing:

```yaml
checkpoints:
  support: {content: [coping], source: rmr}
  aftercare: {minimum: 6m, offsets: [1m, 6m], content: [relapse], source: rmr}
  content:
    - {id: coping, text: {en: Coping strategies}}
    - {id: relapse, text: {en: Relapse prevention}}
```

Failing (`naloxone` has no text in the catalogue):

```yaml
  aftercare: {minimum: 6m, offsets: [1m, 6m], opioid_content: [naloxone], source: rmr}
  content:
    - {id: relapse, text: {en: Relapse prevention}}
```
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from taper.guideline.checks._util import field, field_names, find, label, walk
from taper.guideline.findings import Finding
from taper.guideline.model import ContentItem, Guideline
from taper.guideline.yamlstrict import YamlDocument

RULE_ID = "content-known"


def check(guideline: Guideline, doc: YamlDocument) -> Iterable[Finding]:
    checkpoints = guideline.checkpoints
    if checkpoints is None:
        return
    known = [item.id for item in checkpoints.content]
    for base, obj in walk(doc, checkpoints, ("checkpoints",)):
        if isinstance(obj, ContentItem):
            continue
        for name in field_names(type(obj)):
            value = getattr(obj, name)
            if not name.endswith("content") or not isinstance(value, list):
                continue
            path = field(doc, base, obj, name)
            for index, item in enumerate(value):
                if isinstance(item, str) and item not in known:
                    text = (
                        f"{label(path[1:])}: content '{item}' is not defined in "
                        "`checkpoints.content`"
                    )
                    close = difflib.get_close_matches(item, known, n=1)
                    if close:
                        text += f" (did you mean '{close[0]}'?)"
                    yield find(doc, (*path, index), RULE_ID, text)
