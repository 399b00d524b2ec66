"""Generated files are current, and every check module has the documented shape."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import ModuleType

import pytest

from taper.guideline import model
from taper.guideline.checks import MODULES, PARSE_RULES, REGISTRY
from taper.guideline.reference import MEANINGS, markdown, models_in_order, schema_text

ROOT = Path(__file__).resolve().parent.parent


def test_committed_schema_is_current() -> None:
    committed = (ROOT / "guidelines" / "schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(), (
        "guidelines/schema.json is out of date: taper guidelines schema > guidelines/schema.json"
    )


def test_schema_is_pretty_sorted_and_uses_yaml_keys() -> None:
    text = schema_text()
    assert text.endswith("}\n")
    doc = json.loads(text)
    assert json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n" == text
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "class" in doc["$defs"]["TaperRule"]["properties"]
    assert "drug_class" not in doc["$defs"]["TaperRule"]["properties"]
    assert doc["additionalProperties"] is False


def test_committed_reference_page_is_current() -> None:
    committed = (ROOT / "docs" / "rule-format.md").read_text(encoding="utf-8")
    assert committed == markdown(), (
        "docs/rule-format.md is out of date: python -m taper.guideline.reference > "
        "docs/rule-format.md"
    )


def test_reference_page_covers_every_model_field_and_rule() -> None:
    page = markdown()
    for cls in models_in_order():
        assert f"### {cls.__name__}\n" in page
        for name, info in cls.model_fields.items():
            assert f"| `{info.alias or name}` |" in page
    for rule in [*REGISTRY, *PARSE_RULES]:
        assert f"`{rule}`" in page


def test_every_model_is_reachable_from_guideline() -> None:
    reachable = set(models_in_order())
    defined = {
        obj
        for obj in vars(model).values()
        if isinstance(obj, type) and issubclass(obj, model.Frozen) and obj is not model.Frozen
    }
    assert defined - reachable <= {model.Provenance}


def test_meanings_name_real_fields() -> None:
    classes = {cls.__name__: cls for cls in models_in_order()}
    for cls_name, field in MEANINGS:
        assert cls_name in classes, cls_name
        assert field in classes[cls_name].model_fields, (cls_name, field)


def test_every_field_is_explained() -> None:
    for cls in models_in_order():
        for name, info in cls.model_fields.items():
            assert info.description or (cls.__name__, name) in MEANINGS, (cls.__name__, name)


@pytest.mark.parametrize("module", MODULES, ids=[m.RULE_ID for m in MODULES])
def test_check_module_shape(module: ModuleType) -> None:
    rule_id = module.RULE_ID
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule_id)
    assert REGISTRY[rule_id] is module.check
    doc = module.__doc__ or ""
    assert "Passing" in doc, "docstring needs a passing example"
    assert "Failing" in doc, "docstring needs a failing example"
    assert doc.count("```yaml") >= 2
    assert module.__name__.rsplit(".", 1)[-1] == rule_id.replace("-", "_"), "module per rule"


def test_registry_is_explicit_and_unique() -> None:
    assert len(REGISTRY) == len(MODULES)
    assert not set(REGISTRY) & set(PARSE_RULES)


def test_pre_commit_hook() -> None:
    import yaml

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = hooks
    assert hook["id"] == "taper-validate"
    assert hook["entry"] == "taper guidelines validate"
    assert hook["language"] == "python"
    assert re.search(hook["files"], "guidelines/se-vgr.yaml")
    assert re.search(hook["files"], "x.yml")
    assert not re.search(hook["files"], "README.md")
