"""A rule file's `id` matches its file name (warning).

Built-in guidelines are chosen by file name (`--guideline se-vgr` reads `se-vgr.yaml`), so an id
that differs from the name is confusing in every printout.

Passing (in `se-vgr.yaml`):

```yaml
id: se-vgr
```

Failing (in `se-vgr.yaml`):

```yaml
id: se-vgr-2024
```
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePath

from taper.guideline.checks._util import find
from taper.guideline.findings import Finding
from taper.guideline.model import Guideline
from taper.guideline.yamlstrict import YamlDocument

RULE_ID = "id-matches-file"


def check(guideline: Guideline, doc: YamlDocument) -> Iterable[Finding]:
    path = PurePath(doc.path)
    if path.suffix.lower() not in (".yaml", ".yml"):
        return
    if path.stem != guideline.id:
        yield find(
            doc,
            ("id",),
            RULE_ID,
            f"id '{guideline.id}' differs from the file name '{path.name}'; built-in "
            f"guidelines are chosen by file name, so name it {guideline.id}{path.suffix}",
            "warning",
        )
