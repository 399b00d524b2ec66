"""Doses as people write them: "oxazepam 25 mg", "Sobril 0,5 mg", "fentanyl patch 25 mcg/h".

Parsing lives here and only here; every command and the batch input share it. Amounts are
`Decimal` (never float) with an explicit unit; the amount is the patient's daily total
(for patches, the delivery rate).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import TYPE_CHECKING, Literal

from taper.errors import TaperError

if TYPE_CHECKING:
    from taper.guideline.model import Guideline

Unit = Literal["mg", "mcg/h"]
Route = Literal["oral", "sublingual", "transdermal", "rectal", "intranasal", "buccal"]

# Largest daily amounts accepted as input. Above these a value is almost surely a typo (a
# missing decimal separator); they are input sanity limits, not clinical ceilings.
MAX_AMOUNT: dict[Unit, Decimal] = {"mg": Decimal(5000), "mcg/h": Decimal(1000)}
MAX_PLACES = 3

_UNITS: dict[str, Unit] = {
    "mg": "mg",
    "mg/d": "mg",
    "mg/day": "mg",
    "mg/dag": "mg",
    "mg/dygn": "mg",
    "mg/døgn": "mg",
    "mg/24h": "mg",
    "mcg/h": "mcg/h",
    "µg/h": "mcg/h",
    "μg/h": "mcg/h",
    "ug/h": "mcg/h",
    "mikrog/h": "mcg/h",
    "mcg/hr": "mcg/h",
    "µg/hr": "mcg/h",
    "μg/hr": "mcg/h",
    "ug/hr": "mcg/h",
    "mikrogram/h": "mcg/h",
    "mikrogram/timme": "mcg/h",
    "mikrogram/time": "mcg/h",
    "µg/t": "mcg/h",
    "μg/t": "mcg/h",
    "mcg/t": "mcg/h",
}
# Plain microgram units (no rate): a tablet dose in micrograms, or a patch without its rate.
_MICROGRAMS = {"mcg", "µg", "μg", "ug", "mikrog", "mikrogram"}
# Units people write for patches without the "per hour": refused with a hint, never guessed.
_PATCH_WITHOUT_RATE = _MICROGRAMS | {"mcg/72h", "µg/72h"}
_ROUTE_WORDS: dict[str, Route] = {
    "oral": "oral",
    "po": "oral",
    "tablet": "oral",
    "tablets": "oral",
    "tablett": "oral",
    "tabletter": "oral",
    "capsule": "oral",
    "kapsel": "oral",
    "sublingual": "sublingual",
    "sl": "sublingual",
    "resoriblett": "sublingual",
    "patch": "transdermal",
    "plaster": "transdermal",
    "plåster": "transdermal",
    "transdermal": "transdermal",
    "td": "transdermal",
    "depotplåster": "transdermal",
    "rectal": "rectal",
    "rektal": "rectal",
    "suppository": "rectal",
    "nasal": "intranasal",
    "intranasal": "intranasal",
    "buccal": "buccal",
    "bukkal": "buccal",
    "buckal": "buccal",
}
# Routes through the mucosa: written after the dose as often as before it ("fentanyl 200 mcg
# buccal"), and dosed in micrograms (read exactly as mg: 200 mcg = 0.2 mg).
TRANSMUCOSAL: frozenset[Route] = frozenset({"sublingual", "buccal", "intranasal"})
_TRAILING_ROUTE_WORDS = {w for w, r in _ROUTE_WORDS.items() if r in TRANSMUCOSAL}
_AMOUNT_UNIT = re.compile(r"^(?P<amount>[-+]?[0-9]*[.,]?[0-9]+)\s*(?P<unit>[^\s0-9].*)?$")


@dataclass(frozen=True)
class Dose:
    amount: Decimal
    unit: Unit

    def __str__(self) -> str:
        return f"{format_amount(self.amount)} {self.unit}"


@dataclass(frozen=True)
class MedicationInput:
    """One medication line as typed: drug words not yet resolved against a rule file."""

    text: str
    drug_name: str
    dose: Dose
    route: Route | None
    # As written in a medication list (taper.dose_forms): the doses per time of day, in
    # order, and whether the drug is taken as needed (the daily dose is then an average).
    times: tuple[tuple[str, Decimal], ...] = ()
    as_needed: bool = False
    uses_per_week: Decimal | None = None
    # Written in tablets ("Sobril 10 mg 1+1+2", "Citodon 2+2+2"): one tablet's strength and
    # the tablets per dose time; `strength_looked_up` when the rule file gave the strength.
    strength: Decimal | None = None
    units: tuple[tuple[str, Fraction], ...] = ()
    strength_looked_up: bool = False
    # A combination written by its generic names and strengths ("acetaminophen/codeine
    # 300/30 mg", taper.generic_combinations): `drug_name` is the formulary product it names.
    combination: str | None = None


def repeated_line(medications: Sequence[MedicationInput]) -> tuple[int, int] | None:
    """The first medication that repeats an earlier one exactly (the same drug words, dose
    and route, however spaced or capitalised), as (earlier, later) indexes; None if none does.

    Two identical lines are far more often a copy than two separate prescriptions; adding
    them up would double the dose silently, so callers refuse them (issue 14).
    """
    seen: dict[tuple[str, Decimal, str, str | None], int] = {}
    for index, med in enumerate(medications):
        key = (
            " ".join(med.drug_name.casefold().split()),
            med.dose.amount,
            med.dose.unit,
            med.route,
        )
        if key in seen:
            return seen[key], index
        seen[key] = index
    return None


def repeated_line_advice(med: MedicationInput) -> str:
    """What to write instead of two identical lines (one clause)."""
    twice = format_amount(med.dose.amount * 2)
    return (
        f"give the day's total once ('{med.drug_name} {twice} {med.dose.unit}' if both are "
        "taken), or remove the copy"
    )


def refuse_repeated_lines(medications: Sequence[MedicationInput], option: str) -> None:
    """One sentence (TaperError) if two of `option`'s lines are the same medication."""
    repeated = repeated_line(medications)
    if repeated is not None:
        first, again = medications[repeated[0]], medications[repeated[1]]
        same = "" if first.text == again.text else f" as '{again.text}'"
        raise TaperError(
            f"{option} '{first.text}' is given twice{same}; {repeated_line_advice(first)}."
        )


