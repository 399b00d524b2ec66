"""CLDR tables for taper's locales. GENERATED from Babel 2.19.0 (CLDR 49); do not edit.

Regenerate with `python -m taper.render.cldr` after upgrading Babel, then review the golden
files (tests/golden) for any change in how dates and numbers print.
"""

from typing import TypedDict

BABEL_VERSION = "2.19.0"
CLDR_VERSION = "49"

# Per locale and date kind ("long", or a CLDR skeleton): the pattern Babel formats it with,
# as ("chars", literal text) and ("field", pattern letters) tokens.
DATE_PATTERNS: dict[str, dict[str, tuple[tuple[str, str], ...]]] = {
    "sv_SE": {
        "long": (
            ("field", "d"),
            ("chars", " "),
            ("field", "MMMM"),
            ("chars", " "),
            ("field", "y"),
        ),
        "MMMMd": (
            ("field", "d"),
            ("chars", " "),
            ("field", "MMMM"),
        ),
        "MMMd": (
            ("field", "d"),
            ("chars", " "),
            ("field", "MMM"),
        ),
        "yMMMd": (
            ("field", "d"),
            ("chars", " "),
            ("field", "MMM"),
            ("chars", " "),
            ("field", "y"),
        ),
        "Md": (
            ("field", "d"),
            ("chars", "/"),
            ("field", "M"),
        ),
        "E": (("field", "ccc"),),
        "yMMM": (
            ("field", "MMM"),
            ("chars", " "),
            ("field", "y"),
        ),
        "MMM": (("field", "LLL"),),
    },
    "nb_NO": {
        "long": (
            ("field", "d"),
            ("chars", ". "),
            ("field", "MMMM"),
            ("chars", " "),
            ("field", "y"),
        ),
        "MMMMd": (
            ("field", "d"),
            ("chars", ". "),
            ("field", "MMMM"),
        ),
        "MMMd": (
            ("field", "d"),
            ("chars", ". "),
            ("field", "MMM"),
        ),
        "yMMMd": (
            ("field", "d"),
            ("chars", ". "),
            ("field", "MMM"),
            ("chars", " "),
            ("field", "y"),
        ),
        "Md": (
            ("field", "d"),
            ("chars", "."),
            ("field", "M"),
            ("chars", "."),
        ),
        "E": (("field", "cccccc"),),
        "yMMM": (
            ("field", "MMM"),
            ("chars", " "),
            ("field", "y"),
        ),
        "MMM": (("field", "LLL"),),
    },
    "en_GB": {
        "long": (
            ("field", "d"),
            ("chars", " "),
            ("field", "MMMM"),
            ("chars", " "),
            ("field", "y"),
        ),
        "MMMMd": (
            ("field", "d"),
            ("chars", " "),
            ("field", "MMMM"),
        ),
        "MMMd": (
            ("field", "d"),
            ("chars", " "),
            ("field", "MMM"),
        ),
        "yMMMd": (
            ("field", "d"),
            ("chars", " "),
            ("field", "MMM"),
            ("chars", " "),
            ("field", "y"),
        ),
        "Md": (
            ("field", "dd"),
            ("chars", "/"),
            ("field", "MM"),
        ),
        "E": (("field", "ccc"),),
        "yMMM": (
            ("field", "MMM"),
            ("chars", " "),
            ("field", "y"),
        ),
        "MMM": (("field", "LLL"),),
    },
    "en_US": {
        "long": (
            ("field", "MMMM"),
            ("chars", " "),
            ("field", "d"),
            ("chars", ", "),
            ("field", "y"),
        ),
        "MMMMd": (
            ("field", "MMMM"),
            ("chars", " "),
            ("field", "d"),
        ),
        "MMMd": (
            ("field", "MMM"),
            ("chars", " "),
            ("field", "d"),
        ),
        "yMMMd": (
            ("field", "MMM"),
            ("chars", " "),
            ("field", "d"),
            ("chars", ", "),
            ("field", "y"),
        ),
        "Md": (
            ("field", "M"),
            ("chars", "/"),
            ("field", "d"),
        ),
        "E": (("field", "ccc"),),
        "yMMM": (
            ("field", "MMM"),
            ("chars", " "),
            ("field", "y"),
        ),
        "MMM": (("field", "LLL"),),
    },
}

