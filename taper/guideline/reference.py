"""The rule-file reference page and JSON Schema, generated from the models and check modules.

    python -m taper.guideline.reference > docs/rule-format.md
    taper guidelines schema > guidelines/schema.json

Tests compare both committed files with what this module makes, so the documentation cannot
drift from the format.
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import sys
import types
import typing
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, StringConstraints
from pydantic.fields import FieldInfo

from taper.guideline import model as m

SCHEMA_URI = "https://json-schema.org/draft/2020-12/schema"

_PATTERN_NAMES = {
    r"^[a-z0-9][a-z0-9-]*$": "id",
    r"^[1-9][0-9]{0,3}[dwm]$": "period",
    r"^[A-Z]{2}$": "country code",
    r"^[A-Z][0-9]{2}[A-Z]{2}[0-9]{2}$": "ATC code",
}


def schema() -> dict[str, Any]:
    """The JSON Schema of a rule file, with the keys as written in YAML (`class`)."""
    doc = m.Guideline.model_json_schema(by_alias=True)
    doc["$schema"] = SCHEMA_URI
    doc["title"] = "taper rule file"
    doc["description"] = (
        "A regional guideline rule file for taper (benzodiazepine, z-drug and opioid tapering). "
        "See docs/rule-format.md."
    )
    return doc


def schema_text() -> str:
    return json.dumps(schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# Meanings for fields the models leave undescribed. Keyed by (model, field name); a test checks
# every key still names a real field, so this cannot drift from the format.
MEANINGS: dict[tuple[str, str], str] = {
    ("Guideline", "format"): "Version of this file format; always 1.",
    ("Guideline", "id"): "The guideline's id; the file is named `<id>.yaml`.",
    ("Guideline", "region"): "Region or body the rules come from, as printed on plans.",
    ("Guideline", "country"): "Country code in capitals (`SE`, `NO`, `GB`, `US`).",
    ("Guideline", "title"): "Full title, printed on every plan.",
    ("Guideline", "version"): 'Version of this rule file (quote it: `"2024.1"`); printed on '
    "every plan.",
    ("Guideline", "effective"): "Date from which the rules apply.",
    ("Guideline", "language"): "Language of patient-facing output by default.",
    ("Guideline", "timezone"): "Time zone for dated steps and checkpoints.",
    ("Guideline", "sources"): "Every document the file's numbers come from.",
    ("Guideline", "drugs"): "Every drug the file knows, with the names users may type.",
    ("Guideline", "equivalence"): "One equivalence table per drug class.",
    ("Guideline", "formulary"): "Products on the market: what a plan's doses are made of.",
    ("Guideline", "taper_order"): "Which class to taper first when a patient takes both.",
    ("Guideline", "taper_rules"): "How each drug class (or group, or drug) is tapered.",
    ("Guideline", "checkpoints"): "Support talks during the taper and aftercare after it.",
    ("Guideline", "referral"): "When and where to refer to a specialist tapering unit.",
    ("Guideline", "thresholds"): "Doses or combinations that raise a warning.",
    ("Guideline", "notes"): "Free notes for editors; not printed on plans.",
    ("Source", "id"): "Short id the numbers refer to (`source: rjl-2019`).",
    ("Source", "title"): "Title of the document, as cited.",
    ("Source", "url"): "Where the document can be read.",
    ("Source", "date"): "Publication or revision date.",
    ("Source", "note"): "What in the source was used, or caveats.",
    ("Drug", "id"): "The drug's id in this file (generic name, lower case).",
    ("Drug", "drug_class"): "Drug class: which equivalence table and taper rules apply.",
    ("Drug", "group"): "Narrower group taper rules can be limited to.",
    ("Drug", "atc"): "ATC codes; each code belongs to one drug.",
    ("Drug", "long_acting"): "Long half-life: a possible switch target.",
    ("EquivalenceTable", "reference_route"): "Route of the reference drug.",
    ("EquivalenceTable", "unit"): "Unit of the reference drug (`mg`).",
    ("EquivalenceTable", "conversions"): "One entry per drug, route and unit.",
    ("EquivalenceTable", "disclaimer"): "Printed with every conversion.",
    ("Product", "drug"): "Drug id (from `drugs`).",
    ("Product", "brand"): "Brand name as on the pack.",
    ("Product", "form"): "Dosage form.",
    ("Product", "route"): "Route; a patch is `transdermal`.",
    ("Product", "unit"): "`mcg/h` for patches, else `mg`.",
    ("Product", "strengths"): "Strengths on the market.",
    ("Product", "marketed"): "`false`: listed for conversion only; never used in a plan.",
    ("Product", "note"): "Free note.",
    ("TaperRule", "id"): "Rule id (`taper plan --rule ID`).",
    ("TaperRule", "title"): "Title printed on the plan.",
    ("TaperRule", "drug_class"): "Drug class the rule applies to.",
    ("TaperRule", "doses_per_day"): "Dose times a day during the taper.",
    ("TaperRule", "phases"): "Lengths of the mapping and stabilisation phases.",
    ("TaperRule", "switch"): "Whether and how to switch to a long-acting drug first.",
    ("TaperRule", "reduction"): "Size and pace of each reduction.",
    ("TaperRule", "slow_down"): "A slower pace near the end.",
    ("TaperRule", "pause"): "Whether the patient may pause (hold a step).",
    ("TaperRule", "max_duration_days"): "Longest taper the rule allows (`value`, in days).",
    ("TaperRule", "talk_every_days"): "Support talks at least this often (`value`, in days) "
    "while a drug the rule tapers is taken.",
    ("TaperRule", "specialist_required"): "Plans under this rule need specialist sign-off.",
    ("Checkpoints", "support"): "Support talks during the taper.",
    ("Checkpoints", "aftercare"): "Contacts after the last dose.",
    ("Checkpoints", "evaluation"): "An evaluation once the patient has been drug-free a while.",
    ("Checkpoints", "avoid_weekends"): "Move contacts and dose changes off weekends and the "
    "country's public holidays (contacts before a change to the open day before, everything "
    "else to the next open day).",
    ("Checkpoints", "content"): "Catalogue of what is discussed: ids with texts.",
    ("Referral", "unit"): "The unit referred to.",
    ("Referral", "criteria"): "Criteria checked by `taper referral`.",
    ("Threshold", "id"): "Threshold id.",
    ("Threshold", "drug_class"): "Drug class whose total is checked.",
    ("Threshold", "kind"): "`total-above`: the class total above `above`; `combined-with`: "
    "taken together with `with_class`.",
    ("Threshold", "above"): "Limit in mg of the class's reference drug (for `total-above`).",
    ("Threshold", "with_class"): "The other class (for `combined-with`).",
    ("Threshold", "severity"): "How strongly the warning is shown.",
    ("Threshold", "message"): "The warning text.",
    ("LocalText", "en"): "English text (required; used when a language is missing).",
    ("LocalText", "sv"): "Swedish text.",
    ("LocalText", "nb"): "Norwegian (bokmål) text.",
    ("Conversion", "drug"): "Drug id (from `drugs`).",
    ("Conversion", "route"): "Route this conversion is for.",
    ("Conversion", "unit"): "Unit of the drug's dose: `mcg/h` for patches, else `mg`.",
    ("Conversion", "factor"): "Reference amount = dose × factor.",
    ("Conversion", "amount"): "This amount of the drug ...",
    ("Conversion", "equals"): "... equals this amount of the reference drug.",
    ("Conversion", "bands"): "Factors by daily dose, for drugs whose potency depends on dose.",
    ("Conversion", "points"): "Rows of a published table; doses between rows are interpolated "
    "and flagged.",
    ("Conversion", "note"): "Free note, shown with the conversion.",
    ("Strength", "amount"): "Strength of one unit (tablet, patch) in the product's unit.",
    ("Switch", "policy"): "`never`, `optional` or `recommended`.",
    ("Switch", "target"): "Drug to switch to (needs a marketed product in the formulary).",
    ("Switch", "applies_to_short_acting_only"): "Switch only from drugs that are not long-acting.",
    ("Switch", "doses_per_day"): "Dose times a day on the target drug.",
    ("Reduction", "percent"): "Usual reduction per step, in percent.",
    ("Reduction", "interval_days"): "Usual days between reductions.",
    ("SlowDown", "interval_days"): "Days between reductions once slowed down.",
    ("PausePolicy", "allowed"): "Whether a step may be held longer.",
    ("PausePolicy", "max_days"): "Longest pause.",
    ("SourcedInt", "value"): "The number.",
    ("SupportContacts", "before_each_reduction"): "A talk before every dose change.",
    ("SupportContacts", "content"): "Content ids (from `checkpoints.content`).",
    ("Aftercare", "offsets"): "Contacts after the last dose, as periods, ascending.",
    ("Aftercare", "content"): "Content ids (from `checkpoints.content`).",
    ("Evaluation", "content"): "Content ids (from `checkpoints.content`).",
    ("ContentItem", "id"): "Content id.",
    ("ContentItem", "text"): "What is discussed, per language.",
    ("ContentItem", "link"): "Link to material for the patient.",
    ("ContentItem", "source"): "Source id, if the content comes from one.",
    ("ReferralCriterion", "id"): "Criterion id.",
    ("ReferralCriterion", "kind"): "`attempt-required`, `question` or `exclusion`.",
    ("ReferralCriterion", "text"): "The criterion, per language.",
    ("Band", "above"): "Band starts above this daily dose (the first band at 0).",
    ("Band", "up_to"): "Band ends at this dose, inclusive (left out in the last band).",
    ("Band", "factor"): "Factor for doses in this band.",
    ("TablePoint", "dose"): "Daily dose of the drug.",
    ("TablePoint", "equals"): "Equivalent amount of the reference drug.",
}


# ---------------------------------------------------------------- types in words


def _constraints(metadata: list[Any]) -> str | None:
    for item in metadata:
        if isinstance(item, StringConstraints) and item.pattern is not None:
            return _PATTERN_NAMES.get(str(item.pattern), f"text matching `{item.pattern}`")
        if isinstance(item, StringConstraints) and item.min_length:
            return "text"
    return None


def type_words(annotation: Any, metadata: list[Any] | None = None) -> str:
    """`list[Slug] | None` → "list of id"."""
    named = _constraints(metadata or [])
    if named:
        return named
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is Annotated:
        return type_words(args[0], list(args[1:]))
    if origin in (typing.Union, types.UnionType):
        parts = [type_words(a) for a in args if a is not type(None)]
        return " or ".join(parts)
    if origin is Literal:
        return "one of " + ", ".join(f"`{a}`" for a in args)
    if origin is list:
        return f"list of {type_words(args[0])}"
    if origin is tuple:
        return f"[low, high] ({type_words(args[0])}s)"
    if origin is dict:
        return f"mapping from {type_words(args[0])} to {type_words(args[1])}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    simple = {
        Decimal: "number",
        int: "whole number",
        bool: "`true` or `false`",
        str: "text",
        dt.date: "date (YYYY-MM-DD)",
    }
    if annotation in simple:
        return simple[annotation]
    return str(annotation)


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        found += _models_in(arg)
    return found


def models_in_order() -> list[type[BaseModel]]:
    """Guideline first, then every object it contains, in the order fields name them."""
    order: list[type[BaseModel]] = []
    queue: list[type[BaseModel]] = [m.Guideline]
    while queue:
        model = queue.pop(0)
        if model in order:
            continue
        order.append(model)
        for info in model.model_fields.values():
            queue += [x for x in _models_in(info.annotation) if x not in order]
    return order


def _default(info: FieldInfo) -> str:
    if info.is_required():
        return "**required**"
    value = info.get_default(call_default_factory=True)
    if value is None:
        return "—"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, list):
        return "`[]`" if not value else "`[" + ", ".join(str(v) for v in value) + "]`"
    return f"`{value}`"


def _doc(model: type[BaseModel]) -> str:
    text = model.__doc__ or ""
    if text.strip() == inspect.getdoc(BaseModel) or model.__doc__ is None:
        return ""
    return inspect.cleandoc(text)


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _model_section(model: type[BaseModel]) -> list[str]:
    out = [f"### {model.__name__}", ""]
    doc = _doc(model)
    if doc:
        out += [doc, ""]
    if issubclass(model, m.Provenance) and model is not m.Provenance:
        out += [
            "Carries provenance: give `source` (a source id) or `unverified` (why no source "
            "gives these numbers).",
            "",
        ]
    out += ["| key | type | default | meaning |", "|---|---|---|---|"]
    for name, info in model.model_fields.items():
        key = info.alias or name
        kind = type_words(info.annotation, list(info.metadata))
        meaning = info.description or MEANINGS.get((model.__name__, name), "")
        out.append(f"| `{key}` | {_escape(kind)} | {_default(info)} | {_escape(meaning)} |")
    out.append("")
    return out


_INTRO = """\
# Rule-file format

