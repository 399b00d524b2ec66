"""Semantic checks over a schema-valid guideline: one module per rule, in an explicit registry.

Each check module defines `RULE_ID`, a docstring with a passing and a failing example, and
`check(guideline, doc) -> Iterable[Finding]`. To add a rule: write the module, add it to
`MODULES` below, add a failing case under `tests/corpus/invalid/<rule-id>/`, and regenerate
`docs/rule-format.md`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import ModuleType

from taper.guideline.checks import (
    aftercare_ascending,
    aftercare_tub,
    bands_contiguous,
    clinical_range,
    content_known,
    conversion_basis,
    doses_per_day,
    drug_known,
    fewer_dose_times,
    holiday_subdivision,
    id_matches_file,
    interval_min,
    mr_no_split,
    names_unique,
    percent_range,
    points_monotone,
    positive_number,
    product_regimen,
    provenance_required,
    range_contains,
    reference_one_to_one,
    slow_down_pace,
    slow_down_slower,
    slow_down_threshold,
    source_exists,
    split_consistent,
    stop_instead_of_tail,
    switch_target_in_formulary,
    tablet_grid,
    taper_speed,
    unit_consistent,
    unverified_language,
    urgent_help,
)
from taper.guideline.findings import Finding
from taper.guideline.model import Guideline
from taper.guideline.yamlstrict import YamlDocument

CheckFn = Callable[[Guideline, YamlDocument], Iterable[Finding]]

MODULES: tuple[ModuleType, ...] = (
    clinical_range,  # first: the others compute with numbers it has bounded
    source_exists,
    provenance_required,
    positive_number,
    range_contains,
    conversion_basis,
    reference_one_to_one,
    bands_contiguous,
    points_monotone,
    drug_known,
    switch_target_in_formulary,
    fewer_dose_times,
    stop_instead_of_tail,
    percent_range,
    taper_speed,
    interval_min,
    doses_per_day,
    slow_down_threshold,
    slow_down_slower,
    slow_down_pace,
    aftercare_ascending,
    aftercare_tub,
    unit_consistent,
    names_unique,
    content_known,
    mr_no_split,
    product_regimen,
    split_consistent,
    tablet_grid,
    urgent_help,
    unverified_language,
    holiday_subdivision,
    id_matches_file,
)

REGISTRY: dict[str, CheckFn] = {module.RULE_ID: module.check for module in MODULES}

# Rule ids reported before the semantic checks run (by the YAML reader and the schema step).
PARSE_RULES: dict[str, str] = {
    "yaml-encoding": "The file is not UTF-8 text (or contains NUL characters).",
    "yaml-syntax": "The file is not well-formed YAML (indentation, tabs, unclosed quotes...).",
    "yaml-invisible": "An invisible character (non-breaking or zero-width space, a byte-order "
    "mark inside the file) in a key, the indentation or at the edge of an unquoted value; "
    "often pasted from a word processor.",
    "yaml-tag": "A tag other than the standard ones (`!!python/object`, `!include`...).",
    "yaml-key": "A key that is not a plain name (a list or mapping used as a key).",
    "yaml-duplicate-key": "The same key twice in one mapping; YAML readers would silently keep "
    "the last one.",
    "yaml-recursive-alias": "An alias that refers to the node it is inside.",
    "yaml-number": "A number no clinical value needs: more than 15 significant digits, or "
    "1,000,000,000 or more, or nearer 0 than 0.000000001 (`1e999999`, a 5,000-digit integer). "
    "Refused as written, before any arithmetic, so such a value can never hang or crash taper.",
    "yaml-empty": "The file has no content.",
    "yaml-not-mapping": "The top of the file is not a mapping of keys.",
    "yaml-too-large": "The file is over 5 MB, nests too deeply, or anchors and aliases expand "
    "to too many values.",
    "schema": "A value of the wrong type, an unknown key (misspelt?) or a missing required key.",
}


def run_checks(guideline: Guideline, doc: YamlDocument) -> list[Finding]:
    """Every check's findings; only clinical-range's if it finds a number out of range, since
    the other checks (and the planner) compute with those numbers."""
    findings: list[Finding] = list(clinical_range.check(guideline, doc))
    if any(f.level == "error" for f in findings):
        return findings
    for rule, check in REGISTRY.items():
        if rule != clinical_range.RULE_ID:
            findings.extend(check(guideline, doc))
    return findings
