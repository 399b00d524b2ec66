"""Public holidays come from the `holidays` library, loading only the rule file's country.

`clinic_days.public_holidays` imports the one country module instead of the library's
`countries` package (every country, ~100 ms at start-up); these tests keep it the library's
own answer and keep the other countries unloaded.
"""

from __future__ import annotations

import json
import subprocess
import sys

from taper.clinic_days import public_holidays
from taper.guideline.registry import builtin_files

# Run in fresh processes: ours before anything imports the library's `countries` package,
# the library's own `country_holidays` in a process that never used ours.
OURS = """
import json, sys
from taper.clinic_days import public_holidays
countries = sys.argv[1].split(",")
days = {c: {y: sorted(map(str, public_holidays(c, y))) for y in range(2020, 2041)}
        for c in countries}
print(json.dumps({"days": days, "package_loaded": "holidays.countries" in sys.modules}))
"""
LIBRARY = """
import json, sys
import holidays
countries = sys.argv[1].split(",")
days = {c: {y: sorted(map(str, holidays.country_holidays(c, years=y)))
            for y in range(2020, 2041)} for c in countries}
print(json.dumps({"days": days}))
"""


def run(probe: str, countries: list[str]) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", probe, ",".join(countries)],
        capture_output=True,
        text=True,
        check=True,
    )
    found: dict[str, object] = json.loads(result.stdout)
    return found


def shipped_countries() -> list[str]:
    import re

    found = set()
    for path in builtin_files().values():
        match = re.search(r'^country: "?([A-Z]{2})"?$', path.read_text(encoding="utf-8"), re.M)
        assert match, path
        found.add(match.group(1))
    return sorted(found)


def test_every_shipped_country_matches_the_library_over_twenty_years() -> None:
    countries = shipped_countries()
    assert countries == ["GB", "NO", "SE", "US"]
    ours = run(OURS, countries)
    assert ours["days"] == run(LIBRARY, countries)["days"]
    assert not ours["package_loaded"]  # only the four country modules were imported


def test_a_country_the_library_does_not_know_has_no_holidays() -> None:
    assert public_holidays("XX", 2027) == frozenset()


def test_easter_monday_in_sweden() -> None:
    import datetime as dt

    assert dt.date(2027, 3, 29) in public_holidays("SE", 2027)


def test_a_subdivision_gets_its_own_holidays_as_the_library_gives_them() -> None:
    """Nurse review 4: uk-ashton plans changed doses on Easter Monday and the August bank
    holiday, which the UK-wide list lacks; uk-ashton names England (holiday_subdivision)."""
    import datetime as dt

    import holidays

    for part in ("ENG", "SCT", "WLS", "NIR"):
        for year in (2027, 2028):
            assert public_holidays("GB", year, part) == frozenset(
                holidays.country_holidays("GB", subdiv=part, years=year)
            )
    england = public_holidays("GB", 2027, "ENG")
    assert {dt.date(2027, 3, 29), dt.date(2027, 8, 30)} <= england
    assert dt.date(2027, 3, 29) not in public_holidays("GB", 2027)


def test_uk_plans_keep_englands_bank_holidays() -> None:
    """Nurse review 4: uk-ashton morphine 60 mg from 4 January 2027 changed its dose on
    Easter Monday (29 March 2027)."""
    import datetime as dt

    from taper.dose import parse_medication
    from taper.guideline.loader import load_guideline
    from taper.plan import PlanOptions, make_plan

    loaded = load_guideline("uk-ashton")
    assert loaded.guideline.holiday_subdivision == "ENG"
    made = make_plan(
        [parse_medication("morphine 60 mg")], loaded, PlanOptions(start=dt.date(2027, 1, 4))
    )
    england = public_holidays("GB", 2027, "ENG") | public_holidays("GB", 2028, "ENG")
    assert not [s.start for s in made.steps[1:] if s.start in england]
    assert not [c.date for c in made.checkpoints if c.date in england]
