"""A Swedish or Norwegian rule file that gives its `unverified` notes per language gives every
one in its own language (warning).

The clinician page lists the project choices a plan used. A note given only in English prints
in English on a Swedish or Norwegian sheet, marked "(in English in the rule file)". A file
whose notes are all plain English texts is left alone; once a file translates its notes, one
left in English is an oversight (the built-in se-vgr and no-helsedir translate all). Give the
note per language, `en` first; other languages are welcome too (`--lang` prints a plan of a
Swedish file in Norwegian).

Passing (in a file with `language: sv`):

```yaml
phases:
  mapping_days: 7
  unverified: {en: Project choice., sv: Projektets val.}
```

Failing (in a file with `language: sv`):

```yaml
phases:
  mapping_days: 7
  unverified: Project choice.
reduction:
  percent: 10
  unverified: {en: Project choice., sv: Projektets val.}
```
"""

from __future__ import annotations

from collections.abc import Iterable

from taper.guideline.checks._util import at, field, find, walk
from taper.guideline.findings import Finding
from taper.guideline.model import Guideline, LocalText, Provenance
from taper.guideline.yamlstrict import YamlDocument

RULE_ID = "unverified-language"


def check(guideline: Guideline, doc: YamlDocument) -> Iterable[Finding]:
    lang = guideline.language
    if lang == "en":
        return
    notes = [(base, obj) for base, obj in walk(doc, guideline) if isinstance(obj, Provenance)]
    if not any(isinstance(obj.unverified_note, LocalText) for _, obj in notes):
        return  # every note in English: printed as such, said to be English
    for base, obj in notes:
        if obj.unverified and obj.unverified_in(lang) is None:
            yield find(
                doc,
                field(doc, base, obj, "unverified_note"),
                RULE_ID,
                f"{at(guideline, base)}: the `unverified` note has no `{lang}` text (the "
                f"file's language); write it as {{en: ..., {lang}: ...}}",
                "warning",
            )
