"""Helpers shared by the check modules: walking the model with YAML paths, positions, numbers."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from taper.guideline.findings import Finding, Level
from taper.guideline.model import Drug, EquivalenceTable, Guideline
from taper.guideline.yamlstrict import Path, YamlDocument

PERIOD_UNIT_DAYS = {"d": Decimal(1), "w": Decimal(7), "m": Decimal("30.436875")}


def _aliases(model: type[BaseModel]) -> dict[str, str]:
    """Field name → the key it is written under by default (its alias, else its name)."""
    known = _ALIASES.get(model)
    if known is None:
        known = _ALIASES[model] = {
            name: info.alias or name for name, info in model.model_fields.items()
        }
    return known


_ALIASES: dict[type[BaseModel], dict[str, str]] = {}


def field_names(model: type[BaseModel]) -> Iterable[str]:
    """The model's field names, in order (`model.model_fields`, without its lookup cost)."""
    return _aliases(model).keys()


def yaml_key(doc: YamlDocument, base: Path, model: type[BaseModel], name: str) -> str:
    """The key a field was written under: its alias ("class") unless the file used the name."""
    alias = _aliases(model)[name]
    if alias == name or (*base, alias) in doc.keys:
        return alias
    if (*base, name) in doc.keys:
        return name
    return alias


def field(doc: YamlDocument, base: Path, obj: BaseModel, name: str) -> Path:
    """The YAML path of field `name` of `obj`, which sits at `base`."""
    return (*base, yaml_key(doc, base, type(obj), name))


def walk(doc: YamlDocument, obj: Any, base: Path = ()) -> Iterator[tuple[Path, BaseModel]]:
    """Every model object in the tree under `obj`, with the YAML path it was written at.

    Most checks walk the whole guideline; the models are frozen, so the walk is made once per
    document and replayed (`doc.walks` keeps the object alive with its list).
    """
    key = (id(obj), base)
    cached = doc.walks.get(key)
    if cached is None or cached[0] is not obj:
        found: list[tuple[Path, BaseModel]] = []
        _walk(doc, obj, base, found)
        cached = doc.walks[key] = (obj, found)
    return iter(cached[1])


def _walk(doc: YamlDocument, obj: Any, base: Path, found: list[tuple[Path, BaseModel]]) -> None:
    if isinstance(obj, BaseModel):
        found.append((base, obj))
        for name, alias in _aliases(type(obj)).items():
            value = getattr(obj, name)
            if isinstance(value, BaseModel | list | tuple | dict):
                if alias != name and (*base, alias) not in doc.keys and (*base, name) in doc.keys:
                    alias = name
                _walk(doc, value, (*base, alias), found)
    elif isinstance(obj, list | tuple):
        for index, item in enumerate(obj):
            _walk(doc, item, (*base, index), found)
    elif isinstance(obj, dict):
        for key, item in obj.items():
            _walk(doc, item, (*base, key), found)


def find(
    doc: YamlDocument,
    path: Path,
    rule: str,
    message: str,
    level: Level = "error",
    *,
    key: bool = False,
) -> Finding:
    pos = doc.locate(path, key=key)
    return Finding(doc.path, pos.line, pos.col, rule, message, level)


def num(value: Decimal | int) -> str:
    """A number as an editor wrote it: no exponent, no trailing zeros."""
    if isinstance(value, int):
        return str(value)
    if not value.is_finite():
        return str(value)
    return f"{value.normalize():f}"


def label(base: Path) -> str:
    """A path as editors read it: equivalence.benzodiazepine.conversions[2].factor."""
    out = ""
    for part in base:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "top level"


def _trail(guideline: Guideline, path: Path) -> tuple[str | None, Path]:
    """The nearest named object on `path` (a drug, rule, product, table) and the rest of it."""
    node: Any = guideline
    who: str | None = None
    rest_from = 0
    for index, part in enumerate(path):
        try:
            if isinstance(node, list | tuple | dict):
                node = node[part]  # type: ignore[index]
            elif isinstance(node, BaseModel):
                node = getattr(node, _field_name(type(node), str(part)))
            else:
                break
        except (IndexError, KeyError, AttributeError, TypeError):
            break
        if isinstance(node, EquivalenceTable):
            who, rest_from = f"{part} table", index + 1
        elif isinstance(node, BaseModel) and (name := describe(node)):
            who, rest_from = name, index + 1
    return who, path[rest_from:]


def subject(guideline: Guideline, path: Path) -> str:
    """Who a finding is about: the nearest drug, rule, product or table, else the path."""
    who, _ = _trail(guideline, path)
    return who if who is not None else label(path)


def at(guideline: Guideline, path: Path) -> str:
    """ "rule bzd: reduction.percent", "oxazepam: amount", "checkpoints.support.every_days"."""
    who, rest = _trail(guideline, path)
    if who is None:
        return label(path)
    return f"{who}: {label(rest)}" if rest else who


def _field_name(model: type[BaseModel], key: str) -> str:
    for name, alias in _aliases(model).items():
        if key in (name, alias):
            return name
    return key


def describe(obj: BaseModel) -> str | None:
    """A short name for a model object: its drug, id or brand."""
    from taper.guideline import model as m

    if isinstance(obj, m.Product):
        return f"{obj.drug} {obj.brand}"
    if isinstance(obj, m.Conversion):
        extra = [] if obj.route == "oral" else [obj.route]
        return " ".join([obj.drug, *extra])
    if isinstance(obj, m.TaperRule):
        return f"rule {obj.id}"
    if isinstance(obj, Drug | m.Source | m.ContentItem | m.ReferralCriterion | m.Threshold):
        return obj.id
    return None


def period_days(period: str) -> Decimal:
    """ "2w" → 14, "6m" → 182.6 (a mean month), for ordering periods of different units."""
    return Decimal(period[:-1]) * PERIOD_UNIT_DAYS[period[-1]]
