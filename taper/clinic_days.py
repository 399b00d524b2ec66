"""The days a clinic is open: weekdays that are not public holidays of the rule file's country
(and, where the file names one, of its part of the country), from the maintained `holidays`
library. Contacts (`taper.aftercare`) and dose changes (`taper.plan.change_days`) avoid the
closed days."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

_SATURDAY = 5


def is_weekend(day: dt.date) -> bool:
    return day.weekday() >= _SATURDAY


_ONE_DAY = dt.timedelta(days=1)


@cache
def public_holidays(country: str, year: int, subdivision: str | None = None) -> frozenset[dt.date]:
    """The public holidays of `country` (ISO 3166 code; `subdivision`: the part of it the
    clinic is in, as the library codes it) in `year`, from the `holidays` library.

    Each country and year is computed once a process. A country the library does not know has
    no holidays here (weekends are still avoided)."""
    holiday_class = _holiday_class(country)
    if holiday_class is None:
        return frozenset()
    # The arguments `holidays.country_holidays(country, subdiv, years=year)` passes.
    return frozenset(holiday_class(years=year, subdiv=subdivision))


def known_subdivisions(country: str) -> tuple[str, ...]:
    """The subdivision codes the `holidays` library knows for `country` (the rule-file check)."""
    holiday_class = _holiday_class(country)
    return tuple(getattr(holiday_class, "subdivisions", ())) if holiday_class else ()


@cache
def _holiday_class(country: str) -> type | None:
    """The `holidays` class for `country`, importing only that country's module.

    `holidays.country_holidays` imports the library's `countries` package, which imports every
    country's module (~300 modules, ~100 ms of CPU: README "Speed") on every `taper plan`. Only
    the rule file's country is needed: the library's own registry names its module, which is
    imported on its own by the standard library's recipe for importing a source file
    (`importlib.util.spec_from_file_location`). It is the class `country_holidays` returns
    (tests/test_public_holidays.py compares every shipped country over 20 years)."""
    import importlib.util
    import sys
    from pathlib import Path

    from holidays import registry

    found = [(m, names[0]) for m, names in registry.COUNTRIES.items() if country in names[1:]]
    if not found:
        return None
    module_name, class_name = found[0]
    name = f"holidays.countries.{module_name}"
    module = sys.modules.get(name)
    if module is None:
        source = Path(registry.__file__).parent / "countries" / f"{module_name}.py"
        spec = importlib.util.spec_from_file_location(name, source)
        if spec is None or spec.loader is None:
            raise ImportError(f"holidays: no module for {country} at {source}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[name]
            raise
    holiday_class: type = getattr(module, class_name)
    return holiday_class


@cache
def closed_dates(country: str, year: int, subdivision: str | None = None) -> frozenset[dt.date]:
    """The days of `year` a clinic in `country` is closed: weekends and public holidays.

    One set a country and year, so that each of the ~45 checks a plan makes (every dose
    change and contact) is one lookup (2026-12-03: 718 -> 415 ns a check, timeit)."""
    first = dt.date(year, 1, 1)
    days = (first + dt.timedelta(days=n) for n in range(366))
    weekends = {day for day in days if day.year == year and is_weekend(day)}
    return frozenset(weekends | public_holidays(country, year, subdivision))


@dataclass(frozen=True)
class ClinicDays:
    """When a clinic is open: weekdays that are not public holidays of `country`, or every
    day when the rule file does not avoid weekends (`enabled` False)."""

    enabled: bool
    country: str
    subdivision: str | None = None

    def closed(self, day: dt.date) -> bool:
        return self.enabled and day in closed_dates(self.country, day.year, self.subdivision)

    def earlier(self, day: dt.date) -> dt.date:
        """`day`, or the last open day before it."""
        while self.closed(day):
            day -= _ONE_DAY
        return day

    def later(self, day: dt.date) -> dt.date:
        """`day`, or the first open day after it."""
        while self.closed(day):
            day += _ONE_DAY
        return day
