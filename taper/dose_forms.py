"""Doses as clinicians write them in a medication list: per time of day, per dose with a
frequency, or as needed with an average use.

    oxazepam 10+10+15 mg            per time of day (2, 3 or 4 positions)
    Sobril 10 mg 1+1+2              tablets of a strength per time of day
    oxazepam 15 mg x 3              one dose, N times a day (also 3 x 15 mg, 15 mg × 3)
    oxycodone 10 mg 4 times a day   (4 gånger dagligen, 4 ggr/dag, 4 ganger daglig)
    oxycodone 5 mg every 6 hours    (var 6:e timme, hver 6. time, q6h)
    oxazepam 10 mg as needed, about 3 times a week
        (sv: vid behov, ca 3 gånger i veckan; nb: ved behov, ca. 3 ganger i uken)
    Sobril 10 mg 2 tabletter 3 gånger dagligen   tablets of a strength with a frequency
    Citodon 2+2+2+2, Paralgin forte 2 tabl x 3   tablets of a brand without its strength:
        only with a rule file, which gives the brand's one strength (`strength_of`)

Positions of a per-time list: 2 = morning, evening; 3 = morning, midday, evening;
4 = morning, midday, evening, night (bedtime). A 0 leaves that time out ("10+0+10").

The daily total is exact (a sum of decimals), and the dose times are kept so that mapping
can show them and evening out can start from them. Input that still has two readings gets
one sentence with the exact question (exit 2). Only doses in mg are read here: patch rates
add up as patches worn at once, never as doses in a day (taper.dose asks for the total rate).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction

from taper.errors import TaperError

# Positions of a per-time list, as Nordic prescriptions write them.
POSITIONS: dict[int, tuple[str, ...]] = {
    2: ("morning", "evening"),
    3: ("morning", "midday", "evening"),
    4: ("morning", "midday", "evening", "bedtime"),
}
_FRACTIONS = {"½": Fraction(1, 2), "¼": Fraction(1, 4), "¾": Fraction(3, 4)}
_NUM = r"[0-9]*[.,]?[0-9]+"
_COUNT = rf"(?:{_NUM}|[0-9]*[½¼¾]|[0-9]+/[0-9]+)"
_UNIT_MG = r"mg"
_TIMES_WORDS = r"(?:times|time|gånger|gång|ggr|ganger|gang|x)"
_A_DAY = (
    r"(?:a day|per day|daily|/day|/d|dagligen|om dagen|per dag|/dag|i dagen|daglig|per døgn|"
    r"/døgn|om dygnet|per dygn|/dygn)"
)
_A_WEEK = r"(?:a week|per week|/week|i veckan|per vecka|/vecka|i uken|per uke|/uke|i uka)"
_ABOUT = r"(?:about|approx\.?|approximately|around|ca\.?|cirka|omkring|ungefär|ungefær|~)"
_AS_NEEDED = r"(?:as needed|when needed|prn|p\.r\.n\.|vid behov|v\.b\.|vb|ved behov|v\.b)"
_NUMBER_WORDS = {
    "one": 1, "once": 1, "en": 1, "ett": 1, "ein": 1, "two": 2, "twice": 2, "två": 2, "to": 2,
    "three": 3, "tre": 3, "four": 4, "fyra": 4, "fire": 4,
}  # fmt: skip
_INT = r"(?:[0-9]+|one|once|two|twice|three|four|en|ett|två|to|tre|fyra|fire)"

# Words after a tablet count ("1+1+2 tabl"), and "every 6 hours" in en, sv and nb.
_TABLET_WORDS = r"(?:tabl?\.?|tablets?|tablett(?:er)?|st\.?|stk\.?)"
_EVERY_HOURS = (
    r"every\s+(?P<h1>[0-9]+)\s*(?:hours?|h)|q\s*(?P<h2>[0-9]+)\s*h"
    r"|var\s+(?P<h3>[0-9]+)(?::e|:te|e|te)?\s+timme|hver\s+(?P<h4>[0-9]+)\.?\s+time"
)

_PER_TIME = re.compile(rf"^(?P<parts>{_NUM}(?:\s*\+\s*{_NUM}){{1,4}})\s*{_UNIT_MG}$")
_COUNTS = re.compile(
    rf"^(?P<strength>{_NUM})\s*{_UNIT_MG}\s+(?P<parts>{_COUNT}(?:\s*\+\s*{_COUNT}){{1,4}})"
    rf"(?:\s*{_TABLET_WORDS})?$"
)
_BARE_COUNTS = re.compile(
    rf"^(?P<parts>{_COUNT}(?:\s*\+\s*{_COUNT}){{1,4}})"
    rf"(?:\s*{_TABLET_WORDS})?$"
)
_TABLETS = rf"(?:{_TABLET_WORDS}|capsules?|kapsl(?:ar|er)|kapsel)"
# Tablets a dose with a frequency: "2 tabletter 3 gånger dagligen", "2 tabl x 3",
# "1 tablet every 6 hours"; with the strength first or without it (a brand's).
_COUNT_FREQUENCY = re.compile(
    rf"^(?:(?P<strength>{_NUM})\s*{_UNIT_MG}\s+)?(?P<c>{_COUNT})\s*{_TABLETS}\s*"
    rf"(?:[x×*]\s*(?P<n1>[0-9]+)(?:\s*{_A_DAY})?|(?P<n2>{_INT})\s*{_TIMES_WORDS}?\s*{_A_DAY}"
    rf"|{_EVERY_HOURS})$"
)
_TIMES_AFTER = re.compile(rf"^(?P<a>{_NUM})\s*{_UNIT_MG}\s*[x×*]\s*(?P<n>[0-9]+)(?:\s*{_A_DAY})?$")
_TIMES_BEFORE = re.compile(rf"^(?P<n>[0-9]+)\s*[x×*]\s*(?P<a>{_NUM})\s*{_UNIT_MG}(?:\s*{_A_DAY})?$")
_FREQUENCY = re.compile(
    rf"^(?P<a>{_NUM})\s*{_UNIT_MG}\s+(?P<n>{_INT})\s*{_TIMES_WORDS}?\s*{_A_DAY}$"
)
_EVERY = re.compile(rf"^(?P<a>{_NUM})\s*{_UNIT_MG}\s+(?:{_EVERY_HOURS})$")
_AS_NEEDED_RE = re.compile(
    rf"^(?P<a>{_NUM})\s*{_UNIT_MG}\s+{_AS_NEEDED}(?:\s*,?\s*(?:{_ABOUT}\s*)?(?P<n>{_INT}(?:[.,][0-9]+)?)"
    rf"\s*{_TIMES_WORDS}?\s*(?P<per>{_A_DAY}|{_A_WEEK}))?$"
)
_AS_NEEDED_ANY = re.compile(rf"\b{_AS_NEEDED}", re.IGNORECASE)


@dataclass(frozen=True)
class Regimen:
    """A dose as written: the exact daily total (mg) and what it was made of."""

    daily: Decimal
    times: tuple[tuple[str, Decimal], ...]  # (dose time, mg) in order; () when not known
    doses_per_day: int | None
    as_needed: bool = False
    uses_per_week: Decimal | None = None  # as needed: the average use given
    # Written in tablets: the strength of one tablet (mg) and the tablets per dose time.
    strength: Decimal | None = None
    units: tuple[tuple[str, Fraction], ...] = ()
    strength_looked_up: bool = False  # the strength came from the rule file (`strength_of`)


# The strength of one tablet of a named drug, from a rule file: Decimal (its one strength),
# None (not a brand it knows: the question "tablets or mg?"), or a TaperError asking which.
StrengthOf = Callable[[str, str], Decimal | None]


class _Unreadable(Exception):
    """A number of the form cannot be read (e.g. "1,500"): `taper.dose` refuses the line."""


def _number(text: str) -> Decimal:
    from taper.dose import parse_amount

    try:
        return parse_amount(text)
    except TaperError:
        raise _Unreadable(text) from None


def _count(text: str) -> Fraction:
    """A tablet count: 1, 0,5, ½, 1½, 1/2."""
    text = text.strip()
    if text and text[-1] in _FRACTIONS:
        whole = text[:-1]
        return (Fraction(int(whole)) if whole else Fraction(0)) + _FRACTIONS[text[-1]]
    if "/" in text:
        top, bottom = text.split("/")
        if int(bottom) == 0:
            raise TaperError(f"{text!r} is not a tablet count.")
        return Fraction(int(top), int(bottom))
    return Fraction(_number(text))


def _exact(value: Fraction, what: str) -> Decimal:
    """A fraction as an exact decimal, or one sentence asking for a dose in mg."""
    from taper.equivalence import decimal_if_exact

    found = decimal_if_exact(value)
    if found is None:
        raise TaperError(f"{what} is not an exact number of mg; write the doses in mg.")
    return found


def _int(text: str) -> int:
    return _NUMBER_WORDS.get(text, 0) or int(text)


def _per_time(amounts: list[Decimal], written: str) -> Regimen:
    names = POSITIONS.get(len(amounts))
    if names is None:  # pragma: no cover - the patterns admit 2 to 5 parts
        raise TaperError(
            f"{written!r} has {len(amounts)} positions: taper reads 2 (morning, evening), 3 "
            "(morning, midday, evening) or 4 (morning, midday, evening, night); give the daily "
            "total in mg instead."
        )
    times = tuple((name, a) for name, a in zip(names, amounts, strict=True) if a)
    count = len(times)
    return Regimen(sum(amounts, Decimal(0)), times, count)


def _at_times(amount: Decimal, count: int, written: str) -> Regimen:
    if not 1 <= count <= 24:
        raise TaperError(f"{written!r}: {count} doses a day cannot be right; check the dose.")
    names = POSITIONS.get(count, ())
    times = tuple((name, amount) for name in names) if count > 1 else ()
    return Regimen(amount * count, times, count)


def _tablets(
    strength: Decimal, counts: list[Fraction], written: str, *, looked_up: bool = False
) -> Regimen | None:
    """Tablets of `strength` per dose time (2 to 4 positions): their mg, exact."""
    amounts = [_exact(Fraction(strength) * c, f"{c} × {strength} mg") for c in counts]
    if not any(amounts):
        return None
    found = _per_time(amounts, written)
    names = POSITIONS[len(counts)]
    units = tuple((name, c) for name, c in zip(names, counts, strict=True) if c)
    return replace(found, strength=strength, units=units, strength_looked_up=looked_up)


def _tablets_at(
    strength: Decimal, count: Fraction, doses: int, written: str, *, looked_up: bool = False
) -> Regimen:
    """`count` tablets of `strength` at each of `doses` dose times a day."""
    found = _at_times(
        _exact(Fraction(strength) * count, f"{count} × {strength} mg"), doses, written
    )
    if not found.daily:
        raise TaperError(f"{written!r} is no tablets at all; check the dose.")
    names = POSITIONS.get(doses, ())
    units = tuple((name, count) for name in names) if doses > 1 else ()
    return replace(found, strength=strength, units=units, strength_looked_up=looked_up)


def _doses_a_day(m: re.Match[str], written: str) -> int:
    """Doses in 24 hours of a frequency group: "x 3", "3 times a day", "every 6 hours"."""
    if m["n1"] or m["n2"]:
        return int(m["n1"]) if m["n1"] else _int(m["n2"])
    return _every_hours(m)


def _every_hours(m: re.Match[str]) -> int:
    """Doses in 24 hours of an `_EVERY_HOURS` match; one sentence when they do not divide a
    day evenly."""
    hours = int(next(h for h in (m["h1"], m["h2"], m["h3"], m["h4"]) if h))
    if hours == 0 or 24 % hours:
        raise TaperError(
            f"Every {hours} hours does not divide a day evenly: how many doses are taken "
            "in 24 hours? Write e.g. '5 mg 4 times a day'."
        )
    return 24 // hours


def _strength(
    drug: str, written: str, strength_of: StrengthOf | None, counts: str | None
) -> Decimal:
    """The strength of a brand's tablets written without it, from the rule file; else the
    question "tablets or mg?" (`counts`: the per-time counts) or "which strength?" (never a
    count read as mg)."""
    found = None if strength_of is None else strength_of(drug, written)
    if found is not None:
        return found
    if counts is None:
        raise TaperError(
            f"Which strength are the {drug} tablets? Write e.g. '{drug} N mg {written}', N the "
            "strength of one tablet (of a combination product, its opioid)."
        )
    raise TaperError(
        f"Is {drug} {counts} tablets or mg? For tablets write '{drug} N mg {counts}', N "
        "the strength of one tablet (of a combination product, its opioid); for mg write "
        f"'{drug} {counts} mg'."
    )


def parse_regimen(
    tail: str, drug: str = "DRUG", strength_of: StrengthOf | None = None
) -> Regimen | None:
    """The regimen in the dose part of a medication line; None when the text is not one of
    these forms (a plain daily total, or a form `taper.dose` refuses with its own sentence).
    Raises `TaperError` with one question when the form is recognised but ambiguous.
    `strength_of` gives a brand's one strength from a rule file, for tablets written without
    it ("Sobril 1+1+2")."""
    try:
        return _parse(tail, drug, strength_of)
    except (_Unreadable, ValueError):
        return None  # an unreadable number: taper.dose refuses without computing from it


def _parse(tail: str, drug: str, strength_of: StrengthOf | None) -> Regimen | None:
    text = " ".join(tail.lower().split())
    written = tail.strip()
    if m := _PER_TIME.match(text):
        parts = re.split(r"\s*\+\s*", m["parts"])
        if len(parts) > 4:
            raise TaperError(
                f"{tail.strip()!r} has {len(parts)} positions: taper reads 2 (morning, evening), "
                "3 (morning, midday, evening) or 4 (morning, midday, evening, night); give the "
                "daily total in mg instead."
            )
        amounts = [_number(p) for p in parts]
        if not any(amounts):
            return None
        return _per_time(amounts, tail.strip())
    if m := _COUNTS.match(text):
        parts = re.split(r"\s*\+\s*", m["parts"])
        if len(parts) > 4:
            raise TaperError(
                f"{tail.strip()!r} has {len(parts)} positions: taper reads 2, 3 or 4 (morning, "
                "midday, evening, night); give the daily total in mg instead."
            )
        return _tablets(_number(m["strength"]), [_count(p) for p in parts], written)
    if m := _BARE_COUNTS.match(text):
        counts = m["parts"].replace(" ", "")
        parts = counts.split("+")
        strength = _strength(drug, written, strength_of, counts)
        if len(parts) > 4:
            raise TaperError(
                f"{written!r} has {len(parts)} positions: taper reads 2, 3 or 4 (morning, "
                "midday, evening, night); give the daily total in mg instead."
            )
        return _tablets(strength, [_count(p) for p in parts], written, looked_up=True)
    if m := _COUNT_FREQUENCY.match(text):
        doses = _doses_a_day(m, written)
        if m["strength"] is not None:
            return _tablets_at(_number(m["strength"]), _count(m["c"]), doses, written)
        strength = _strength(drug, written, strength_of, None)
        return _tablets_at(strength, _count(m["c"]), doses, written, looked_up=True)
    if (m := _TIMES_AFTER.match(text)) or (m := _TIMES_BEFORE.match(text)):
        return _at_times(_number(m["a"]), int(m["n"]), tail.strip())
    if m := _FREQUENCY.match(text):
        return _at_times(_number(m["a"]), _int(m["n"]), tail.strip())
    if m := _EVERY.match(text):
        return _at_times(_number(m["a"]), _every_hours(m), tail.strip())
    if m := _AS_NEEDED_RE.match(text):
        amount = _number(m["a"])
        if m["n"] is None:
            raise TaperError(
                f"How often is {drug} {m['a']} mg taken as needed? Add the average use, e.g. "
                f"'{drug} {m['a']} mg as needed, about 3 times a week' (or 2 times a day)."
            )
        uses = _number(m["n"]) if m["n"][0].isdigit() else Decimal(_int(m["n"]))
        weekly = uses * 7 if re.fullmatch(_A_DAY, m["per"]) else uses
        # The average day, rounded down to a thousandth of a mg (an average of "about").
        daily = (amount * weekly / 7).quantize(Decimal("0.001"), rounding="ROUND_DOWN")
        if daily <= 0:
            raise TaperError(f"{tail.strip()!r} averages to no dose at all; check the use.")
        return Regimen(daily.normalize(), (), None, as_needed=True, uses_per_week=weekly)
    if _AS_NEEDED_ANY.search(text):
        raise TaperError(
            f"How much {drug} is taken as needed, and how often? Write it as "
            f"'{drug} 10 mg as needed, about 3 times a week' with the real dose and use."
        )
    return None


def describe(times: tuple[tuple[str, Decimal], ...]) -> str:
    """ "morning 10 mg, midday 10 mg, evening 15 mg" (English; renderers translate times)."""
    from taper.dose import format_amount

    return ", ".join(f"{name} {format_amount(amount)} mg" for name, amount in times)
