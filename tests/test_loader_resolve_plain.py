"""The strict reader's shortcut for text scalars gives what the full YAML 1.2 rules give."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from taper.guideline import yamlstrict as y


def by_the_rules(value: str) -> Any:
    """`_resolve_plain` without the shortcut: every rule in order."""
    if y._NULL.match(value):
        return None
    if value in y._BOOL:
        return y._BOOL[value]
    if y._INT.match(value):
        return int(value)
    if y._INT_OCT.match(value):
        return int(value[2:], 8)
    if y._INT_HEX.match(value):
        return int(value[2:], 16)
    if y._FLOAT.match(value):
        return Decimal(value)
    if y._INF.match(value):
        return Decimal("-Infinity") if value.startswith("-") else Decimal("Infinity")
    if y._NAN.match(value):
        return Decimal("NaN")
    return value


PLAIN_CHARS = st.sampled_from("~nNtTfFoxXeE-+._0123456789abcdlruyAÅå ")


@given(st.text(PLAIN_CHARS, max_size=8) | st.text(max_size=8))
@example("")
@example("~")
@example(".nan")
@example("-.inf")
@example("0o17")
@example("0x1F")
@example("1e3")
@example("NO")
@example("n")
@example("\n")  # found by hypothesis: `$` matched before the newline
@example("12\n")
def test_shortcut_matches_the_rules(value: str) -> None:
    got, want = y._resolve_plain(value), by_the_rules(value)
    assert type(got) is type(want)
    assert repr(got) == repr(want)