def parse_amount(text: str) -> Decimal:
    """Parse "0,5" or "0.5" exactly; refuse anything that is not a plain decimal.

    "1,500" and "1.500" are refused as ambiguous: a thousands separator (1500) or a decimal
    separator (1.5) depending on who wrote it, and the two differ a thousandfold.
    """
    cleaned = text.strip().replace(",", ".")
    if not re.fullmatch(r"[-+]?[0-9]*\.?[0-9]+", cleaned):
        raise TaperError(f"{text!r} is not a number (write e.g. 25 or 0,5).")
    if re.fullmatch(r"[-+]?0*[1-9][0-9]{0,2}\.[0-9]{3}", cleaned):
        whole, _, part = cleaned.lstrip("+-").partition(".")
        raise TaperError(
            f"{text.strip()!r} is ambiguous (a thousands or a decimal separator?): write "
            f"{int(whole + part)} or {format_amount(Decimal(whole + '.' + part))}."
        )
    try:
        value = Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the regex admits only valid decimals
        raise TaperError(f"{text!r} is not a number.") from None
    return value


def parse_unit(text: str) -> Unit:
    key = "".join(text.lower().split())
    if key in _PATCH_WITHOUT_RATE:
        # parse_medication refuses the plain microgram units (_MICROGRAMS) before it gets
        # here, with the mg reading as well (it knows the amount and the drug); a per-patch
        # unit ("mcg/72h") and other callers (referral's --attempt-to) get this sentence.
        raise TaperError(
            f"Unit {text.strip()!r} has no rate: patches are written in mcg/h, the delivery rate "
            "printed on the patch (e.g. 'fentanyl patch 25 mcg/h'), never per patch."
        )
    if key not in _UNITS:
        raise TaperError(f"Unknown unit {text!r}: use mg (daily total) or mcg/h (patches).")
    return _UNITS[key]


def check_amount(amount: Decimal, unit: Unit, what: str) -> Decimal:
    if amount <= 0:
        raise TaperError(f"The dose of {what} must be more than zero (got {amount} {unit}).")
    if amount > MAX_AMOUNT[unit]:
        raise TaperError(
            f"{format_amount(amount)} {unit} of {what} is implausibly high "
            f"(the limit is {MAX_AMOUNT[unit]} {unit} a day); check the decimal separator."
        )
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MAX_PLACES:
        raise TaperError(f"Give the dose of {what} with at most {MAX_PLACES} decimals.")
    return amount


