"""The generated CLDR tables are what the installed Babel gives, and the generator is strict.

`taper/render/cldr_data.py` is generated from Babel by `python -m taper.render.cldr`.
"""

from __future__ import annotations

import pytest

from taper.render import cldr, cldr_data, i18n

LOCALES = cldr.LOCALES
KINDS = cldr.DATE_KINDS


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
    assert set(i18n._BABEL_LOCALE.values()) == set(LOCALES)
    assert set(cldr_data.DATE_PATTERNS) == set(LOCALES)
    for locale in LOCALES:
        assert set(cldr_data.DATE_PATTERNS[locale]) == set(KINDS)


def test_generator_refuses_a_field_it_cannot_compute() -> None:
    for pattern in ("d MMMM y G", "EEEEEE d. MMMM", "h:mm a", "d MMMMM", "QQQ y", "ccccc"):
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
