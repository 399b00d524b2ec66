"""Patient-facing words, numbers and dates in the reader's language.

Words come from gettext catalogs (`locales/<lang>/LC_MESSAGES/taper.po`, English text as the
msgid, compiled `.mo` committed beside them; `python -m taper.render.catalogs compile` rebuilds
them and a test checks they are current). Numbers and dates are formatted from `Decimal` and
`date` only: "2,5 mg" and "4 mars 2027" in Swedish, "4. mars 2027" in Norwegian Bokmål,
"4 March 2027" in English (British conventions: day before month). They print as Babel prints
them, from CLDR tables generated from Babel (`cldr_data.py`, by `python -m taper.render.cldr`)
so that a plan need not import Babel and load its locale data (~20 ms); Babel itself formats
only what lies outside the tables' proven domain (see `format_day` and `format_number`).
"""

from __future__ import annotations

import datetime as dt
import gettext
import re
from decimal import Decimal, getcontext
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar, get_args

from taper.errors import TaperError

if TYPE_CHECKING:
    from babel import Locale

    from taper.render.cldr_data import DecimalFormat

Lang = Literal["sv", "nb", "en"]
LANGUAGES: tuple[Lang, ...] = get_args(Lang)
LOCALES_DIR = Path(__file__).resolve().parent / "locales"
DOMAIN = "taper"
_Key = TypeVar("_Key")
_Value = TypeVar("_Value")

# Babel locale per language: English as written in Europe (4 March 2027, not March 4).
_BABEL_LOCALE: dict[Lang, str] = {"sv": "sv_SE", "nb": "nb_NO", "en": "en_GB"}
# A language whose rule file's country writes it its own way: English for a US rule file is
# American English (September 20, 2026; 9/20), not British (nurse review 7: "11/01" read as
# November 1). Chosen by the rule file's `country`, so any US rule file gets it.
_REGIONAL_LOCALE: dict[tuple[Lang, str], str] = {("en", "US"): "en_US"}
LOCALES: tuple[str, ...] = (*_BABEL_LOCALE.values(), *_REGIONAL_LOCALE.values())

# The English catalog's British words, as American English writes them: applied to the
# English msgid (the template, before its values are filled in), so a product name or a
# rule file's text in a placeholder stays exactly as written.
_AMERICAN_WORDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(british), american)
    for british, american in (
        # "300 mg acetaminophen (paracetamol)" names the US ingredient for a European reader
        (r" \(paracetamol\)", ""),
        (r"\bparacetamol\b", "acetaminophen"),
        (r"\bParacetamol\b", "Acetaminophen"),
        (r"\bstabilisation\b", "stabilization"),
        (r"\bTick your doses\b", "Check off your doses"),
        (r"\btick calendar\b", "check-off calendar"),
        (r"\btick the box\b", "check the box"),
        (r"\btick\b", "check off"),
        (r"\bTick\b", "Check off"),
    )
)

# Tablet fractions people read at a glance; anything else is printed as a decimal number.
_FRACTIONS: dict[Decimal, str] = {
    Decimal("0.25"): "¼",
    Decimal("0.5"): "½",
    Decimal("0.75"): "¾",
}


def check_lang(lang: str) -> Lang:
    """The language code as a `Lang`, or a clear error for anything else."""
    for known in LANGUAGES:
        if lang == known:
            return known
    raise TaperError(f"Unknown language {lang!r}; choose one of: {', '.join(LANGUAGES)}.")


@cache
def translations(lang: Lang) -> gettext.NullTranslations:
    """The compiled catalog for `lang` (English needs none: the msgids are English)."""
    if lang == "en":
        return gettext.NullTranslations()
    path = LOCALES_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
    with path.open("rb") as handle:
        return gettext.GNUTranslations(handle)


