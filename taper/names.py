"""Drug names as people type them, against one rule file: index, look-alikes, brands.

Pure functions over a `Guideline` (nothing prints); `taper.equivalence.resolve_drug` and the
form check of `_resolve` are built on them, so every command resolves names the same way.

- Look-alike names cause medication errors, so "did you mean" offers only names within one
  typing slip or two (see `suggestions`), each brand with its generic name.
- A brand fixes the form: a brand the formulary lists only as tablets is never read as a patch,
  nor a patch brand as tablets (`brand_form_problem`).
- A release word after a generic name ("oxycodone MR", "morfin depot", "oxycodone IR") reads
  as the drug in that release (`release_name`); the plan then uses the formulary's products of
  that release. A whole name of the rule file ("Xanor Depot", "Tradolan Retard") is never
  split, and a brand keeps its own release.
- Brand names are regional: a name this rule file does not know may be a brand in another
  shipped rule file (`known_elsewhere`); taper says so and never guesses a mapping of its own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from taper.dose import MedicationInput, format_amount
from taper.errors import TaperError
from taper.guideline.model import Conversion, Drug, Guideline, Product

# --- the name index ------------------------------------------------------------------------


def norm(text: str) -> str:
    return " ".join(text.casefold().replace("-", " ").replace("_", " ").split())


# Guidelines are frozen, so each one's name index is built once (it was a hot spot in batch
# runs). Keyed by identity and keeping the guideline alive so an id is never reused wrongly.
_INDEX_CACHE: dict[int, tuple[Guideline, NameIndex]] = {}
_INDEX_CACHE_SIZE = 64


@dataclass(frozen=True)
class NameIndex:
    names: dict[str, tuple[str, set[str]]]  # normalised → (as written, ids of the drugs named)
    generic: dict[str, set[str]]  # normalised → ids it is the generic (id/display/ATC) name of
    products: dict[tuple[str, str], tuple[Product, ...]]  # (normalised brand, drug) → products
    # normalised product name → products, the brand's short form too (`product_names`); a
    # generic name never names a product ("Lorazepam (Rivopharm)" never makes "lorazepam")
    named: dict[str, tuple[Product, ...]]


def name_index(guideline: Guideline) -> NameIndex:
    """The rule file's names (read-only, built once per guideline)."""
    cached = _INDEX_CACHE.get(id(guideline))
    if cached is not None and cached[0] is guideline:
        return cached[1]
    index = _build(guideline)
    if len(_INDEX_CACHE) >= _INDEX_CACHE_SIZE:
        _INDEX_CACHE.clear()
    _INDEX_CACHE[id(guideline)] = (guideline, index)
    return index


def _build(guideline: Guideline) -> NameIndex:
    names: dict[str, tuple[str, set[str]]] = {}
    generic: dict[str, set[str]] = {}
    products: dict[tuple[str, str], list[Product]] = {}
    named: dict[str, list[Product]] = {}

    def add(name: str, drug_id: str, is_generic: bool = False) -> None:
        key = norm(name)
        if key:
            names.setdefault(key, (name, set()))[1].add(drug_id)
            if is_generic:
                generic.setdefault(key, set()).add(drug_id)

    for drug in guideline.drugs:
        add(drug.id, drug.id, True)
        for name in drug.names:
            add(name, drug.id)
        for code in drug.atc:
            add(code, drug.id, True)
        if drug.display is not None:
            for text in (drug.display.en, drug.display.sv, drug.display.nb):
                if text:
                    add(text, drug.id, True)
    known = {d.id for d in guideline.drugs}
    for product in guideline.formulary:
        if product.drug in known:
            add(product.brand, product.drug)
            for other in product.names:
                add(other, product.drug)
            for written in (product.brand, *product.names):
                products.setdefault((norm(written), product.drug), []).append(product)
            for written in product_names(product):
                if written == product.brand or norm(written) not in generic:
                    named.setdefault(norm(written), []).append(product)
    return NameIndex(
        names,
        generic,
        {k: tuple(v) for k, v in products.items()},
        {k: tuple(v) for k, v in named.items()},
    )