<!-- Generated by `python -m taper.guideline.reference > docs/rule-format.md` from the models in
taper/guideline/model.py (with model_base.py, products.py and care.py) and the checks in
taper/guideline/checks/. Do not edit by hand;
tests/test_guideline_reference.py fails when this page is out of date. -->

One YAML file per region in `guidelines/` (`guidelines/<id>.yaml`). `taper guidelines validate
FILE` checks a file and reports every problem as `file:line:col`; `taper guidelines schema`
prints the JSON Schema (committed as `guidelines/schema.json`). Start a rule file with

```yaml
# yaml-language-server: $schema=schema.json
```

so editors with the YAML language server (VS Code, Neovim, ...) complete keys and flag mistakes
while you type (use a relative path to `guidelines/schema.json` for files elsewhere).

## How the file is read

- **YAML 1.2 core schema only.** `true`/`false` are booleans; `yes`, `no`, `on`, `off`, `NO`
  stay text, so `country: NO` is Norway and `long_acting: yes` is an error (write `true`).
- **Numbers are exact decimals** (`0.25` is exactly 0.25; never a float).
- **Duplicate keys are errors** (most YAML readers silently keep the last one).
- **Only standard tags**; `!!python/...`, `!include` and the like are refused. Anchors and
  aliases (`&name`, `*name`) work; merge keys (`<<`) do not.