def _split_route(words: list[str]) -> tuple[str, Route | None]:
    """Drug words and the route word among them ("fentanyl patch" → fentanyl, transdermal).

    The first word always belongs to the drug name, so a drug is never mistaken for a route.
    Two different route words are refused rather than one of them silently winning.
    """
    route: Route | None = None
    kept: list[str] = []
    for word in words:
        found = _ROUTE_WORDS.get(word.lower()) if kept else None
        if found is None:
            kept.append(word)
        elif route is not None and found != route:
            raise TaperError(f"Two routes in {' '.join(words)!r} ({route} and {found}): give one.")
        else:
            route = found
    return " ".join(kept), route


def parse_drug(text: str) -> tuple[str, Route | None]:
    """Parse a drug without a dose, as in `--to "fentanyl patch"`: (drug words, route or None)."""
    words = text.split()
    if not words:
        raise TaperError("Empty drug name: write e.g. --to morphine or --to 'fentanyl patch'.")
    return _split_route(words)


def parse_medication(text: str, guideline: Guideline | None = None) -> MedicationInput:
    """Parse "DRUG [ROUTE] AMOUNT UNIT" (AMOUNT the daily total), or a dose as a medication
    list writes it (taper.dose_forms). With the rule file, a brand's tablets may be written
    without their strength when it has only one ("Citodon 2+2+2"), and a product is found by
    its rule-file name even when the name holds numbers (taper.brand_lines)."""
    raw = " ".join(text.split())
    if not raw:
        raise TaperError("Empty medication: write it as DRUG AMOUNT UNIT, e.g. 'oxazepam 25 mg'.")
    if guideline is not None and "/" in raw:  # "name/name ...": only then is it imported
        from taper.generic_combinations import read_generic_combination

        product_line = read_generic_combination(raw, guideline)
        if product_line is not None:
            line, written = product_line
            found = parse_medication(line, guideline)
            return replace(found, text=raw, combination=written, strength_looked_up=False)
    words = raw.split(" ")
    # A transmucosal route word after the dose belongs with the drug words.
    trailing: list[str] = []
    while len(words) > 2 and words[-1].lower() in _TRAILING_ROUTE_WORDS:
        trailing.insert(0, words.pop())
    if trailing:
        words = [words[0], *trailing, *words[1:]]
    regimen = _regimen(words, guideline)
    if regimen is not None:
        return regimen
    per_dose = _per_dose_message(words, raw, explicit_only=True)
    if per_dose is not None:
        raise TaperError(per_dose)
    # Find the amount: the last token that starts with a digit (it may carry the unit: "25mg").
    for index in range(len(words) - 1, -1, -1):
        match = _AMOUNT_UNIT.match(words[index])
        if match:
            break
    else:
        per_dose = _per_dose_message(words, raw)
        if per_dose is not None:
            raise TaperError(per_dose)
        raise TaperError(
            f"No dose in {raw!r}: write it as DRUG AMOUNT UNIT, e.g. 'oxazepam 25 mg'."
        )
    unit_text = " ".join(filter(None, [match.group("unit"), *words[index + 1 :]]))
    if not unit_text or "".join(unit_text.lower().split()) not in _UNITS:
        # Doses per time of day or tablets ("30 mg x 2", "10+10+10 mg", "1/2 tablett") are
        # refused as before, with a sentence that asks for the daily total.
        per_dose = _per_dose_message(words, raw)
        if per_dose is not None:
            raise TaperError(per_dose)
    if not unit_text:
        raise TaperError(f"No unit in {raw!r}: add mg (daily total) or mcg/h (patches).")
    drug_name, route = _split_route(words[:index])
    per_mg = Decimal(1)
    if "".join(unit_text.lower().split()) in _MICROGRAMS:
        if route not in TRANSMUCOSAL:
            raise TaperError(_micrograms_message(unit_text, match.group("amount"), words[:index]))
        unit_text, per_mg = "mg", Decimal(1000)  # buccal, nasal, sublingual doses in mcg
    unit = parse_unit(unit_text)
    if not drug_name:
        raise TaperError(f"No drug in {raw!r}: write it as DRUG AMOUNT UNIT.")
    amount = check_amount(parse_amount(match.group("amount")) / per_mg, unit, drug_name)
    if unit == "mcg/h" and route is None:
        route = "transdermal"
    return MedicationInput(raw, drug_name, Dose(amount, unit), route)


# One amount and at most one unit word: a daily total, never a regimen.
_PLAIN_DOSE = re.compile(r"[0-9]*[.,]?[0-9]+\s*[^\s0-9+x×*]*")


