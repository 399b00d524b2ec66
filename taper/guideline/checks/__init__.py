"""Semantic checks over a schema-valid guideline: one module per rule, in an explicit registry.

Each check module defines `RULE_ID`, a docstring with a passing and a failing example, and
`check(guideline, doc) -> Iterable[Finding]`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from taper.guideline.findings import Finding
from taper.guideline.model import Guideline
from taper.guideline.yamlstrict import YamlDocument

CheckFn = Callable[[Guideline, YamlDocument], Iterable[Finding]]

REGISTRY: dict[str, CheckFn] = {}


def run_checks(guideline: Guideline, doc: YamlDocument) -> list[Finding]:
    findings: list[Finding] = []
    for check in REGISTRY.values():
        findings.extend(check(guideline, doc))
    return findings