# Per locale and name field: Babel's text for January..December.
MONTH_NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "sv_SE": {
        "LLL": (
            "jan.",
            "feb.",
            "mars",
            "apr.",
            "maj",
            "juni",
            "juli",
            "aug.",
            "sep.",
            "okt.",
            "nov.",
            "dec.",
        ),
        "MMM": (
            "jan.",
            "feb.",
            "mars",
            "apr.",
            "maj",
            "juni",
            "juli",
            "aug.",
            "sep.",
            "okt.",
            "nov.",
            "dec.",
        ),
        "MMMM": (
            "januari",
            "februari",
            "mars",
            "april",
            "maj",
            "juni",
            "juli",
            "augusti",
            "september",
            "oktober",
            "november",
            "december",
        ),
    },
    "nb_NO": {
        "LLL": (
            "jan",
            "feb",
            "mar",
            "apr",
            "mai",
            "jun",
            "jul",
            "aug",
            "sep",
            "okt",
            "nov",
            "des",
        ),
        "MMM": (
            "jan.",
            "feb.",
            "mars",
            "apr.",
            "mai",
            "juni",
            "juli",
            "aug.",
            "sep.",
            "okt.",
            "nov.",
            "des.",
        ),
        "MMMM": (
            "januar",
            "februar",
            "mars",
            "april",
            "mai",
            "juni",
            "juli",
            "august",
            "september",
            "oktober",
            "november",
            "desember",
        ),
    },
    "en_GB": {
        "LLL": (
            "Jan",
            "Feb",
            "Mar",
            "Apr",
            "May",
            "Jun",
            "Jul",
            "Aug",
            "Sept",
            "Oct",
            "Nov",
            "Dec",
        ),
        "MMM": (
            "Jan",
            "Feb",
            "Mar",
            "Apr",
            "May",
            "Jun",
            "Jul",
            "Aug",
            "Sept",
            "Oct",
            "Nov",
            "Dec",
        ),
        "MMMM": (
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ),
    },
    "en_US": {
        "LLL": (
            "Jan",
            "Feb",
            "Mar",
            "Apr",
            "May",
            "Jun",
            "Jul",
            "Aug",
            "Sep",
            "Oct",
            "Nov",
            "Dec",
        ),
        "MMM": (
            "Jan",
            "Feb",
            "Mar",
            "Apr",
            "May",
            "Jun",
            "Jul",
            "Aug",
            "Sep",
            "Oct",
            "Nov",
            "Dec",
        ),
        "MMMM": (
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ),
    },
}

# Per locale and name field: Babel's text for Monday..Sunday (as `date.weekday()` counts).
WEEKDAY_NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "sv_SE": {
        "ccc": (
            "mån",
            "tis",
            "ons",
            "tors",
            "fre",
            "lör",
            "sön",
        ),
    },
    "nb_NO": {
        "cccccc": (
            "ma.",
            "ti.",
            "on.",
            "to.",
            "fr.",
            "lø.",
            "sø.",
        ),
    },
    "en_GB": {
        "ccc": (
            "Mon",
            "Tue",
            "Wed",
            "Thu",
            "Fri",
            "Sat",
            "Sun",
        ),
    },
    "en_US": {
        "ccc": (
            "Mon",
            "Tue",
            "Wed",
            "Thu",
            "Fri",
            "Sat",
            "Sun",
        ),
    },
}


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


DECIMAL_FORMATS: dict[str, DecimalFormat] = {
    "sv_SE": {
        "positive_prefix": "",
        "positive_suffix": "",
        "negative_prefix": "-",
        "negative_suffix": "",
        "decimal": ",",
        "group": "\u00a0",
        "primary_grouping": 3,
        "secondary_grouping": 3,
        "max_fraction_digits": 3,
    },
    "nb_NO": {
        "positive_prefix": "",
        "positive_suffix": "",
        "negative_prefix": "-",
        "negative_suffix": "",
        "decimal": ",",
        "group": "\u00a0",
        "primary_grouping": 3,
        "secondary_grouping": 3,
        "max_fraction_digits": 3,
    },
    "en_GB": {
        "positive_prefix": "",
        "positive_suffix": "",
        "negative_prefix": "-",
        "negative_suffix": "",
        "decimal": ".",
        "group": ",",
        "primary_grouping": 3,
        "secondary_grouping": 3,
        "max_fraction_digits": 3,
    },
    "en_US": {
        "positive_prefix": "",
        "positive_suffix": "",
        "negative_prefix": "-",
        "negative_suffix": "",
        "decimal": ".",
        "group": ",",
        "primary_grouping": 3,
        "secondary_grouping": 3,
        "max_fraction_digits": 3,
    },
}
