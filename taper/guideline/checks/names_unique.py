"""Ids and names are unique, so every name the user types means exactly one thing.

Drug ids, drug `names` and ATC codes are compared case-insensitively across drugs (a brand name
may not be another drug's id or name). Source, rule, content, criterion and threshold ids are
unique in their lists, and a table converts each drug by one route and unit only once.

Passing:

```yaml
drugs:
  - {id: oxazepam, class: benzodiazepine, names: [Sobril, Oxascand], atc: [N05BA04]}
  - {id: diazepam, class: benzodiazepine, names: [Stesolid], atc: [N05BA01]}
```

Failing (`sobril` would match two drugs):

```yaml
drugs:
  - {id: oxazepam, class: benzodiazepine, names: [Sobril]}
  - {id: diazepam, class: benzodiazepine, names: [Stesolid, sobril]}
```
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pydantic import BaseModel

from taper.guideline.checks._util import field, find
from taper.guideline.findings import Finding
from taper.guideline.model import Guideline
from taper.guideline.yamlstrict import Path, YamlDocument

RULE_ID = "names-unique"


def _ids(doc: YamlDocument, base: Path, items: Sequence[BaseModel], what: str) -> Iterable[Finding]:
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        ident: str = getattr(item, "id")  # noqa: B009
        path = field(doc, (*base, index), item, "id")
        if ident in seen:
            first = doc.locate(field(doc, (*base, seen[ident]), items[seen[ident]], "id"))
            yield find(
                doc,
                path,
                RULE_ID,
                f"{what} id '{ident}' is used twice (first at line {first.line})",
            )
        else:
            seen[ident] = index


def check(guideline: Guideline, doc: YamlDocument) -> Iterable[Finding]:
    # drugs: ids, names and ATC codes
    owner: dict[str, tuple[str, int]] = {}  # folded name → (drug id, line)
    atc_owner: dict[str, tuple[str, int]] = {}
    for i, drug in enumerate(guideline.drugs):
        base: Path = ("drugs", i)
        own: set[str] = set()
        entries = [(field(doc, base, drug, "id"), drug.id, "id")]
        names = field(doc, base, drug, "names")
        entries += [((*names, j), name, "name") for j, name in enumerate(drug.names)]
        for path, text, kind in entries:
            folded = text.casefold()
            if folded in own:
                continue
            own.add(folded)
            if folded in owner and kind == "id" and owner[folded][0] == drug.id:
                line = owner[folded][1]
                yield find(
                    doc, path, RULE_ID, f"drug id '{drug.id}' is used twice (first at line {line})"
                )
            elif folded in owner:
                other, line = owner[folded]
                yield find(
                    doc,
                    path,
                    RULE_ID,
                    f"{drug.id}: {kind} '{text}' is already used by {other} (line {line}); a "
                    "name must identify one drug",
                )
            else:
                owner[folded] = (drug.id, doc.locate(path).line)
        atcs = field(doc, base, drug, "atc")
        for j, code in enumerate(drug.atc):
            path = (*atcs, j)
            if code in atc_owner and atc_owner[code][0] != drug.id:
                other, line = atc_owner[code]
                yield find(
                    doc,
                    path,
                    RULE_ID,
                    f"{drug.id}: ATC code {code} is already used by {other} (line {line})",
                )
            else:
                atc_owner.setdefault(code, (drug.id, doc.locate(path).line))
    # a product's other names name its own drug, never another
    for i, product in enumerate(guideline.formulary):
        names = field(doc, ("formulary", i), product, "names")
        for j, name in enumerate(product.names):
            used = owner.get(name.casefold())
            if used is not None and used[0] != product.drug:
                yield find(
                    doc,
                    (*names, j),
                    RULE_ID,
                    f"{product.brand}: name '{name}' is already used by {used[0]} (line "
                    f"{used[1]}); a name must identify one drug",
                )
    # ids in lists
    yield from _ids(doc, ("sources",), guideline.sources, "source")
    yield from _ids(doc, ("taper_rules",), guideline.taper_rules, "rule")
    yield from _ids(doc, ("thresholds",), guideline.thresholds, "threshold")
    if guideline.checkpoints is not None:
        content = field(doc, ("checkpoints",), guideline.checkpoints, "content")
        yield from _ids(doc, content, guideline.checkpoints.content, "content")
    if guideline.referral is not None:
        criteria = field(doc, ("referral",), guideline.referral, "criteria")
        yield from _ids(doc, criteria, guideline.referral.criteria, "criterion")
    # one conversion per drug, route and unit in each table
    for cls, table in guideline.equivalence.items():
        conv_base = field(doc, ("equivalence", cls), table, "conversions")
        seen: dict[tuple[str, str, str], int] = {}
        for i, conv in enumerate(table.conversions):
            key = (conv.drug, conv.route, conv.unit)
            if key in seen:
                first = doc.locate((*conv_base, seen[key])).line
                yield find(
                    doc,
                    field(doc, (*conv_base, i), conv, "drug"),
                    RULE_ID,
                    f"{cls} table: {conv.drug} ({conv.route}, {conv.unit}) is converted twice "
                    f"(first at line {first}); keep one and put the other values in its range",
                )
            else:
                seen[key] = i
