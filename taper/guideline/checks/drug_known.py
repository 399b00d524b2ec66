"""Every drug the file names is defined in `drugs`, in the right drug class.

Checked: conversion drugs, each table's `reference` and `specialist_only_targets`, formulary
products, taper-rule `drugs` and `groups`, switch targets, `fewer_dose_times` and `driving`
limits. A drug
listed under the benzodiazepine table (or rule) must have `class: benzodiazepine`, and so on.

Passing:

```yaml
drugs:
  - {id: diazepam, class: benzodiazepine}
  - {id: oxazepam, class: benzodiazepine}
formulary:
  - drug: oxazepam
    brand: Sobril
```

Failing (`oksazepam` is not a drug id; spellings belong in a drug's `names`):

```yaml
formulary:
  - drug: oksazepam
    brand: Sobril
```
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from taper.guideline.checks._util import field, find
from taper.guideline.findings import Finding
from taper.guideline.model import Drug, DrugClass, Guideline
from taper.guideline.yamlstrict import Path, YamlDocument

RULE_ID = "drug-known"


class _Checker:
    def __init__(self, guideline: Guideline, doc: YamlDocument) -> None:
        self.doc = doc
        self.drugs: dict[str, Drug] = {d.id: d for d in guideline.drugs}
        self.by_name: dict[str, str] = {}
        for drug in guideline.drugs:
            for name in drug.names:
                self.by_name.setdefault(name.casefold(), drug.id)
        self.findings: list[Finding] = []

    def need(self, path: Path, drug_id: str, where: str, cls: DrugClass | None) -> None:
        drug = self.drugs.get(drug_id)
        if drug is None:
            text = f"{where}: drug '{drug_id}' is not defined in `drugs`"
            alias = self.by_name.get(drug_id.casefold())
            close = difflib.get_close_matches(drug_id, list(self.drugs), n=1)
            if alias:
                text += f" ('{drug_id}' is a name of '{alias}'; use the id)"
            elif close:
                text += f" (did you mean '{close[0]}'?)"
            self.findings.append(find(self.doc, path, RULE_ID, text))
        elif cls is not None and drug.drug_class != cls:
            self.findings.append(
                find(
                    self.doc,
                    path,
                    RULE_ID,
                    f"{where}: {drug_id} is {_a(drug.drug_class)}, not {_a(cls)}",
                )
            )


def _a(cls: str) -> str:
    return ("an " if cls[0] in "aeiou" else "a ") + cls


def check(guideline: Guideline, doc: YamlDocument) -> Iterable[Finding]:
    c = _Checker(guideline, doc)
    for cls, table in guideline.equivalence.items():
        base: Path = ("equivalence", cls)
        c.need(field(doc, base, table, "reference"), table.reference, f"{cls} table reference", cls)
        targets = field(doc, base, table, "specialist_only_targets")
        for i, target in enumerate(table.specialist_only_targets):
            c.need((*targets, i), target, f"{cls} table specialist_only_targets", cls)
        conversions = field(doc, base, table, "conversions")
        for i, conv in enumerate(table.conversions):
            path = field(doc, (*conversions, i), conv, "drug")
            c.need(path, conv.drug, f"{cls} table", cls)
    for i, product in enumerate(guideline.formulary):
        path = field(doc, ("formulary", i), product, "drug")
        c.need(path, product.drug, f"formulary product {product.brand}", None)
    for i, rule in enumerate(guideline.taper_rules):
        base = ("taper_rules", i)
        drugs = field(doc, base, rule, "drugs")
        for j, drug_id in enumerate(rule.drugs):
            c.need((*drugs, j), drug_id, f"rule {rule.id}", rule.drug_class)
        if rule.switch.target is not None:
            switch = field(doc, base, rule, "switch")
            path = field(doc, switch, rule.switch, "target")
            c.need(path, rule.switch.target, f"rule {rule.id} switch target", rule.drug_class)
        known_groups = {
            d.group for d in guideline.drugs if d.drug_class == rule.drug_class and d.group
        }
        if rule.switch.long_acting_switched:
            switch = field(doc, base, rule, "switch")
            listed = field(doc, switch, rule.switch, "long_acting_switched")
            for j, drug_id in enumerate(rule.switch.long_acting_switched):
                c.need((*listed, j), drug_id, f"rule {rule.id} switch", rule.drug_class)
        if rule.switch.advised is not None:
            switch = field(doc, base, rule, "switch")
            advice = field(doc, switch, rule.switch, "advised")
            listed = field(doc, advice, rule.switch.advised, "drugs")
            for j, drug_id in enumerate(rule.switch.advised.drugs):
                c.need((*listed, j), drug_id, f"rule {rule.id} switch advice", rule.drug_class)
        if rule.fewer_dose_times:
            listed = field(doc, base, rule, "fewer_dose_times")
            for j, entry in enumerate(rule.fewer_dose_times):
                path = field(doc, (*listed, j), entry, "drug")
                c.need(path, entry.drug, f"rule {rule.id} fewer_dose_times", rule.drug_class)
        groups = field(doc, base, rule, "groups")
        for j, group in enumerate(rule.groups):
            if group not in known_groups:
                shown = ", ".join(sorted(known_groups)) or "none"
                c.findings.append(
                    find(
                        doc,
                        (*groups, j),
                        RULE_ID,
                        f"rule {rule.id}: no {rule.drug_class} in `drugs` has group '{group}' "
                        f"(groups in use: {shown})",
                    )
                )
    if guideline.driving is not None:
        limits = field(doc, ("driving",), guideline.driving, "limits")
        for j, limit in enumerate(guideline.driving.limits):
            path = field(doc, (*limits, j), limit, "drug")
            c.need(path, limit.drug, "driving limit", "benzodiazepine")
    for i, th in enumerate(guideline.thresholds):
        if th.drug is not None:
            path = field(doc, ("thresholds", i), th, "drug")
            c.need(path, th.drug, f"threshold {th.id}", th.drug_class)
    return c.findings
