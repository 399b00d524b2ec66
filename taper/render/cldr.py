"""Generate `cldr_data.py`: the CLDR date patterns, names and number format taper prints with.

    python -m taper.render.cldr          # rewrite taper/render/cldr_data.py from installed Babel

Babel takes time to import and load its locale data, which a one-patient text plan spends on
a handful of dates and doses: measured 2026-12-03 (paired whole-process runs, medians of CPU
time on a shared 2-core machine), `taper plan --format text --lang sv` 407 ms with the tables,
530 ms with Babel (0.80x, ~120 ms); a 1,000-patient text batch 4.22 s against 4.61 s (0.93x).
Kept: it pays on every one-patient text plan. The run-time formatter in `i18n` reads these
tables instead; `tests/test_cldr_tables.py` proves it equal to Babel and checks the committed
file is what this generator makes now. Everything here asks Babel the way Babel's own
formatting calls do
(`format_date(day, "long")`, `format_skeleton`, `format_decimal`), and refuses any pattern
field or number pattern feature it was not written for rather than guess.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

# Babel locale per taper language, and the regional ones (`i18n.LOCALES` holds the same).
LOCALES = ("sv_SE", "nb_NO", "en_GB", "en_US")
LONG_DATE = "long"
# The date kinds the renderers ask for: the long date format and these CLDR skeletons.
DATE_KINDS = (LONG_DATE, "MMMMd", "MMMd", "yMMMd", "Md", "E", "yMMM", "MMM")
OUTPUT = Path(__file__).resolve().parent / "cldr_data.py"

# Pattern fields the run-time formatter computes itself, as letter -> widths.
NUMERIC_FIELDS = {"d": (1, 2), "M": (1, 2), "L": (1, 2), "y": (1, 2, 3, 4)}
MONTH_NAME_FIELDS = {"M": (3, 4), "L": (3, 4)}
WEEKDAY_NAME_FIELDS = {"E": (1, 2, 3, 4, 6), "c": (3, 4, 6)}

# A Monday: weekday names are listed Monday first, as `date.weekday()` counts.
_MONDAY = dt.date(2001, 1, 1)


def resolved_pattern(locale: str, kind: str) -> str:
    """The CLDR pattern Babel formats `kind` with, resolved exactly as Babel resolves it."""
    from babel import Locale
    from babel.dates import get_date_format, match_skeleton

    parsed = Locale.parse(locale)
    if kind == LONG_DATE:
        return str(get_date_format("long", locale=parsed).pattern)
    # What `format_skeleton(kind, ..., fuzzy=True)` does before formatting.
    skeleton: str | None = kind
    if kind not in parsed.datetime_skeletons:
        skeleton = match_skeleton(kind, parsed.datetime_skeletons)
    if skeleton is None:
        raise ValueError(f"{locale}: Babel has no pattern for skeleton {kind!r}")
    return str(parsed.datetime_skeletons[skeleton].pattern)


def pattern_tokens(pattern: str) -> tuple[tuple[str, str], ...]:
    """The pattern as ("chars", literal) and ("field", letters) tokens, by Babel's tokeniser;
    a field the run-time formatter cannot compute is an error, not a guess."""
    from babel.dates import tokenize_pattern

    tokens: list[tuple[str, str]] = []
    for kind, value in tokenize_pattern(pattern):
        if kind == "chars":
            assert isinstance(value, str)
            tokens.append(("chars", value))
            continue
        if kind != "field":
            raise ValueError(f"pattern {pattern!r}: unknown token type {kind!r}")
        assert isinstance(value, tuple)
        letter, width = value
        if not any(
            width in fields.get(letter, ())
            for fields in (NUMERIC_FIELDS, MONTH_NAME_FIELDS, WEEKDAY_NAME_FIELDS)
        ):
            raise ValueError(
                f"pattern {pattern!r}: field {letter * width!r} is not one the table formatter"
                " computes; extend taper.render.cldr and i18n for it, or keep Babel"
            )
        tokens.append(("field", letter * width))
    return tuple(tokens)


def is_month_name(field: str) -> bool:
    return len(field) in MONTH_NAME_FIELDS.get(field[0], ())


def is_weekday_name(field: str) -> bool:
    return len(field) in WEEKDAY_NAME_FIELDS.get(field[0], ())


def field_values(locale: str, field: str, days: list[dt.date]) -> tuple[str, ...]:
    """What Babel prints for `field` on each of `days`."""
    from babel.dates import DateTimeFormat

    return tuple(str(DateTimeFormat(day, locale)[field]) for day in days)


def decimal_format(locale: str) -> dict[str, Any]:
    """What `format_decimal(value, locale, decimal_quantization=False)` needs from the locale:
    the pattern's sign prefixes/suffixes and grouping, and the decimal and group symbols."""
    from babel import Locale
    from babel.numbers import get_decimal_symbol, get_group_symbol

    parsed = Locale.parse(locale)
    pattern = parsed.decimal_formats[None]
    # The table formatter knows plain "#,##0.###"-like patterns only.
    decimal, group = get_decimal_symbol(parsed), get_group_symbol(parsed)
    # Babel strips single quotes from the finished number, symbols included.
    literal_text = "".join((*pattern.prefix, *pattern.suffix, decimal, group))
    unsupported = {
        "scientific notation": pattern.exp_prec is not None,
        "significant digits": "@" in pattern.pattern,
        "percent or per mille scaling": pattern.scale != 0,
        "quoted or currency text": any(c in literal_text for c in "'¤%‰"),
        "no number part": not pattern.number_pattern,
        "minimum integer digits other than 1": pattern.int_prec[0] != 1,
        "minimum fraction digits": pattern.frac_prec[0] != 0,
    }
    found = [name for name, present in unsupported.items() if present]
    if found:
        raise ValueError(f"{locale}: decimal pattern {pattern.pattern!r} has {', '.join(found)}")
    return {
        "positive_prefix": pattern.prefix[0],
        "positive_suffix": pattern.suffix[0],
        "negative_prefix": pattern.prefix[1],
        "negative_suffix": pattern.suffix[1],
        "decimal": decimal,
        "group": group,
        "primary_grouping": pattern.grouping[0],
        "secondary_grouping": pattern.grouping[1],
        "max_fraction_digits": pattern.frac_prec[1],
    }


