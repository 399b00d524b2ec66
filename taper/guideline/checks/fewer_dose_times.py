"""A rule's `fewer_dose_times` names drugs the rule tapers, each once, and long-acting ones.

The planner reads an entry only for a drug the rule tapers: one it matches (its class, groups
and drugs) or its switch target. An entry for any other drug would silently do nothing, so it
is an error, as is a drug named twice in one rule (which amount would hold?). A drug not
marked `long_acting` gets a warning: a short-acting drug (oxazepam, lorazepam) taken once a
day would leave long gaps between doses, so it keeps its even sharing unless the rule means
otherwise. `below` above zero is `positive-number`'s; the drug's id is `drug-known`'s.

Passing:

```yaml
drugs:
  - {id: diazepam, class: benzodiazepine, group: anxiolytic, long_acting: true}
taper_rules:
  - id: bzd
    class: benzodiazepine
    switch: {policy: recommended, target: diazepam, unverified: choice}
    fewer_dose_times:
      - {drug: diazepam, below: 5, unverified: Project choice.}
```

Failing (the rule tapers only hypnotics and switches to nothing, so diazepam is never its):

```yaml
taper_rules:
  - id: bzd-hypnotic
    class: benzodiazepine
    groups: [hypnotic]
    switch: {policy: never, unverified: choice}
    fewer_dose_times:
      - {drug: diazepam, below: 5, unverified: Project choice.}
```
"""

from __future__ import annotations

from collections.abc import Iterable

from taper.guideline.checks._util import field, find
from taper.guideline.findings import Finding
from taper.guideline.model import Drug, Guideline, TaperRule
from taper.guideline.yamlstrict import YamlDocument

RULE_ID = "fewer-dose-times"


def _tapers(rule: TaperRule, drug: Drug) -> bool:
    """Whether `rule` tapers `drug`: it matches it (as `taper.plan.rules.matches`), or the
    drug is its switch target."""
    matches = (
        rule.drug_class == drug.drug_class
        and (not rule.drugs or drug.id in rule.drugs)
        and (not rule.groups or drug.group in rule.groups)
    )
    return matches or rule.switch.target == drug.id


def check(guideline: Guideline, doc: YamlDocument) -> Iterable[Finding]:
    drugs = {d.id: d for d in guideline.drugs}
    for i, rule in enumerate(guideline.taper_rules):
        if not rule.fewer_dose_times:
            continue
        listed = field(doc, ("taper_rules", i), rule, "fewer_dose_times")
        seen: set[str] = set()
        for j, entry in enumerate(rule.fewer_dose_times):
            path = field(doc, (*listed, j), entry, "drug")
            drug = drugs.get(entry.drug)
            if drug is None:
                continue  # drug-known says so
            if entry.drug in seen:
                yield find(
                    doc, path, RULE_ID, f"rule {rule.id}: fewer_dose_times names {entry.drug} twice"
                )
            seen.add(entry.drug)
            if not _tapers(rule, drug):
                yield find(
                    doc,
                    path,
                    RULE_ID,
                    f"rule {rule.id}: fewer_dose_times names {entry.drug}, which the rule "
                    "neither tapers nor switches to, so it would never apply",
                )
            elif not drug.long_acting:
                yield find(
                    doc,
                    path,
                    RULE_ID,
                    f"rule {rule.id}: fewer_dose_times names {entry.drug}, which is not "
                    "`long_acting`: a short-acting drug taken fewer times a day leaves long gaps "
                    "between doses; is this meant?",
                    "warning",
                )