def _regimen(words: list[str], guideline: Guideline | None = None) -> MedicationInput | None:
    """A dose written per time of day, per dose with a frequency or as needed
    (taper.dose_forms); None for a plain daily total or a form refused below."""
    start = next((i for i, w in enumerate(words) if i and re.match(r"[0-9½¼¾]|[.,][0-9]", w)), None)
    named = 0
    if guideline is not None:
        from taper.brand_lines import product_prefix

        # A product name with numbers in it: the dose starts after the name.
        named = product_prefix(words, guideline)
        if named and (start is None or start < named):
            start = named
        else:
            named = 0
    if start is None or _PLAIN_DOSE.fullmatch(" ".join(words[start:])):
        return None  # "25 mg": a daily total (dose_forms is not even imported)
    from taper.dose_forms import StrengthOf, parse_regimen

    drug_name, route = (" ".join(words[:named]), None) if named else _split_route(words[:start])
    if not drug_name:
        return None
    strength_of: StrengthOf | None = None
    if guideline is not None:
        from functools import partial

        from taper.brand_lines import brand_strength

        strength_of = partial(brand_strength, guideline=guideline)
    found = parse_regimen(" ".join(words[start:]), drug_name, strength_of)
    if found is None:
        return None
    try:
        daily = check_amount(found.daily, "mg", drug_name)
    except TaperError:
        return None  # the refusal below says why, without a total to copy
    return MedicationInput(
        " ".join(words),
        drug_name,
        Dose(daily, "mg"),
        route,
        times=found.times,
        as_needed=found.as_needed,
        uses_per_week=found.uses_per_week,
        strength=found.strength,
        units=found.units,
        strength_looked_up=found.strength_looked_up,
    )


# Words of a count of tablets or of doses, never a daily total.
_COUNT_WORDS = {
    "tablet",
    "tablets",
    "tablett",
    "tabletter",
    "tabl",
    "tab",
    "tabs",
    "capsule",
    "capsules",
    "kapsel",
    "kapslar",
    "kapsler",
    "st",
    "stk",
    "pill",
    "pills",
    "x",
    "×",
    "*",
    "times",
    "gånger",
    "ganger",
    "ggr",
}
_NUMBER = r"[0-9]*[.,]?[0-9]+"
_PLUS = re.compile(rf"^(?P<parts>{_NUMBER}(?:\s*\+\s*{_NUMBER})+)\s*(?P<unit>[^\s0-9+].*)?$")
_TIMES = re.compile(
    rf"^(?:(?P<a>{_NUMBER})\s*(?P<unit>[^\s0-9x×*][^0-9x×*]*?)\s*[x×*]\s*(?P<n>[0-9]+)"
    rf"|(?P<n2>[0-9]+)\s*[x×*]\s*(?P<a2>{_NUMBER})\s*(?P<unit2>[^\s0-9].*))$"
)
# The parts of a sum: split at "+", or at a comma right after a unit ("10 mg, 5 mg"); a comma
# after a digit is a decimal comma ("10,5 mg"), never a list.
_SUM_SPLIT = re.compile(r"\s*\+\s*|(?<=[^\s0-9.,])\s*,\s*")
_SUM_PART = re.compile(rf"(?P<amount>{_NUMBER})\s*(?P<unit>[^\s0-9.,+].*)?")


def _sum_parts(flat: str) -> list[tuple[str, str]] | None:
    """ "10+10+10 mg", "10 mg + 5 mg", "10 mg, 5 mg" → (amount, unit) per part; None if no sum.

    Every part is a number with a dose unit or none (so the "500 mg / kodein 30 mg" of a brand
    name is never a part). A part written without a unit takes the unit of the next part that
    has one ("10+10 mg").
    """
    pieces = _SUM_SPLIT.split(flat)
    if len(pieces) < 2:
        return None
    parts: list[tuple[str, str]] = []
    for piece in pieces:
        match = _SUM_PART.fullmatch(piece)
        if match is None:
            return None
        unit = "".join((match["unit"] or "").split())
        if unit and unit not in _UNITS and unit not in _PATCH_WITHOUT_RATE:
            return None
        parts.append((match["amount"], unit))
    unit = ""
    for index in range(len(parts) - 1, -1, -1):
        unit = parts[index][1] or unit
        parts[index] = (parts[index][0], unit)
    return parts


def _total(
    amounts: list[tuple[str, int]], unit_keys: set[str]
) -> tuple[Unit | None, Decimal | None]:
    """The unit and the total of per-dose amounts (amount text, times taken).

    The unit is None unless every part is in one known unit (no unit at all reads as mg, as
    "10+10+10" always has). The total is None unless every amount reads as one number under
    parse_amount (never "1,500", which is 1500 or 1.5) and the total is a dose check_amount
    accepts: a refusal never suggests a dose that would itself be refused or that came from a
    guess.
    """
    if unit_keys == {""}:
        unit: Unit | None = "mg"
    else:
        units = {_UNITS.get(key) for key in unit_keys}
        unit = units.pop() if len(units) == 1 else None
    if unit is None:
        return None, None
    try:
        total = sum((parse_amount(text) * times for text, times in amounts), Decimal(0))
        return unit, check_amount(total, unit, "the sum")
    except TaperError:
        return unit, None