# Formatted numbers and dates kept per language and kind: a batch formats the same few thousand
# dates and doses over and over (2-20 µs each, tables or Babel). Bounded so that a long-running
# process cannot grow without limit; past it, the memo simply starts again. What it saves
# (2026-12-03, paired whole-process runs, medians of CPU time): a 1,000-patient text batch
# 4.59 s with the memo, 6.01 s without (0.76x); nothing measurable on one plan (0.96x).
MEMO_LIMIT = 20_000


class Texts:
    """Everything language-dependent a renderer needs, for one language."""

    def __init__(self, lang: Lang, country: str | None = None) -> None:
        self.lang: Lang = lang
        regional = _REGIONAL_LOCALE.get((lang, country or ""))
        self.locale = regional or _BABEL_LOCALE[lang]
        self.catalog = translations(lang)
        self._american = regional == "en_US"
        self._words: dict[str, str] = {}
        self._numbers: dict[tuple[Decimal, bool], str] = {}
        self._amounts: dict[tuple[Decimal, bool, str], str] = {}
        self._dates: dict[tuple[str, dt.date], str] = {}

    # -- words -------------------------------------------------------------------------------
    def _(self, msgid: str, **values: object) -> str:
        """Translate `msgid`; fill `%(name)s` placeholders from `values`."""
        text = self.template(msgid)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> str:
        text = self.plural_template(singular, plural, n)
        return text % {"num": n, **values}

    def template(self, msgid: str) -> str:
        """`msgid` translated, its placeholders not yet filled (the templates' gettext)."""
        return self._regional(self.catalog.gettext(msgid))

    def plural_template(self, singular: str, plural: str, n: int) -> str:
        return self._regional(self.catalog.ngettext(singular, plural, n))

    def _regional(self, text: str) -> str:
        """The catalog's words as the reader's country writes them (American English)."""
        if not self._american:
            return text
        said = self._words.get(text)
        if said is None:
            said = text
            for british, american in _AMERICAN_WORDS:
                said = british.sub(american, said)
            self._words[text] = said
        return said

    def has(self, msgid: str) -> bool:
        """Whether the catalog translates `msgid` (English always does)."""
        return self.lang == "en" or self.catalog.gettext(msgid) != msgid

    # -- numbers -----------------------------------------------------------------------------
    def number(self, value: Decimal) -> str:
        """An exact decimal in the reader's convention: 2,5 (sv, nb) or 2.5 (en)."""
        if not value.is_finite():  # NaN never equals itself: a memo would only grow
            return format_number(self.locale, value)
        # Equal decimals (2.5, 2.50) print alike; the sign tells 0 from -0, which do not.
        key = (value, value.is_signed())
        text = self._numbers.get(key)
        if text is None:
            text = format_number(self.locale, value)
            remember(self._numbers, key, text)
        return text

    def amount(self, value: Decimal, unit: str) -> str:
        if not value.is_finite():
            return f"{self.number(value)} {unit}"
        key = (value, value.is_signed(), unit)
        text = self._amounts.get(key)
        if text is None:
            text = f"{self.number(value)} {unit}"
            remember(self._amounts, key, text)
        return text

    def count(self, value: Decimal) -> str:
        """A tablet count: 1½, ½, ¼, 2 — or a decimal where no common fraction fits."""
        whole = int(value)  # counts are never negative: int() is floor here
        rest = value - whole
        if rest == 0:
            return str(whole)
        if rest in _FRACTIONS:
            return (str(whole) if whole else "") + _FRACTIONS[rest]
        return self.number(value)

    # -- dates -------------------------------------------------------------------------------
    def date(self, day: dt.date) -> str:
        """4 mars 2027 · 4. mars 2027 · 4 March 2027."""
        return self._formatted(LONG_DATE, day)

    def day_month(self, day: dt.date) -> str:
        """4 mars · 4. mars · 4 March."""
        return self._formatted("MMMMd", day)

    def short_day_month(self, day: dt.date) -> str:
        """4 mars · 4. mars · 4 Mar: the month abbreviated where the language does."""
        return self._formatted("MMMd", day)

    def short_date(self, day: dt.date) -> str:
        """4 mars 2027 · 4. mars 2027 · 4 Mar 2027 · Mar 4, 2027: a short date with its year."""
        return self._formatted("yMMMd", day)

    def hour(self, hour: int) -> str:
        """A whole hour of the day as the reader's clock writes it: "08", "16" (24-hour), or
        in American English "8 am", "noon", "4 pm" (12-hour; 24 is "midnight": "12 pm" and
        "12 am" are read either way, nurse review 9)."""
        if not self._american:
            return f"{hour:02d}"
        if hour % 12 == 0:
            return "noon" if hour == 12 else "midnight"
        twelve = hour % 12
        return f"{twelve} {'pm' if 12 <= hour < 24 else 'am'}"

    def numeric_day(self, day: dt.date) -> str:
        """22/3 · 22.3. · 22/03 — for narrow tick-box headers."""
        return self._formatted("Md", day)

    def weekday(self, day: dt.date) -> str:
        """mån · man. · Mon."""
        return self._formatted("E", day)

    def month_year(self, day: dt.date) -> str:
        return self._formatted("yMMM", day)

    def month(self, day: dt.date) -> str:
        return self._formatted("MMM", day)

    def date_range(self, start: dt.date, end: dt.date) -> str:
        """Both ends written out: the reader should never have to work a date out."""
        if start == end:
            return self.date(start)
        return f"{self.date(start)} – {self.date(end)}"

    def _formatted(self, skeleton: str, day: dt.date) -> str:
        key = (skeleton, day)
        text = self._dates.get(key)
        if text is None:
            text = format_day(self.locale, skeleton, day)
            remember(self._dates, key, text)
        return text


