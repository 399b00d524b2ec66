"""Measuring text on the printed page: how wide a word is in the sheet's font, and how text
holds together across lines.

DejaVu Sans's advance widths by kind of character give the least percent of the page a column
needs for its longest unbreakable piece at 14 pt (a word that does not fit is what makes
Chromium shrink the page); no-break spaces hold a dose part ("1 × 10 mg") or a number and its
unit together. The overview, the tick calendar and the dispensing table size their columns
from it, and so does the landscape diary (`diary_widths`). Nothing here computes a dose.
"""

from __future__ import annotations

import re
from decimal import Decimal

# A4 less the margins, in CSS px; 14 pt in CSS px; a cell's padding and borders.
_PAGE_PX = Decimal(688)
_EM_PX = Decimal("18.67")
_CELL_PX = Decimal(10)  # 2 × 1 mm padding and a 1.5 px border
# Advance widths in em of DejaVu Sans (the sheet's font), by kind of character, rounded up:
# (regular, bold). A dose cell is regular, the dates and the head bold.
_DIGIT = (Decimal("0.64"), Decimal("0.70"))
_SPACE = (Decimal("0.32"), Decimal("0.35"))
_LOWER = (Decimal("0.62"), Decimal("0.69"))
_UPPER = (Decimal("0.72"), Decimal("0.80"))
_NARROW = (Decimal("0.40"), Decimal("0.45"))  # . , : ; ( ) / – i l j t r
_WIDE = (Decimal("0.84"), Decimal("0.84"))  # × + = ½
_WIDEST = (Decimal("1.00"), Decimal("1.06"))  # m w M W
_OTHER = (Decimal("0.75"), Decimal("0.85"))


def _char_em(char: str, bold: bool) -> Decimal:
    pick = 1 if bold else 0
    if char.isdigit():
        return _DIGIT[pick]
    if char in " \u00a0":
        return _SPACE[pick]
    if char in ".,:;()/–-iljtrf'":
        return _NARROW[pick]
    if char in "×+=½¼¾":
        return _WIDE[pick]
    if char in "mwMW":
        return _WIDEST[pick]
    if char.islower():
        return _LOWER[pick]
    if char.isupper():
        return _UPPER[pick]
    return _OTHER[pick]


def least_percent(texts: list[str], bold: bool = True) -> Decimal:
    """Percent of the page for the longest unbreakable piece (split at ordinary spaces
    only: a no-break space holds a dose part together), at 14 pt."""
    longest = max(
        (
            sum((_char_em(c, bold) for c in word), Decimal(0))
            for t in texts
            for word in t.split(" ")
        ),
        default=Decimal(1),
    )
    return ((longest * _EM_PX + _CELL_PX) * 100 / _PAGE_PX).quantize(Decimal("0.1"))


def text_percent(text: str, bold: bool = False) -> Decimal:
    """Percent of the page a text takes on one line, at 14 pt, with its cell's padding."""
    em = sum((_char_em(c, bold) for c in text), Decimal(0))
    return ((em * _EM_PX + _CELL_PX) * 100 / _PAGE_PX).quantize(Decimal("0.1"))


def wrapped_lines(text: str, room: Decimal) -> int:
    """The lines a text takes in a column `room` percent wide, broken at its spaces."""
    lines, line = 1, ""
    for word in text.split(" "):
        longer = f"{line} {word}" if line else word
        if line and text_percent(longer) > room:
            lines, line = lines + 1, word
        else:
            line = longer
    return lines


def diary_widths(columns: list[list[str]]) -> list[str]:
    """The landscape diary's column widths in percent (the day, each time, the notes): each
    at least its longest word ("Eftermiddag", "Anteckningar" broke mid-word in equal
    columns), the times' columns alike; what is left goes to the columns written in."""
    landscape = Decimal(269) / Decimal(182)  # the landscape content width over the portrait
    padding = Decimal(1)  # the diary's 1.5 mm side padding and thicker border, in percent
    need = [least_percent(texts) / landscape + padding for texts in columns]
    # The boxes to write in as wide as each other: each time's column as wide as the widest.
    need[1:-1] = [max(need[1:-1])] * (len(need) - 2)
    need[-1] = max(need[-1], Decimal(20))  # the notes: room for a sentence a day
    share = max(Decimal(0), 100 - sum(need, Decimal(0))) / (len(need) - 1)
    widths = need[:1] + [n + share for n in need[1:]]
    return [str(w.quantize(Decimal("0.1"))) for w in widths]


NBSP = "\u00a0"


def bind_units(text: str) -> str:
    """Each number with the word after it ("0.75 mg", "5 ml"); the other words may wrap."""
    return re.sub(r"(\d) (\S)", "\\1" + NBSP + "\\2", text)


def unbreakable(part: str) -> str:
    """A dose part ("1 × 10 mg") with no-break spaces: a renderer never splits the count
    from its strength or the number from its unit across lines."""
    return part.replace(" ", NBSP)
