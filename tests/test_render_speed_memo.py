"""The renderers' memoised numbers and dates equal what Babel formats afresh, call by call.

`Texts` keeps what it has formatted per language (a batch formats the same dates and doses
thousands of times). These properties compare it with the plain Babel calls the renderers
made before the memo, with the locale given by name, over many dates, numbers and languages:
first use, repeated use, and use after the memo has been cleared for being full.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

from taper.plan.model import TabletCount
from taper.render import i18n
from taper.render.dose_text import tablet_text
from taper.render.i18n import LANGUAGES, Lang, Texts

LOCALE = {"sv": "sv_SE", "nb": "nb_NO", "en": "en_GB"}
SKELETONS = {
    "day_month": "MMMMd",
    "numeric_day": "Md",
    "weekday": "E",
    "month_year": "yMMM",
    "month": "MMM",
}

langs = st.sampled_from(LANGUAGES)
days = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2300, 12, 31))
# Doses, strengths and counts as the planner makes them, and the awkward ones: trailing
# zeros (2.50), exponents (1E+1), zero with a sign, many places.
decimals = st.one_of(
    st.decimals(min_value=-1000, max_value=100000, allow_nan=False, allow_infinity=False),
    st.decimals(min_value=0, max_value=1000, places=3),
    st.sampled_from([Decimal(s) for s in ("0", "-0", "0.00", "1E+1", "10", "2.50", "0.125")]),
)


def babel_number(lang: str, value: Decimal) -> str:
    """The renderers' number before the memo: Babel with the locale by name."""
    plain = i18n._plain(value)
    return str(format_decimal(plain, locale=LOCALE[lang], decimal_quantization=False))


def babel_dates(lang: str, day: dt.date) -> dict[str, str]:
    out = {"date": str(format_date(day, "long", locale=LOCALE[lang]))}
    for name, skeleton in SKELETONS.items():
        out[name] = str(format_skeleton(skeleton, day, locale=LOCALE[lang]))
    return out


def memo_dates(t: Texts, day: dt.date) -> dict[str, str]:
    return {
        "date": t.date(day),
        "day_month": t.day_month(day),
        "numeric_day": t.numeric_day(day),
        "weekday": t.weekday(day),
        "month_year": t.month_year(day),
        "month": t.month(day),
    }


@settings(max_examples=300, deadline=None)
@given(lang=langs, batch=st.lists(days, min_size=1, max_size=30))
def test_memoised_dates_equal_fresh_babel(lang: Lang, batch: list[dt.date]) -> None:
    t = i18n.texts(lang)  # the shared instance, with whatever earlier examples left in it
    for day in [*batch, *reversed(batch)]:  # every day twice: a miss, then a hit
        assert memo_dates(t, day) == babel_dates(lang, day)


@settings(max_examples=300, deadline=None)
@given(lang=langs, batch=st.lists(decimals, min_size=1, max_size=30))
def test_memoised_numbers_equal_fresh_babel(lang: Lang, batch: list[Decimal]) -> None:
    t = i18n.texts(lang)
    for value in [*batch, *reversed(batch)]:
        assert t.number(value) == babel_number(lang, value)
        assert t.amount(value, "mg") == f"{babel_number(lang, value)} mg"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_equal_decimals_of_another_form_share_one_text(lang: Lang) -> None:
    t = Texts(lang)
    assert (
        t.number(Decimal("2.5")) == t.number(Decimal("2.50")) == babel_number(lang, Decimal("2.5"))
    )
    assert t.number(Decimal("0")) == babel_number(lang, Decimal("0"))
    assert t.number(Decimal("-0")) == babel_number(lang, Decimal("-0"))  # asked after 0
    assert t.number(Decimal("NaN")) == babel_number(lang, Decimal("NaN"))
    assert len(t._numbers) == 3  # 2.5, 0 and -0; NaN is never kept


def test_a_full_memo_starts_again_and_stays_right(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(i18n, "MEMO_LIMIT", 5)
    t = Texts("nb")
    start = dt.date(2026, 12, 25)
    for n in range(40):
        day = start + dt.timedelta(days=n)
        assert memo_dates(t, day) == babel_dates("nb", day)
        assert t.number(Decimal(n) / 4) == babel_number("nb", Decimal(n) / 4)
        assert len(t._dates) <= 5
        assert len(t._numbers) <= 5


def babel_tablet(lang: str, tablet: TabletCount) -> str:
    """A tablet's text before the memo, from Babel and the fraction table."""
    whole = int(tablet.count)
    rest = tablet.count - whole
    if rest == 0:
        count = str(whole)
    elif rest in {Decimal("0.25"), Decimal("0.5"), Decimal("0.75")}:
        count = (str(whole) if whole else "") + {0.25: "¼", 0.5: "½", 0.75: "¾"}[float(rest)]
    else:
        count = babel_number(lang, tablet.count)
    return f"{count} × {tablet.brand} {babel_number(lang, tablet.strength)} {tablet.unit}"


tablets = st.builds(
    TabletCount,
    brand=st.sampled_from(["Sobril", "Stesolid", "Xanor Depot", "OxyContin"]),
    strength=st.one_of(
        st.decimals(min_value=-5, max_value=200, places=2),
        st.sampled_from([Decimal(s) for s in ("0", "-0", "10", "10.0", "1E+1", "2.5")]),
    ),
    unit=st.sampled_from(["mg", "mcg/h"]),
    count=st.one_of(
        st.decimals(min_value=0, max_value=8, places=3),
        st.sampled_from([Decimal(s) for s in ("0.5", "0.50", "1.25", "-0", "2")]),
    ),
    modified_release=st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(lang=langs, batch=st.lists(tablets, min_size=1, max_size=20))
def test_memoised_tablet_texts_equal_fresh_babel(lang: Lang, batch: list[TabletCount]) -> None:
    t = i18n.texts(lang)
    for tablet in [*batch, *reversed(batch)]:
        assert tablet_text(t, tablet) == babel_tablet(lang, tablet)
