"""What changed between two versions of a rule file, in clinical terms.

`diff(old, new)` compares two valid guidelines and returns changes as data, each with a plain
sentence: "oxazepam: 15→20 mg per 5 mg diazepam (source rjl-2019→helsedir-2021)",
"rule bzd-default: reduction.percent 10→15", "diazepam Stesolid: strength 1 mg added",
"aftercare: offsets 2w, 1m, 3m → 2w, 1m, 3m, 6m". The CLI only prints them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from taper.guideline.model import (
    Band,
    Conversion,
    Guideline,
    LocalText,
    Product,
    Provenance,
)


@dataclass(frozen=True)
class Change:
    section: str  # identity, sources, drugs, equivalence, formulary, taper_rules, ...
    subject: str  # "oxazepam", "rule bzd-default", "diazepam Stesolid"
    kind: str  # added, removed, changed
    field: str  # "factor", "reduction.percent", "" for added/removed
    old: str | None
    new: str | None
    message: str

    def as_dict(self) -> dict[str, str | None]:
        return asdict(self)


def num(value: Decimal | int) -> str:
    if isinstance(value, int):
        return str(value)
    return f"{value.normalize():f}"


def show(value: Any) -> str:
    """A value as an editor wrote it."""
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal | int):
        return num(value)
    if isinstance(value, LocalText):
        return " / ".join(
            f"{lang}: {getattr(value, lang)}"
            for lang in ("en", "sv", "nb")
            if getattr(value, lang) is not None
        )
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, Decimal) for v in value):
        return f"{num(value[0])}–{num(value[1])}"
    if isinstance(value, list | tuple):
        return ", ".join(show(v) for v in value) if value else "(none)"
    if isinstance(value, BaseModel):
        return ", ".join(
            f"{k} {show(v)}" for k, v in value.model_dump(by_alias=True).items() if v is not None
        )
    return str(value)


def _provenance(obj: Provenance) -> str:
    if obj.source is not None:
        return f"source {obj.source}"
    if obj.unverified is not None:
        return f"unverified: {obj.unverified}"
    return "no source"


def _prov_change(old: Provenance, new: Provenance) -> str | None:
    if (old.source, old.unverified_note) == (new.source, new.unverified_note):
        return None
    if old.source is not None and new.source is not None:
        return f"source {old.source}→{new.source}"
    if new.source is not None:
        return f"now sourced: {new.source}"
    if new.unverified is not None and new.unverified == old.unverified:
        return "unverified note's translation changed"
    if new.unverified is not None:
        return f"now unverified: {new.unverified}"
    return f"{_provenance(old)} removed"


def _key_of(item: BaseModel) -> str | None:
    for name in ("id",):
        if name in type(item).model_fields:
            return str(getattr(item, name))
    return None


def flatten(obj: Any, prefix: str = "") -> dict[str, str]:
    """Leaf values of a model by dotted path; provenance keys and keyed lists handled apart."""
    out: dict[str, str] = {}
    if isinstance(obj, LocalText) or not isinstance(obj, BaseModel):
        out[prefix] = show(obj)
        return out
    for name, info in type(obj).model_fields.items():
        if isinstance(obj, Provenance) and name in ("source", "unverified_note"):
            continue
        key = info.alias or name
        path = f"{prefix}.{key}" if prefix else key
        value = getattr(obj, name)
        if isinstance(value, BaseModel) and not isinstance(value, LocalText):
            out.update(flatten(value, path))
        elif isinstance(value, list) and value and isinstance(value[0], BaseModel):
            keys = [_key_of(v) for v in value]
            if all(keys):
                for k, v in zip(keys, value, strict=True):
                    out.update(flatten(v, f"{path}[{k}]"))
            else:
                out[path] = "; ".join(show(v) for v in value)
        else:
            out[path] = show(value)
    return out


def provenances(obj: Any, prefix: str = "") -> dict[str, Provenance]:
    out: dict[str, Provenance] = {}
    if isinstance(obj, Provenance):
        out[prefix] = obj
    if isinstance(obj, BaseModel):
        for name, info in type(obj).model_fields.items():
            key = info.alias or name
            path = f"{prefix}.{key}" if prefix else key
            value = getattr(obj, name)
            if isinstance(value, BaseModel):
                out.update(provenances(value, path))
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, BaseModel) and (k := _key_of(item)):
                        out.update(provenances(item, f"{path}[{k}]"))
    return out


def _owner(path: str, owners: Iterable[str]) -> str | None:
    """The deepest provenance prefix that `path` lies in."""
    best: str | None = None
    for prefix in owners:
        inside = prefix == "" or path == prefix or path.startswith(prefix + ".")
        inside = inside or path.startswith(prefix + "[")
        if inside and (best is None or len(prefix) > len(best)):
            best = prefix
    return best


def compare(section: str, subject: str, old: BaseModel, new: BaseModel) -> list[Change]:
    """Field-by-field changes of one object, each with its provenance change appended."""
    changes: list[Change] = []
    before, after = flatten(old), flatten(new)
    prov_old, prov_new = provenances(old), provenances(new)
    shared = [p for p in prov_new if p in prov_old]
    prov_changes = {p: _prov_change(prov_old[p], prov_new[p]) for p in shared}
    used: set[str] = set()
    for path in [*after, *(p for p in before if p not in after)]:
        a, b = before.get(path), after.get(path)
        if a == b:
            continue
        owner = _owner(path, shared)
        note = prov_changes.get(owner) if owner is not None else None
        if note and owner is not None:
            used.add(owner)
        suffix = f" ({note})" if note else ""
        arrow = f"{a or '(none)'} → {b or '(none)'}" if _long(a, b) else f"{a}→{b}"
        changes.append(
            Change(section, subject, "changed", path, a, b, f"{subject}: {path} {arrow}{suffix}")
        )
    for prefix, note in prov_changes.items():
        if note and prefix not in used:
            where = f"{prefix} " if prefix else ""
            changes.append(
                Change(
                    section,
                    subject,
                    "changed",
                    f"{prefix}.source".lstrip("."),
                    None,
                    None,
                    f"{subject}: {where}{note}",
                )
            )
    return changes


def _long(a: str | None, b: str | None) -> bool:
    return any(v is None or " " in v or "," in v for v in (a, b))


def _keyed(
    section: str,
    old: Sequence[Any],
    new: Sequence[Any],
    key: Callable[[Any], Hashable],
    name: Callable[[Any], str],
    brief: Callable[[Any], str],
    detail: Callable[[str, str, Any, Any], list[Change]] | None = None,
) -> list[Change]:
    changes: list[Change] = []
    before = {key(item): item for item in old}
    after = {key(item): item for item in new}
    for k, item in after.items():
        if k not in before:
            changes.append(
                Change(
                    section,
                    name(item),
                    "added",
                    "",
                    None,
                    brief(item),
                    f"{name(item)}: added ({brief(item)})",
                )
            )
    for k, item in before.items():
        if k not in after:
            changes.append(
                Change(
                    section, name(item), "removed", "", brief(item), None, f"{name(item)}: removed"
                )
            )
    for k, item in after.items():
        if k in before:
            changes.extend((detail or compare)(section, name(item), before[k], item))
    return changes


# ---------------------------------------------------------------- conversions


def basis(conv: Conversion, reference: str) -> str:
    """How a conversion is given, in words: "15 mg per 5 mg diazepam", "factor 2"."""
    unit = conv.unit
    if conv.factor is not None:
        return f"factor {num(conv.factor)} (mg {reference} per {unit})"
    if conv.amount is not None and conv.equals is not None:
        return f"{num(conv.amount)} {unit} per {num(conv.equals)} mg {reference}"
    if conv.bands is not None:
        return "bands " + bands_text(conv.bands, unit)
    if conv.points is not None:
        rows = ", ".join(f"{num(p.dose)}→{num(p.equals)}" for p in conv.points)
        return f"table {rows} ({unit} → mg {reference})"
    return "no basis"


def bands_text(bands: Sequence[Band], unit: str) -> str:
    parts = []
    for band in bands:
        span = (
            f"{num(band.above)}–{num(band.up_to)}"
            if band.up_to is not None
            else (f">{num(band.above)}")
        )
        parts.append(f"{span} {unit} ×{num(band.factor)}")
    return ", ".join(parts)


def _conversion_name(conv: Conversion) -> str:
    extra = [] if conv.route == "oral" and conv.unit == "mg" else [conv.route, conv.unit]
    return f"{conv.drug} ({', '.join(extra)})" if extra else conv.drug


def _conversion(
    section: str, subject: str, old: Conversion, new: Conversion, reference: str
) -> list[Change]:
    changes: list[Change] = []
    prov = _prov_change(old, new)
    suffix = f" ({prov})" if prov else ""
    a, b = basis(old, reference), basis(new, reference)
    if a != b:
        if old.factor is not None and new.factor is not None:
            text = f"factor {num(old.factor)}→{num(new.factor)} mg {reference} per {new.unit}"
        elif (
            old.amount is not None
            and new.amount is not None
            and old.equals == new.equals
            and new.equals is not None
        ):
            text = (
                f"{num(old.amount)}→{num(new.amount)} {new.unit} per {num(new.equals)} mg "
                f"{reference}"
            )
        else:
            text = f"{a} → {b}"
        changes.append(
            Change(section, subject, "changed", "basis", a, b, f"{subject}: {text}{suffix}")
        )
        suffix = ""
    if old.range != new.range:
        a_r = show(old.range) if old.range else "(none)"
        b_r = show(new.range) if new.range else "(none)"
        changes.append(
            Change(
                section,
                subject,
                "changed",
                "range",
                a_r,
                b_r,
                f"{subject}: range {a_r}→{b_r}{suffix}",
            )
        )
        suffix = ""
    if old.range_bands != new.range_bands:
        a_b = bands_text(old.range_bands, old.unit) if old.range_bands else "(none)"
        b_b = bands_text(new.range_bands, new.unit) if new.range_bands else "(none)"
        changes.append(
            Change(
                section,
                subject,
                "changed",
                "range_bands",
                a_b,
                b_b,
                f"{subject}: range bands {a_b} → {b_b}",
            )
        )
    if old.range_sources != new.range_sources:
        a_s, b_s = show(old.range_sources), show(new.range_sources)
        changes.append(
            Change(
                section,
                subject,
                "changed",
                "range_sources",
                a_s,
                b_s,
                f"{subject}: range sources {a_s} → {b_s}",
            )
        )
    if old.note != new.note:
        changes.append(
            Change(
                section, subject, "changed", "note", old.note, new.note, f"{subject}: note changed"
            )
        )
    if prov and suffix:
        changes.append(
            Change(
                section,
                subject,
                "changed",
                "source",
                _provenance(old),
                _provenance(new),
                f"{subject}: {prov}",
            )
        )
    return changes


# ---------------------------------------------------------------- products


def _product_name(product: Product) -> str:
    return f"{product.drug} {product.brand}" + (
        "" if product.form == "tablet" else f" {product.form}"
    )


def _product(section: str, subject: str, old: Product, new: Product) -> list[Change]:
    changes: list[Change] = []
    before = {s.amount: s for s in old.strengths}
    after = {s.amount: s for s in new.strengths}
    for amount in sorted(set(before) | set(after)):
        shown = f"{num(amount)} {new.unit}"
        if amount not in before:
            changes.append(
                Change(
                    section,
                    subject,
                    "added",
                    f"strengths[{num(amount)}]",
                    None,
                    shown,
                    f"{subject}: strength {shown} added",
                )
            )
        elif amount not in after:
            changes.append(
                Change(
                    section,
                    subject,
                    "removed",
                    f"strengths[{num(amount)}]",
                    shown,
                    None,
                    f"{subject}: strength {shown} removed",
                )
            )
        elif before[amount].split != after[amount].split:
            a, b = before[amount].split, after[amount].split
            changes.append(
                Change(
                    section,
                    subject,
                    "changed",
                    f"strengths[{num(amount)}].split",
                    a,
                    b,
                    f"{subject} {shown}: split {a}→{b}",
                )
            )
    rest_old = old.model_copy(update={"strengths": []})
    rest_new = new.model_copy(update={"strengths": []})
    changes.extend(compare(section, subject, rest_old, rest_new))
    return changes


# ---------------------------------------------------------------- the whole file


def _identity(old: Guideline, new: Guideline) -> list[Change]:
    changes = []
    for name in (
        "id",
        "format",
        "region",
        "country",
        "title",
        "version",
        "effective",
        "language",
        "timezone",
        "taper_order",
    ):
        a, b = show(getattr(old, name)), show(getattr(new, name))
        if a != b:
            changes.append(
                Change(
                    "identity",
                    name,
                    "changed",
                    name,
                    a,
                    b,
                    f"{name}: {a} → {b}" if _long(a, b) else f"{name}: {a}→{b}",
                )
            )
    return changes


def _table_brief(conv: Conversion, reference: str) -> str:
    return f"{basis(conv, reference)}; {_provenance(conv)}"


def _equivalence(old: Guideline, new: Guideline) -> list[Change]:
    changes: list[Change] = []
    for cls in sorted(set(old.equivalence) | set(new.equivalence)):
        a, b = old.equivalence.get(cls), new.equivalence.get(cls)
        section = f"equivalence.{cls}"
        if a is None or b is None:
            kind = "added" if a is None else "removed"
            changes.append(
                Change(section, f"{cls} table", kind, "", None, None, f"{cls} table: {kind}")
            )
            continue
        table_old = a.model_copy(update={"conversions": []})
        table_new = b.model_copy(update={"conversions": []})
        changes.extend(compare(section, f"{cls} table", table_old, table_new))
        ref = b.reference

        def brief(conv: Conversion, ref: str = ref) -> str:
            return _table_brief(conv, ref)

        def detail(
            sec: str, sub: str, x: Conversion, y: Conversion, ref: str = ref
        ) -> list[Change]:
            return _conversion(sec, sub, x, y, ref)

        changes.extend(
            _keyed(
                section,
                a.conversions,
                b.conversions,
                key=lambda c: (c.drug, c.route, c.unit),
                name=_conversion_name,
                brief=brief,
                detail=detail,
            )
        )
    return changes


def diff(old: Guideline, new: Guideline) -> list[Change]:
    """Every clinical change from `old` to `new`, in file order."""
    changes = _identity(old, new)
    changes += _keyed(
        "sources",
        old.sources,
        new.sources,
        key=lambda s: s.id,
        name=lambda s: f"source {s.id}",
        brief=lambda s: s.title,
    )
    changes += _keyed(
        "drugs",
        old.drugs,
        new.drugs,
        key=lambda d: d.id,
        name=lambda d: d.id,
        brief=lambda d: d.drug_class,
    )
    changes += _equivalence(old, new)
    changes += _keyed(
        "formulary",
        old.formulary,
        new.formulary,
        key=lambda p: (p.drug, p.brand, p.form, p.route),
        name=_product_name,
        brief=lambda p: ", ".join(f"{num(s.amount)} {p.unit}" for s in p.strengths),
        detail=_product,
    )
    changes += _keyed(
        "taper_rules",
        old.taper_rules,
        new.taper_rules,
        key=lambda r: r.id,
        name=lambda r: f"rule {r.id}",
        brief=lambda r: r.title,
    )
    changes += _checkpoints(old, new)
    changes += _optional("referral", "referral", old.referral, new.referral)
    changes += _keyed(
        "thresholds",
        old.thresholds,
        new.thresholds,
        key=lambda t: t.id,
        name=lambda t: f"threshold {t.id}",
        brief=lambda t: t.kind,
    )
    for note in new.notes:
        if note not in old.notes:
            changes.append(Change("notes", "notes", "added", "", None, note, f"note added: {note}"))
    for note in old.notes:
        if note not in new.notes:
            changes.append(
                Change("notes", "notes", "removed", "", note, None, f"note removed: {note}")
            )
    return changes


def _optional(
    section: str, subject: str, old: BaseModel | None, new: BaseModel | None
) -> list[Change]:
    if old is None and new is None:
        return []
    if old is None or new is None:
        kind = "added" if old is None else "removed"
        return [Change(section, subject, kind, "", None, None, f"{subject}: {kind}")]
    return compare(section, subject, old, new)


def _checkpoints(old: Guideline, new: Guideline) -> list[Change]:
    a, b = old.checkpoints, new.checkpoints
    if a is None or b is None:
        return _optional("checkpoints", "checkpoints", a, b)
    changes = compare("checkpoints", "support", a.support, b.support)
    changes += compare("checkpoints", "aftercare", a.aftercare, b.aftercare)
    changes += _optional("checkpoints", "evaluation", a.evaluation, b.evaluation)
    if a.avoid_weekends != b.avoid_weekends:
        x, y = show(a.avoid_weekends), show(b.avoid_weekends)
        changes.append(
            Change(
                "checkpoints",
                "checkpoints",
                "changed",
                "avoid_weekends",
                x,
                y,
                f"checkpoints: avoid_weekends {x}→{y}",
            )
        )
    changes += _keyed(
        "checkpoints",
        a.content,
        b.content,
        key=lambda c: c.id,
        name=lambda c: f"content {c.id}",
        brief=lambda c: c.text.en,
    )
    return changes


__all__ = ["Change", "basis", "diff"]
