"""Exports that import cleanly: every calendar and FHIR export read back by two independent
parsers, a patient id in every UID and id so two patients never collide, a `--pause` that keeps
the UIDs of the events before it, and FHIR products with form, route and dispense request."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from taper.dose import parse_medication
from taper.guideline.loader import load_guideline
from taper.plan import Pause, PlanOptions, make_plan
from taper.plan.model import Plan
from taper.render import PlanFormat, render_plan

icalendar = pytest.importorskip("icalendar")
vobject = pytest.importorskip("vobject")

START = dt.date(2027, 1, 4)


def plan(meds: tuple[str, ...] = ("oxazepam 25 mg",), pauses: tuple[Pause, ...] = ()) -> Plan:
    loaded = load_guideline("se-vgr")
    options = PlanOptions(start=START, pauses=pauses)
    return make_plan([parse_medication(m) for m in meds], loaded, options)


def ics(p: Plan, patient_id: str | None = None, lang: str = "sv") -> bytes:
    return render_plan(p, PlanFormat.ics, lang, patient_id=patient_id)


def uids_by_icalendar(data: bytes) -> dict[str, tuple[dt.date, str]]:
    cal = icalendar.Calendar.from_ical(data)
    return {
        str(ev["UID"]): (ev.decoded("DTSTART"), str(ev["SUMMARY"])) for ev in cal.walk("VEVENT")
    }


def uids_by_vobject(data: bytes) -> dict[str, tuple[dt.date, str]]:
    cal = vobject.readOne(data.decode("utf-8"))
    return {
        ev.uid.value: (ev.dtstart.value, ev.summary.value) for ev in cal.contents.get("vevent", [])
    }


def rfc5545_unescape(raw: str) -> str:
    out, chars = [], iter(raw)
    for c in chars:
        if c == "\\":
            following = next(chars, "")
            out.append("\n" if following in "nN" else following)
        else:
            assert c not in ",;", f"an unescaped {c!r} in a TEXT value: {raw!r}"
            out.append(c)
    return "".join(out)


@pytest.mark.parametrize("lang", ["sv", "nb", "en"])
def test_both_parsers_read_the_same_calendar_with_its_whole_description(lang: str) -> None:
    data = ics(plan(), "P-1", lang)
    assert uids_by_icalendar(data) == uids_by_vobject(data)
    # icalendar does not know the X- property's type, so it hands over the unfolded raw TEXT
    # value: unescaped here as RFC 5545 section 3.3.11 says; vobject unescapes it itself.
    raw = str(icalendar.Calendar.from_ical(data)["X-WR-CALDESC"])
    desc_vobject = vobject.readOne(data.decode("utf-8")).contents["x-wr-caldesc"][0].value
    assert rfc5545_unescape(raw) == desc_vobject
    assert "sha256" in desc_vobject
    assert "taper" in desc_vobject  # the whole stamp, not the half before its first comma


def test_two_patients_with_the_same_plan_never_share_a_uid() -> None:
    p = plan()
    first, second = uids_by_icalendar(ics(p, "P-1")), uids_by_icalendar(ics(p, "P-2"))
    assert first
    assert second
    assert not set(first) & set(second)


def test_the_same_patient_s_plan_keeps_its_uids_in_every_language() -> None:
    p = plan()
    assert set(uids_by_icalendar(ics(p, "P-1", "sv"))) == set(
        uids_by_icalendar(ics(p, "P-1", "en"))
    )


def test_a_pause_keeps_the_uids_of_every_event_before_it() -> None:
    before = uids_by_icalendar(ics(plan(), "P-1"))
    pause_on = START + dt.timedelta(days=60)
    after = uids_by_icalendar(ics(plan(pauses=(Pause(pause_on, 14),)), "P-1"))
    past_before = {u for u, (day, _) in before.items() if day < pause_on}
    past_after = {u for u, (day, _) in after.items() if day < pause_on}
    assert past_before
    assert past_before == past_after
    later_before = {u for u, (day, _) in before.items() if day > pause_on + dt.timedelta(days=14)}
    assert later_before - set(after), "a moved event kept its old UID"


# --- FHIR -----------------------------------------------------------------------------------


def fhir(p: Plan, patient_id: str | None = None) -> dict[str, Any]:
    data = render_plan(p, PlanFormat.fhir, "sv", patient_id=patient_id)
    bundle_module = pytest.importorskip("fhir.resources.R4B.bundle")
    bundle_module.Bundle.model_validate_json(data)  # first parser: the FHIR models
    parsed: dict[str, Any] = json.loads(data)  # second: plain JSON, references resolved by hand
    return parsed


def ids(bundle: dict[str, Any]) -> set[str]:
    return {bundle["id"]} | {e["resource"]["id"] for e in bundle["entry"]}


def test_two_patients_never_share_a_fhir_id() -> None:
    p = plan()
    assert not ids(fhir(p, "P-1")) & ids(fhir(p, "P-2"))


def test_the_subject_is_a_reference_by_identifier_when_an_id_is_given() -> None:
    bundle = fhir(plan(), "P-1")
    subjects = [e["resource"]["subject"] for e in bundle["entry"]]
    assert all(s["identifier"] == {"value": "P-1"} and s["type"] == "Patient" for s in subjects)
    anonymous = fhir(plan())
    assert all("identifier" not in e["resource"]["subject"] for e in anonymous["entry"])


def test_every_product_is_coded_with_form_route_atc_and_its_dispense_request() -> None:
    p = plan(("oxycodone 40 mg",))
    bundle = fhir(p, "P-1")
    urls = {e["fullUrl"] for e in bundle["entry"]}
    care_plan = bundle["entry"][0]["resource"]
    referenced = {a["reference"]["reference"] for a in care_plan["activity"] if "reference" in a}
    requests = [e["resource"] for e in bundle["entry"][1:]]
    assert referenced == urls - {bundle["entry"][0]["fullUrl"]}
    forms = set()
    for request in requests:
        (medication,) = request["contained"]
        assert request["medicationReference"]["reference"] == "#" + medication["id"]
        assert medication["code"]["coding"][0]["code"].startswith("N02AA")
        forms.add(medication["form"]["text"])
        assert {d["route"]["text"] for d in request["dosageInstruction"]} == {"Oral"}
        brand = medication["code"]["text"]
        dispensed = sum(
            d.tablets
            for d in p.dispensing
            if f"{d.brand} " in brand + " " and brand.endswith(f" {d.strength} mg")
        )
        assert request["dispenseRequest"]["quantity"]["value"] == dispensed
    assert "Tablet, modified release" in forms  # the depot form is not lost