def _per_dose_message(words: list[str], raw: str, explicit_only: bool = False) -> str | None:
    """The refusal for a dose written per time of day or in tablets; None if it is not one.

    `explicit_only`: only doses written as a sum or a product ("10+10+10 mg", "10 mg + 5 mg",
    "10 mg, 5 mg", "2 x 15 mg"), which no drug name contains; the rest is looked at only once
    the dose failed to parse.
    """
    start = next((i for i, w in enumerate(words) if i and re.match(r"[0-9½¼¾]|[.,][0-9]", w)), None)
    if start is None:
        return None
    drug = " ".join(words[:start])
    tail = " ".join(words[start:])
    flat = tail.lower()
    unit_of: Unit | None = None
    daily: Decimal | None = None
    parts = _sum_parts(flat)
    plus = _PLUS.match(flat)
    times = _TIMES.match(flat)
    if parts is not None:
        unit_of, daily = _total([(a, 1) for a, _ in parts], {u for _, u in parts})
    elif times is not None:
        amount = times["a"] or times["a2"]
        count = int(times["n"] or times["n2"])
        unit_text = times["unit"] or times["unit2"] or ""
        unit_of, daily = _total([(amount, count)], {"".join(unit_text.split())})
    if explicit_only and (parts is None and plus is None and times is None):
        return None
    if unit_of == "mcg/h":
        # A rate: the patches worn at once add up; never "a day" (review 2026-11-24).
        example = (
            f"e.g. '{drug} {format_amount(daily)} mcg/h' if the patches worn at once are {tail}."
            if daily is not None
            else f"e.g. '{drug} N mcg/h', N the rates of all the patches worn at once added up."
        )
        return (
            f"Give the total delivery rate of the patches worn at once as one amount in mcg/h, "
            f"{example}"
        )
    if daily is not None:
        return (
            f"Give the daily total in mg as one amount, e.g. "
            f"'{drug} {format_amount(daily)} mg' if {tail} is all of the day's doses "
            "(taper works out the doses per time of day)."
        )
    tokens = set(re.split(r"[\s0-9.,/+½¼¾]+", flat)) - {""}
    fraction = re.search(r"[0-9]\s*/\s*[0-9]|[½¼¾]", flat) is not None
    counted_doses = fraction or bool(tokens & _COUNT_WORDS) or re.search(r"[x×*+]", flat)
    if parts is None and plus is None and times is None and not counted_doses:
        return None
    return (
        # N, not a number: an invented example dose could be copied as the patient's.
        f"Give the daily total in mg, not tablets or doses per time of day: '{drug} N mg', "
        "N all of the day's doses added up in mg (taper works out the doses per time of day)."
    )


def _micrograms_message(unit_text: str, amount_text: str, drug_words: list[str]) -> str:
    """The refusal for a plain microgram unit: a tablet dose in mcg or a patch without rate."""
    drug = " ".join(drug_words[:1]) or "DRUG"
    hint = ""
    try:
        in_mg = parse_amount(amount_text) / 1000
        if in_mg > 0:
            hint = f" ({amount_text} {unit_text.strip()} is {format_amount(in_mg)} mg)"
    except TaperError:
        pass
    return (
        f"Unit {unit_text.strip()!r} has no rate: for tablets write the daily total in mg, e.g. "
        f"'{drug} {format_amount(in_mg) if hint else 'N'} mg'{hint}; for a patch write the "
        "delivery rate printed on it in mcg/h (e.g. 'fentanyl patch 25 mcg/h'), never per patch."
    )


def format_amount(amount: Decimal, lang: str = "en") -> str:
    """Plain exact number for display: no exponent, no trailing zeros, decimal comma in sv/nb."""
    normal = amount.normalize()
    text = f"{normal:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if lang in ("sv", "nb"):
        text = text.replace(".", ",")
        if text.startswith("-"):
            text = "\u2212" + text[1:]
    return text


def parse_date(text: str, option: str) -> dt.date:
    """A date option as typed (YYYY-MM-DD); one sentence naming the option when it is not."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise TaperError(f"{option} {text!r} is not a date; write it as YYYY-MM-DD.") from None