def short_brand(product: Product) -> str:
    """The brand without its bracketed contents: "Citodon (paracetamol 500 mg / kodein 30
    mg)" → "Citodon"."""
    return re.sub(r"\s*\([^()]*\)\s*$", "", product.brand)


def product_names(product: Product) -> tuple[str, ...]:
    """The names a medication list may use for a product."""
    return tuple(dict.fromkeys([product.brand, short_brand(product), *product.names]))


# --- look-alike names ----------------------------------------------------------------------


def edit_distance(a: str, b: str) -> int:
    """Typing slips between two names: letters left out, added, changed or swapped."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]


def allowed_slips(name: str) -> int:
    """How far a typed name may be from a suggestion: one slip up to 6 letters, else two.

    Measured on the shipped rule files (every single-slip typo of every name of 5+ letters,
    about 9000): the right drug was always offered, another drug only where the typo is as
    close to both (oiazepam: diazepam or oxazepam). Two slips on a short name reach other
    drugs (Xanax → Xanor), so short names get one.
    """
    return 1 if len(name) <= 6 else 2


def label(written: str, ids: set[str] | Sequence[str]) -> str:
    """A name with its generic name unless it is one: "Temesta (lorazepam)", "oxazepam"."""
    ordered = sorted(ids)
    if norm(written) in {norm(i) for i in ordered}:
        return written
    return f"{written} ({' or '.join(ordered)})"


def suggestions(name: str, guideline: Guideline, n: int = 3) -> list[str]:
    """Names from the rule file within a slip or two of `name` ("did you mean …"), the
    closest first, one per drug, brands with their generic name."""
    typed = norm(name)
    if not typed:
        return []
    index = name_index(guideline)
    limit = allowed_slips(typed)
    scored = []
    for key, (written, ids) in index.names.items():
        if abs(len(key) - len(typed)) > limit:
            continue
        distance = edit_distance(typed, key)
        if distance <= limit:
            # the closest first; at equal distance the generic name, then alphabetical
            scored.append((distance, key not in index.generic, key, written, ids))
    if not scored:
        return []
    best = min(s[0] for s in scored)
    picked: list[str] = []
    seen: set[str] = set()
    for distance, _, _, written, ids in sorted(scored, key=lambda s: s[:3]):
        if distance == best and not ids & seen:
            picked.append(label(written, ids))
            seen |= ids
    return picked[:n]


# --- names in the other shipped rule files -------------------------------------------------


def known_elsewhere(
    name: str, guideline_id: str, among: Sequence[Guideline] | None = None
) -> dict[str, list[str]]:
    """Drug id → the rule files (shipped ones, or `among`) where `name` names that drug, other
    than `guideline_id`. Only what those files list; nothing is guessed."""
    if among is None:
        from taper.guideline.loader import load_builtin
        from taper.guideline.registry import builtin_ids

        among = []
        for gid in builtin_ids():
            try:
                among.append(load_builtin(gid).guideline)
            except TaperError:  # a broken installed file is reported when it is used
                continue
    key = norm(name)
    found: dict[str, list[str]] = {}
    for other in among:
        if other.id == guideline_id:
            continue
        hit = name_index(other).names.get(key)
        if hit is not None:
            for drug_id in sorted(hit[1]):
                found.setdefault(drug_id, []).append(other.id)
    return found


def and_list(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def elsewhere_message(
    name: str, guideline: Guideline, found: dict[str, list[str]], example: str | None
) -> str:
    """One sentence: the name is not in this rule file but is drug X in others."""
    here = {d.id for d in guideline.drugs}
    what = "; ".join(f"{drug} in {and_list(gids)}" for drug, gids in sorted(found.items()))
    text = (
        f"{name!r} is not a name in rule file {guideline.id} (brand names are regional); "
        f"it is {what}"
    )
    if len(found) == 1:
        drug = next(iter(found))
        if drug in here:
            return text + f" — write '{drug}{' ' + example if example else ''}'."
        return text + f", which rule file {guideline.id} does not list."
    return text + ": write the generic name."


# --- brands fix the form -------------------------------------------------------------------

_FORM_WORDS = {
    "tablet": "a tablet",
    "capsule": "a capsule",
    "patch": "a patch",
    "sublingual-tablet": "a sublingual tablet",
    "oral-solution": "an oral solution",
}


def is_brand(name: str, drug: Drug, guideline: Guideline) -> bool:
    """`name` is one of the drug's brands: a formulary brand, or a capitalised other name
    (the rule files write brands capitalised and other spellings, like buprenorfin, not)."""
    key = norm(name)
    index = name_index(guideline)
    if drug.id in index.generic.get(key, set()):
        return False
    if (key, drug.id) in index.products:
        return True
    return any(norm(n) == key and n[:1].isupper() for n in drug.names)


def sole_drug(name: str, guideline: Guideline) -> Drug | None:
    """The one drug `name` names in the rule file; None when it names none, or several."""
    hit = name_index(guideline).names.get(norm(name))
    if hit is None or len(hit[1]) != 1:
        return None
    return next(d for d in guideline.drugs if d.id in hit[1])


def generic_drug(name: str, guideline: Guideline) -> Drug | None:
    """The one drug `name` is a generic (not brand) name of; None otherwise."""
    drug = sole_drug(name, guideline)
    return None if drug is None or is_brand(name, drug, guideline) else drug


def brand_form_problem(med: MedicationInput, drug: Drug, guideline: Guideline) -> str | None:
    """Why a brand cannot be taken in the unit given (None: it can).

    A brand whose formulary products all come in one unit (mg tablets, mcg/h patches) is
    refused in the other unit: Subutex (sublingual tablets) is never read as a patch. A brand
    the formulary does not list, for a drug the rule file converts both as mg and as a
    patch, is refused in mg without a route word: its form is unknown, and reading a patch
    as tablets is a many-fold error (Norspan 10 mg read as sublingual: 500 mg morphine).
    """
    if not is_brand(med.drug_name, drug, guideline):
        return None
    unit = med.dose.unit
    products = name_index(guideline).products.get((norm(med.drug_name), drug.id), ())
    brand = med.drug_name
    if products:
        units = {p.unit for p in products}
        if unit in units:
            return None
        forms = and_list(sorted({_FORM_WORDS[p.form] for p in products}))
        routes = ", ".join(sorted({p.route for p in products}))
        strengths = sorted({s.amount for p in products for s in p.strengths})
        # A product listed without strengths: the amount typed is the only example there is.
        amount = strengths[0] if strengths and med.dose.amount not in strengths else med.dose.amount
        shown = f"{brand} {format_amount(amount)} {products[0].unit}"
        if products[0].unit == "mcg/h":
            how = f"give its delivery rate in mcg/h, e.g. '{shown}'"
        else:
            how = f"give its daily total in mg, e.g. '{shown}'"
        return f"{brand} is {forms} ({routes}) in rule file {guideline.id}; {how}."
    return unknown_form_problem(med, drug, guideline, written=brand)


def unknown_form_problem(
    med: MedicationInput, drug: Drug, guideline: Guideline, *, written: str
) -> str | None:
    """Why a dose in mg cannot be read for a name whose form this rule file does not know
    (a brand it does not list, or lists without a product), when it converts the drug both
    as mg and as a patch: reading a patch as tablets is a many-fold error (Norspan 10 mg read
    as sublingual: 500 mg morphine). `written` is the name the examples use. None: the dose
    can be read (another unit, a route word, or only one form converted)."""
    if med.dose.unit != "mg" or med.route is not None:
        return None
    table = guideline.equivalence.get(drug.drug_class)
    convs = [] if table is None else [c for c in table.conversions if c.drug == drug.id]
    if not {"mg", "mcg/h"} <= {c.unit for c in convs}:
        return None
    forms = ", ".join(sorted({f"{c.route} {c.unit}" for c in convs}))
    typed = format_amount(med.dose.amount)
    return (
        f"Rule file {guideline.id} does not say which form {med.drug_name} is, and it converts "
        f"{drug.id} as {forms}: for a patch give the delivery rate printed on it in mcg/h, "
        f"e.g. '{written} {typed} mcg/h', otherwise name the route, e.g. "
        f"'{drug.id} {_mg_route(convs)} {typed} mg'."
    )


def _mg_route(convs: Sequence[Conversion]) -> str:
    routes = sorted({c.route for c in convs if c.unit == "mg"})
    return routes[0] if routes else "oral"


def example_dose(med: MedicationInput) -> str:
    """The dose part of a medication line ("10 mg"), with its route word if one was given,
    for messages that rewrite the drug name."""
    route = f"{med.route} " if med.route is not None and med.dose.unit != "mcg/h" else ""
    return f"{route}{format_amount(med.dose.amount)} {med.dose.unit}"


# --- release words after a generic name ----------------------------------------------------

Release = Literal["immediate", "modified"]

# Release words a medication record writes after a generic name (en, sv, nb), as `norm`
# writes them ("prolonged-release" → "prolonged release"). A small list on purpose: each word
# is one that records use for a release, never part of a drug's name. Patches are depot forms
# anyway, so a modified-release word is consistent with a patch and changes nothing there.
RELEASE_WORDS: dict[str, Release] = {
    "mr": "modified",
    "er": "modified",
    "xr": "modified",
    "sr": "modified",
    "cr": "modified",
    "xl": "modified",
    "la": "modified",
    "retard": "modified",
    "depot": "modified",
    "depå": "modified",
    "depottablett": "modified",
    "depottabletter": "modified",
    "prolonged release": "modified",
    "modified release": "modified",
    "extended release": "modified",
    "ir": "immediate",
    "immediate release": "immediate",
    "snabbverkande": "immediate",
    "hurtigvirkende": "immediate",
}
RELEASE_TEXT: dict[Release, str] = {
    "modified": "modified-release",
    "immediate": "immediate-release",
}


def split_release(name: str) -> tuple[str, Release] | None:
    """ "oxycodone MR" → ("oxycodone", "modified"): the words before a release word at the end
    of `name` (as written, hyphens read as spaces) and the release; None without one."""
    words = name.replace("-", " ").replace("_", " ").split()
    for count in (2, 1):
        if len(words) > count:
            found = RELEASE_WORDS.get(norm(" ".join(words[-count:])))
            if found is not None:
                return " ".join(words[:-count]), found
    return None


@dataclass(frozen=True)
class ReleaseName:
    """A generic name with a release word after it, read against one rule file."""

    drug: str  # the drug's id
    base: str  # the name without the release word, as written
    release: Release


def release_name(name: str, guideline: Guideline) -> ReleaseName | None:
    """The drug and release of `name` when it is a generic name of the rule file followed by a
    release word ("oxycodone ER", "oxikodon depot"); None when the rule file knows `name` as a
    whole (its own release, e.g. "Xanor Depot"), it has no release word, or the rest is no
    generic name of exactly one drug (a brand keeps its own release: `brand_with_release`)."""
    found = _name_and_release(name, guideline)
    if found is None:
        return None
    base, release, drug = found
    if is_brand(base, drug, guideline):
        return None
    return ReleaseName(drug.id, base, release)


def brand_with_release(name: str, guideline: Guideline, example: str | None = None) -> str | None:
    """One sentence for a brand of the rule file followed by a release word ("Dolcontin
    depot"): the brand names its own product; None otherwise."""
    found = _name_and_release(name, guideline)
    if found is None:
        return None
    base, release, drug = found
    if not is_brand(base, drug, guideline):
        return None
    dose = f" {example}" if example else ""
    return (
        f"{name!r}: a release word is read after a generic name only, and {base} is a brand of "
        f"{drug.id} in rule file {guideline.id} that names its own product; write "
        f"'{base}{dose}', or '{drug.id} {RELEASE_TEXT[release]}{dose}'."
    )


def _name_and_release(name: str, guideline: Guideline) -> tuple[str, Release, Drug] | None:
    """(the name before the release word, the release, the one drug that name names) for a
    name the rule file does not know as a whole; None otherwise."""
    if norm(name) in name_index(guideline).names:
        return None
    found = split_release(name)
    if found is None:
        return None
    base, release = found
    drug = sole_drug(base, guideline)
    return None if drug is None else (base, release, drug)
