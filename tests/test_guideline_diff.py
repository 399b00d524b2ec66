"""`diff`: changes between two rule files in clinical terms."""

from __future__ import annotations

from pathlib import Path

import pytest

from taper.guideline.diff import diff
from taper.guideline.loader import validate_bytes
from taper.guideline.model import Guideline

FULL = Path(__file__).resolve().parent / "corpus" / "valid" / "full.yaml"
TEXT = FULL.read_text(encoding="utf-8")


def load(text: str) -> Guideline:
    result = validate_bytes(text.encode(), "full.yaml")
    assert [f.parsable() for f in result.findings if f.level == "error"] == []
    assert result.loaded is not None
    return result.loaded.guideline


def messages(*edits: tuple[str, str]) -> list[str]:
    text = TEXT
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return [c.message for c in diff(load(TEXT), load(text))]


def test_no_changes() -> None:
    assert diff(load(TEXT), load(TEXT)) == []


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            (
                "      - drug: oxycodone\n        factor: 2",
                "      - drug: oxycodone\n        factor: 1.5",
            ),
            ["oxycodone: factor 2→1.5 mg morphine per mg"],
        ),
        (
            ("range: [15, 25]", "range: [15, 30]"),
            ["oxazepam: range 15–25→15–30"],
        ),
        (
            ("          - {above: 40, factor: 10}", "          - {above: 40, factor: 12}"),
            [
                "methadone: bands 0–20 mg ×4, 20–40 mg ×8, >40 mg ×10 → bands 0–20 mg ×4, "
                "20–40 mg ×8, >40 mg ×12"
            ],
        ),
        (
            (
                "        unit: mcg/h\n        factor: 2.4\n        source: uppsala-2020",
                "        unit: mcg/h\n        factor: 2.4\n        source: rjl-2019",
            ),
            ["fentanyl (transdermal, mcg/h): source uppsala-2020→rjl-2019"],
        ),
        (
            (
                "      - drug: tapentadol\n        points:\n          - {dose: 50, equals: 20}\n"
                "          - {dose: 100, equals: 40}\n          - {dose: 200, equals: 60}\n"
                "        source: uppsala-2020\n",
                "",
            ),
            ["tapentadol: removed"],
        ),
        (
            (
                "  - drug: oxazepam\n    brand: Sobril\n",
                "  - drug: oxazepam\n    brand: Oxascand\n",
            ),
            ["oxazepam Oxascand: added (5 mg, 10 mg, 25 mg)", "oxazepam Sobril: removed"],
        ),
        (
            (
                "{amount: 5, split: half}, {amount: 10, split: quarter}",
                "{amount: 5}, {amount: 10, split: quarter}",
            ),
            ["oxazepam Sobril 5 mg: split half→none"],
        ),
        (
            ("    marketed: false\n", ""),
            ["zopiclone Imovane: marketed false→true"],
        ),
        (
            ("names: [Sobril, Oxascand, oksazepam]", "names: [Sobril, oksazepam]"),
            ["oxazepam: names Sobril, Oxascand, oksazepam → Sobril, oksazepam"],
        ),
        (
            (
                "    switch: {policy: never, unverified: project choice}\n"
                "    reduction: {mode: start",
                "    switch: {policy: optional, target: diazepam, unverified: project choice}\n"
                "    reduction: {mode: start",
            ),
            [
                "rule z-drugs-fast: switch.policy never→optional",
                "rule z-drugs-fast: switch.target (none)→diazepam",
            ],
        ),
        (
            (
                "    max_duration_days: {value: 42, unverified: project choice}",
                "    max_duration_days: {value: 42, source: vgr-2019}",
            ),
            ["rule z-drugs-fast: max_duration_days now sourced: vgr-2019"],
        ),
        (
            ("    minimum: 6m\n", "    minimum: 3m\n"),
            ["aftercare: minimum 6m→3m"],
        ),
        (
            ("      text: {en: Self-help groups}", "      text: {en: Self-help and peer groups}"),
            ["content self-help: text en: Self-help groups → en: Self-help and peer groups"],
        ),
        (
            ("    above: 100\n", "    above: 90\n"),
            ["threshold opioid-high: above 100→90"],
        ),
        (
            ("  unit: Medpro Clinic, Lilla Edet\n", "  unit: Medpro Clinic\n"),
            ["referral: unit Medpro Clinic, Lilla Edet → Medpro Clinic"],
        ),
        (
            ("  - Test data only.", "  - Test data only, again."),
            ["note added: Test data only, again.", "note removed: Test data only."],
        ),
        (
            (
                "  - id: uppsala-2020\n    title: Region Uppsala, Opioider – dosekvivalens\n",
                "  - id: uppsala-2020\n    title: Region Uppsala, Opioider – dosekvivalens 2021\n",
            ),
            [
                "source uppsala-2020: title Region Uppsala, Opioider – dosekvivalens → "
                "Region Uppsala, Opioider – dosekvivalens 2021"
            ],
        ),
        (
            ("effective: 2024-01-01", "effective: 2025-01-01"),
            ["effective: 2024-01-01→2025-01-01"],
        ),
    ],
)
def test_changes(edit: tuple[str, str], expected: list[str]) -> None:
    assert messages(edit) == expected


def test_amount_change_names_the_reference_drug() -> None:
    got = messages(
        (
            "        amount: 15\n        equals: 5\n        range: [15, 25]\n"
            "        source: rjl-2019",
            "        amount: 20\n        equals: 5\n        range: [15, 25]\n"
            "        source: helsedir-2021",
        )
    )
    assert got == ["oxazepam: 15→20 mg per 5 mg diazepam (source rjl-2019→helsedir-2021)"]


def test_basis_change() -> None:
    got = messages(
        (
            "        amount: 3.75\n        equals: 5\n        range: [3.75, 5]",
            "        factor: 1.33",
        )
    )
    assert got == [
        "zopiclone: 3.75 mg per 5 mg diazepam → factor 1.33 (mg diazepam per mg)",
        "zopiclone: range 3.75–5→(none)",
    ]


def test_change_records_are_data() -> None:
    text = TEXT.replace(
        "      percent: 10\n      max_percent: 25", "      percent: 15\n      max_percent: 25"
    )
    (change,) = diff(load(TEXT), load(text))
    assert change.as_dict() == {
        "section": "taper_rules",
        "subject": "rule bzd-default",
        "kind": "changed",
        "field": "reduction.percent",
        "old": "10",
        "new": "15",
        "message": "rule bzd-default: reduction.percent 10→15",
    }