# The long date format ("4 March 2027"), as opposed to a skeleton such as "MMMd".
LONG_DATE = "long"


def format_day(locale: str, skeleton: str, day: dt.date) -> str:
    """A date, unmemoised: `LONG_DATE` or a CLDR skeleton, as Babel formats it.

    From the CLDR tables for the locales and kinds they hold (any `date`, years 1..9999: tests
    prove them equal to Babel over that range); from Babel for any other locale or skeleton.
    """
    text = _table_day(locale, skeleton, day)
    return text if text is not None else _babel_day(locale, skeleton, day)


def format_number(locale: str, value: Decimal) -> str:
    """An exact decimal, unmemoised, as Babel's `format_decimal(..., decimal_quantization=False)`
    formats it: from the CLDR tables within their domain (see `_table_number`), else Babel."""
    plain = _plain(value)
    text = _table_number(locale, plain)
    return text if text is not None else _babel_number(locale, plain)


def _table_day(locale: str, kind: str, day: dt.date) -> str | None:
    """The date from the generated tables; None when they do not hold this locale and kind."""
    from taper.render import cldr_data

    tokens = cldr_data.DATE_PATTERNS.get(locale, {}).get(kind)
    if tokens is None:
        return None
    months = cldr_data.MONTH_NAMES[locale]
    weekdays = cldr_data.WEEKDAY_NAMES[locale]
    parts = []
    for token, value in tokens:
        if token == "chars":
            parts.append(value)
        elif value in months:
            parts.append(months[value][day.month - 1])
        elif value in weekdays:
            parts.append(weekdays[value][day.weekday()])
        else:
            parts.append(_numeric_date_field(value, day))
    return "".join(parts)


def _numeric_date_field(field: str, day: dt.date) -> str:
    """A number field zero-padded to the field's width, as Babel's `'%0*d'` does."""
    width = len(field)
    if field[0] == "d":
        return f"{day.day:0{width}d}"
    if field[0] in "ML":
        return f"{day.month:0{width}d}"
    if field[0] == "y":
        year = f"{day.year:0{width}d}"
        return year[-2:] if width == 2 else year
    # The generator refuses patterns with any other field; reaching here is a bug.
    raise ValueError(f"no table formatting for date field {field!r}")


