"""The generated CLDR tables print dates and numbers exactly as Babel does, and are current.

`i18n.format_day` and `i18n.format_number` format from `taper/render/cldr_data.py` (generated
from Babel by `python -m taper.render.cldr`) so that a plan need not import Babel. These tests
check the committed tables against the installed Babel, compare the table formatters with
Babel's own calls over every date a `date` can hold and over decimals of all shapes, check that
what lies outside the tables' domain still goes to Babel, and that a text plan loads no Babel.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import subprocess
import sys
from decimal import Decimal

import pytest
from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal
from hypothesis import example, given, settings
from hypothesis import strategies as st

from taper.render import cldr, cldr_data, i18n

LOCALES = cldr.LOCALES
KINDS = cldr.DATE_KINDS


def babel_day(locale: str, kind: str, day: dt.date) -> str:
    if kind == i18n.LONG_DATE:
        return str(format_date(day, "long", locale=locale))
    return str(format_skeleton(kind, day, locale=locale))


def babel_number(locale: str, value: Decimal) -> str:
    plain = i18n._plain(value)
    return str(format_decimal(plain, locale=locale, decimal_quantization=False))


# -- the committed file is what the generator makes now ----------------------------------------
def test_committed_tables_are_what_the_generator_makes_from_installed_babel() -> None:
    expected = cldr.source(cldr.tables())
    committed = cldr.OUTPUT.read_text(encoding="utf-8")
    assert committed == expected, (
        "taper/render/cldr_data.py is not what the installed Babel gives: run "
        "`.venv/bin/python -m taper.render.cldr`, then review every golden file under "
        "tests/golden (pytest) for changed dates or numbers before committing."
    )


def test_tables_match_the_locales_i18n_uses() -> None:
    assert set(i18n.LOCALES) == set(LOCALES)
    assert set(cldr_data.DATE_PATTERNS) == set(LOCALES)
    for locale in LOCALES:
        assert set(cldr_data.DATE_PATTERNS[locale]) == set(KINDS)


def test_generator_refuses_a_field_it_cannot_compute() -> None:
    for pattern in ("d MMMM y G", "EEEEE d. MMMM", "h:mm a", "d MMMMM", "QQQ y", "ccccc"):
        with pytest.raises(ValueError, match="is not one the table formatter computes"):
            cldr.pattern_tokens(pattern)
    assert cldr.pattern_tokens("d. 'den' MMMM") == (
        ("field", "d"),
        ("chars", ". "),
        ("chars", "den "),  # quoted text, split where Babel's tokeniser splits it
        ("field", "MMMM"),
    )


def test_generated_source_keeps_invisible_characters_visible() -> None:
    assert cldr.string_literal('1\u00a0234 \u2212"q"\\') == '"1\\u00a0234 \u2212\\"q\\"\\\\"'


# -- dates -------------------------------------------------------------------------------------
all_days = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))


@settings(max_examples=400, deadline=None)
@given(locale=st.sampled_from(LOCALES), kind=st.sampled_from(KINDS), day=all_days)
@example(locale="en_GB", kind="Md", day=dt.date(1, 1, 1))
@example(locale="sv_SE", kind=i18n.LONG_DATE, day=dt.date(9999, 12, 31))
@example(locale="nb_NO", kind="yMMM", day=dt.date(10, 10, 10))
def test_table_dates_equal_babel(locale: str, kind: str, day: dt.date) -> None:
    text = i18n._table_day(locale, kind, day)
    assert text is not None
    assert text == babel_day(locale, kind, day)
    assert i18n.format_day(locale, kind, day) == text


def test_every_month_and_weekday_equals_babel() -> None:
    """Each name in the tables, once: twelve months and a week in every locale and kind."""
    days = [dt.date(2027, month, 1) for month in range(1, 13)]
    days += [dt.date(2027, 3, 1) + dt.timedelta(days=n) for n in range(7)]
    for locale in LOCALES:
        for kind in KINDS:
            for day in days:
                assert i18n._table_day(locale, kind, day) == babel_day(locale, kind, day)


@pytest.mark.parametrize(
    ("locale", "kind"),
    [("fi_FI", i18n.LONG_DATE), ("de_DE", "MMMMd"), ("sv_SE", "yMMMMEEEEd"), ("en_GB", "yQQQ")],
)
def test_dates_outside_the_tables_go_to_babel(locale: str, kind: str) -> None:
    day = dt.date(2027, 3, 4)
    assert i18n._table_day(locale, kind, day) is None
    assert i18n.format_day(locale, kind, day) == babel_day(locale, kind, day)


# -- numbers -----------------------------------------------------------------------------------
def decimals_of(digits: int, exponent: int, negative: bool) -> Decimal:
    return Decimal((int(negative), tuple(int(d) for d in str(digits)), exponent))


# Any sign, 1 to 28 digits, points anywhere from far left to far right of them; plus doses as
# the planner makes them and the classic awkward forms.
shaped = st.builds(
    decimals_of,
    digits=st.one_of(st.integers(0, 10**6), st.integers(0, 10**28 - 1)),
    exponent=st.integers(-30, 30),
    negative=st.booleans(),
)
decimals = st.one_of(
    shaped,
    st.decimals(min_value=-(10**6), max_value=10**6, places=3),
    st.sampled_from(
        [
            Decimal(s)
            for s in (
                "0", "-0", "0.00", "-0.000", "10", "100", "1000", "10000", "1000000", "1E+1",
                "1E+6", "-1000", "0.125", "2.50", "2.5", "-2.5", "0.001", "0.0001", "999.999",
                "1234567.891", "99999999999999999999999", "0.1234567890123456789012345678",
            )
        ]
    ),
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(locale=st.sampled_from(LOCALES), value=decimals)
def test_table_numbers_equal_babel(locale: str, value: Decimal) -> None:
    try:
        expected = babel_number(locale, value)
    except decimal.InvalidOperation:  # beyond 28 digits Babel (or _plain) gives up
        with pytest.raises(decimal.InvalidOperation):
            i18n.format_number(locale, value)
        return
    assert i18n.format_number(locale, value) == expected
    table = i18n._table_number(locale, i18n._plain(value))
    if table is not None:
        assert table == expected


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(
    "text", ["0", "-0", "10", "1000", "1000000", "0.125", "2.50", "-1234.5", "0.001"]
)
def test_everyday_numbers_come_from_the_tables(locale: str, text: str) -> None:
    value = Decimal(text)
    table = i18n._table_number(locale, i18n._plain(value))
    assert table is not None
    assert table == babel_number(locale, value)


def test_swedish_and_english_numbers_look_as_expected() -> None:
    assert i18n.format_number("sv_SE", Decimal("-1234567.50")) == "-1\u00a0234\u00a0567,5"
    assert i18n.format_number("en_GB", Decimal("1E+6")) == "1,000,000"
    assert i18n.format_number("nb_NO", Decimal("-0")) == "-0"


@pytest.mark.parametrize(
    "text",
    [
        "NaN", "-Infinity", "Infinity",  # not finite
        "1E-30", "0.00000000000000000000000000001",  # more than 28 places
        "12345678901234567890123456.5",  # more than 28 digits written with 3 places
        "99999999999999999999999999",
    ],
)  # fmt: skip
@pytest.mark.parametrize("locale", LOCALES)
def test_numbers_outside_the_domain_go_to_babel(locale: str, text: str) -> None:
    value = Decimal(text)
    plain = i18n._plain(value)
    assert i18n._table_number(locale, plain) is None
    try:
        expected = babel_number(locale, value)
    except decimal.InvalidOperation:
        with pytest.raises(decimal.InvalidOperation):
            i18n.format_number(locale, value)
    else:
        assert i18n.format_number(locale, value) == expected


def test_unknown_locale_and_narrow_context_go_to_babel() -> None:
    value = Decimal("1234.5")
    assert i18n._table_number("de_DE", value) is None
    assert i18n.format_number("de_DE", value) == babel_number("de_DE", value) == "1.234,5"
    with decimal.localcontext() as narrow:
        narrow.prec = 4  # Babel's quantize to 3 places needs more than 4 digits for 12.35
        assert i18n._table_number("en_GB", Decimal("1.5")) is None
        assert i18n.format_number("en_GB", Decimal("1.5")) == babel_number("en_GB", Decimal("1.5"))
        with pytest.raises(decimal.InvalidOperation):
            babel_number("en_GB", Decimal("12.35"))
        with pytest.raises(decimal.InvalidOperation):
            i18n.format_number("en_GB", Decimal("12.35"))


def test_only_plain_forms_are_taken_from_the_tables() -> None:
    assert i18n._table_number("en_GB", Decimal("2.50")) is None
    assert i18n._table_number("en_GB", Decimal("1E+1")) is None


# -- start-up ----------------------------------------------------------------------------------
PROBE = """
import json, sys
from taper.cli import main
try:
    main(["plan", "-g", "se-vgr", "--med", "oxazepam 30 mg", "--start", "2026-01-05"]
         + sys.argv[1:])
except SystemExit as exc:
    assert not exc.code, exc.code
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


@pytest.mark.parametrize("lang", [[], ["--lang", "nb"]])
def test_a_text_plan_does_not_import_babel(lang: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *lang], capture_output=True, text=True, check=True
    )
    assert "Trinn" in result.stdout or "Steg" in result.stdout  # the plan itself, in text
    modules = set(json.loads(result.stderr.strip().splitlines()[-1]))
    assert "taper.render.cldr_data" in modules
    assert not {m for m in modules if m == "babel" or m.startswith("babel.")}


@pytest.mark.parametrize("lang", ["sv", "nb", "en"])
def test_the_printed_sheet_does_not_import_babel(lang: str) -> None:
    """The sheet's short dates ("4 mars", `Texts.short_day_month`, skeleton MMMd) come from the
    tables too: they went to Babel, ~40 ms of CPU to import it and load the locale."""
    args = ["--format", "html", "--lang", lang]
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True
    )
    assert result.stdout.startswith("<!DOCTYPE html>")
    modules = set(json.loads(result.stderr.strip().splitlines()[-1]))
    assert not {m for m in modules if m == "babel" or m.startswith("babel.")}