def tables() -> dict[str, Any]:
    """Everything `cldr_data.py` holds, asked of the installed Babel."""
    import babel
    from babel.core import get_cldr_version

    months = [dt.date(2001, month, 1) for month in range(1, 13)]
    weekdays = [_MONDAY + dt.timedelta(days=n) for n in range(7)]
    patterns: dict[str, dict[str, tuple[tuple[str, str], ...]]] = {}
    month_names: dict[str, dict[str, tuple[str, ...]]] = {}
    weekday_names: dict[str, dict[str, tuple[str, ...]]] = {}
    for locale in LOCALES:
        patterns[locale] = {}
        month_names[locale] = {}
        weekday_names[locale] = {}
        for kind in DATE_KINDS:
            tokens = pattern_tokens(resolved_pattern(locale, kind))
            patterns[locale][kind] = tokens
            for token_kind, field in tokens:
                if token_kind != "field":
                    continue
                if is_month_name(field):
                    month_names[locale][field] = field_values(locale, field, months)
                elif is_weekday_name(field):
                    weekday_names[locale][field] = field_values(locale, field, weekdays)
        month_names[locale] = dict(sorted(month_names[locale].items()))
        weekday_names[locale] = dict(sorted(weekday_names[locale].items()))
    return {
        "babel_version": babel.__version__,
        "cldr_version": get_cldr_version(),
        "date_patterns": patterns,
        "month_names": month_names,
        "weekday_names": weekday_names,
        "decimal_formats": {locale: decimal_format(locale) for locale in LOCALES},
    }


# -- writing Python source that `ruff format` leaves as it is ----------------------------------
_INDENT = "    "


def literal(value: object, depth: int = 0) -> str:
    """`value` as Python source: containers one item a line with a trailing comma (so ruff
    keeps them expanded), except short tuples of scalars, kept on one line."""
    if isinstance(value, str):
        return string_literal(value)
    if isinstance(value, bool) or not isinstance(value, int | tuple | dict):
        raise TypeError(f"no literal for {value!r}")
    if isinstance(value, int):
        return str(value)
    inner = _INDENT * (depth + 1)
    if isinstance(value, dict):
        items = [f"{inner}{literal(k)}: {literal(v, depth + 1)}," for k, v in value.items()]
        return "{\n" + "\n".join(items) + "\n" + _INDENT * depth + "}"
    if all(isinstance(item, str) for item in value) and len(value) == 2:
        return "(" + ", ".join(literal(item) for item in value) + ")"
    if len(value) == 1:  # its comma makes the tuple, so ruff does not keep it expanded
        return "(" + literal(value[0], depth) + ",)"
    items = [f"{inner}{literal(item, depth + 1)}," for item in value]
    return "(\n" + "\n".join(items) + "\n" + _INDENT * depth + ")"


def string_literal(text: str) -> str:
    """A double-quoted literal; invisible characters (U+00A0 and the like) as escapes."""
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif char == " " or char.isprintable():
            out.append(char)
        else:
            out.append(f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}")
    return '"' + "".join(out) + '"'


def source(data: dict[str, Any]) -> str:
    """The text of `cldr_data.py`."""
    versions = f"Babel {data['babel_version']} (CLDR {data['cldr_version']})"
    return f'''"""CLDR tables for taper's locales. GENERATED from {versions}; do not edit.

Regenerate with `python -m taper.render.cldr` after upgrading Babel, then review the golden
files (tests/golden) for any change in how dates and numbers print.
"""

from typing import TypedDict

BABEL_VERSION = {literal(data["babel_version"])}
CLDR_VERSION = {literal(data["cldr_version"])}

# Per locale and date kind ("long", or a CLDR skeleton): the pattern Babel formats it with,
# as ("chars", literal text) and ("field", pattern letters) tokens.
DATE_PATTERNS: dict[str, dict[str, tuple[tuple[str, str], ...]]] = {literal(data["date_patterns"])}

# Per locale and name field: Babel's text for January..December.
MONTH_NAMES: dict[str, dict[str, tuple[str, ...]]] = {literal(data["month_names"])}

# Per locale and name field: Babel's text for Monday..Sunday (as `date.weekday()` counts).
WEEKDAY_NAMES: dict[str, dict[str, tuple[str, ...]]] = {literal(data["weekday_names"])}


class DecimalFormat(TypedDict):
    """A locale's decimal pattern (sign affixes, grouping sizes) and symbols."""

    positive_prefix: str
    positive_suffix: str
    negative_prefix: str
    negative_suffix: str
    decimal: str
    group: str
    primary_grouping: int
    secondary_grouping: int
    max_fraction_digits: int


DECIMAL_FORMATS: dict[str, DecimalFormat] = {literal(data["decimal_formats"])}
'''


def main() -> int:
    OUTPUT.write_text(source(tables()), encoding="utf-8")
    print(f"wrote {OUTPUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