# Decimal's default precision. Within it, and within a context at least that wide, the
# normalize() and quantize() steps of Babel's format_decimal are exact, so the text is the
# number's own digits; past it Babel rounds or raises, and only Babel should decide how.
_EXACT_DIGITS = 28


def _table_number(locale: str, plain: Decimal) -> str | None:
    """`plain` (a `_plain` result) from the generated tables, or None outside their domain:
    an unknown locale, a non-finite value, or one Babel would write with more than 28 digits
    or places (with at least the pattern's 3 places; 1E-30, 10**27), or an unusual context."""
    from taper.render import cldr_data

    decimal_format = cldr_data.DECIMAL_FORMATS.get(locale)
    if decimal_format is None or not plain.is_finite():
        return None
    context = getcontext()
    wide = context.prec >= _EXACT_DIGITS and context.Emax >= _EXACT_DIGITS
    if not wide or context.Emin > -_EXACT_DIGITS:
        return None
    sign, digit_tuple, exponent = plain.as_tuple()
    assert isinstance(exponent, int)  # finite
    digits = "".join(map(str, digit_tuple))
    if exponent > 0 or (exponent < 0 and digits.endswith("0")):
        return None  # not a `_plain` form
    places = max(decimal_format["max_fraction_digits"], -exponent)
    written = 1 if plain.is_zero() else plain.adjusted() + 1 + places
    if written > _EXACT_DIGITS or places > _EXACT_DIGITS:
        return None
    point = len(digits) + exponent
    if point > 0:
        integer, fraction = digits[:point], digits[point:]
    else:
        integer, fraction = "0", "0" * -point + digits
    number = _grouped(integer, decimal_format)
    if fraction:
        number += decimal_format["decimal"] + fraction
    if sign:
        return decimal_format["negative_prefix"] + number + decimal_format["negative_suffix"]
    return decimal_format["positive_prefix"] + number + decimal_format["positive_suffix"]


def _grouped(integer: str, decimal_format: DecimalFormat) -> str:
    """Digits in groups from the right, first group primary-sized, then secondary (Babel's
    `NumberPattern._format_int`)."""
    size = decimal_format["primary_grouping"]
    groups = ""
    while len(integer) > size:
        groups = decimal_format["group"] + integer[-size:] + groups
        integer = integer[:-size]
        size = decimal_format["secondary_grouping"]
    return integer + groups


def _babel_day(locale: str, skeleton: str, day: dt.date) -> str:
    """A date through Babel: `LONG_DATE` or a CLDR skeleton."""
    if skeleton == LONG_DATE:
        from babel.dates import format_date

        return str(format_date(day, "long", locale=_babel_locale(locale)))
    from babel.dates import format_skeleton

    return str(format_skeleton(skeleton, day, locale=_babel_locale(locale)))


def _babel_number(locale: str, plain: Decimal) -> str:
    """A `_plain` decimal through Babel."""
    from babel.numbers import format_decimal

    return str(format_decimal(plain, locale=_babel_locale(locale), decimal_quantization=False))


@cache
def _babel_locale(locale: str) -> Locale:
    """The parsed Babel locale (Babel would otherwise parse the name on every call)."""
    from babel import Locale

    return Locale.parse(locale)


def remember(memo: dict[_Key, _Value], key: _Key, text: _Value) -> None:
    """Keep `text` under `key`, emptying the memo first when it is full."""
    if len(memo) >= MEMO_LIMIT:
        memo.clear()
    memo[key] = text


def _plain(value: Decimal) -> Decimal:
    """Drop trailing zeros, never into exponent form (Decimal('10').normalize() is 1E+1)."""
    normal = value.normalize()
    exponent = normal.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0:
        return normal.quantize(Decimal(1))
    return normal


@cache
def texts(lang: Lang, country: str | None = None) -> Texts:
    """The texts for `lang` as written in `country` (a rule file's country code), where that
    country writes the language its own way (`_REGIONAL_LOCALE`)."""
    return Texts(lang, country)