- **UTF-8 only**, at most 5 MB, one document per file.
- **Unknown keys are errors** (a misspelt key would otherwise be ignored).

## Numbers and their sources

Every object that holds clinical numbers carries *provenance*: a `source` naming an entry in
`sources`, or `unverified` saying why no source gives the value (a project choice, a secondary
page). Exactly one of the two. Unverified values are marked `UNVERIFIED` in `taper guidelines
show` and wherever a plan or conversion uses them. Where sources disagree, give the file's
choice as the value and the span in `range` (with `range_sources`).

## Objects
"""


def _checks_section() -> list[str]:
    from taper.guideline.checks import MODULES, PARSE_RULES

    out = [
        "## Findings and rule ids",
        "",
        "Every finding is `file:line:col: [level] message (rule-id)`. Errors make `validate` "
        "exit 1; warnings do not.",
        "",
        "### Reading and format",
        "",
        "| rule id | reported when |",
        "|---|---|",
    ]
    out += [f"| `{rule}` | {_escape(text)} |" for rule, text in PARSE_RULES.items()]
    out += ["", "### Semantic checks", ""]
    out += ["Each check is one module in `taper/guideline/checks/`.", ""]
    for module in MODULES:
        out += [f"#### `{module.RULE_ID}`", "", inspect.cleandoc(module.__doc__ or ""), ""]
    return out


def markdown() -> str:
    """The whole reference page."""
    lines = _INTRO.splitlines()
    lines.append("")
    for model in models_in_order():
        lines += _model_section(model)
    lines += _checks_section()
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(markdown())
