"""HL7 FHIR R4B (4.3.0) JSON via fhir.resources (the optional `fhir` extra).

A `collection` Bundle with one CarePlan and one MedicationRequest per product (drug, brand and
strength, as it is dispensed):
- CarePlan: status `draft` (a clinician signs the plan off), the phases as activities with
  their periods, every support, evaluation and aftercare contact as an activity on its date
  with its checklist, the guideline stamp, warnings and project choices as notes.
- MedicationRequest (status `draft`, intent `plan`): the product as a contained Medication
  (brand and strength as text, the drug's ATC codes, the formulary's form, modified release
  named, the strength per unit as its ingredient); one dosage instruction per step and time of
  day with that product's share of the dose; instructions of one step share its `sequence`
  (taken together) and carry the step's dates as `timing.repeat.boundsPeriod` (end inclusive),
  the time of day as `when`, the route, the dose in UCUM units and the tablets as
  `patientInstruction` (a liquid dose: its volume in mL as `doseQuantity`, its mg,
  concentration and measuring device in the texts); `dispenseRequest` holds the plan's
  dispensing list for the product.
  A dose the formulary cannot make (the patient's own tablets until a switch replaces them)
  is one request per drug, coded by substance.
The subject is a reference by identifier when a patient id is given (`--patient-id`, a batch
row's id), else display-only for the receiving system to link. Ids are UUIDs derived from
hashes of the plan and the patient id, so the same plan gives the same bytes and two patients
never share an id.
"""

from __future__ import annotations

import hashlib
import uuid
from decimal import Decimal
from html import escape
from typing import Any

from taper.errors import TaperError
from taper.guideline.model import Guideline, Product
from taper.plan.model import DoseAtTime, DoseTimeName, Phase, TabletCount
from taper.render.dose_text import in_day_order, patch_hours, tablet_parts
from taper.render.view import PlanView, StepView

MISSING = "FHIR output needs the optional extra: pip install 'taper[fhir]'"
FHIR_VERSION = "4.3.0"  # R4B; CarePlan and MedicationRequest are as in R4
ATC = "http://www.whocc.no/atc"
UCUM = "http://unitsofmeasure.org"
_UCUM_CODES = {"mg": "mg", "mcg/h": "ug/h"}
# FHIR event-timing codes; a patch is worn continuously, so it has none (and its dose is a
# rate: dosage.doseAndRate.rateQuantity, with no daily frequency).
_WHEN: dict[DoseTimeName, str | None] = {
    "morning": "MORN",
    "midday": "NOON",
    "afternoon": "AFT",
    "evening": "EVE",
    "bedtime": "HS",
    "patch": None,
}


def _uuid(view: PlanView, key: str) -> str:
    plan = view.plan
    who = "" if view.patient_id is None else f"patient={view.patient_id}|"
    seed = f"{who}{plan.guideline.sha256}|{plan.start}|{[m.text for m in plan.medications]}|{key}"
    return str(uuid.UUID(bytes=hashlib.sha256(seed.encode()).digest()[:16], version=5))


def _narrative(*paragraphs: str) -> dict[str, str]:
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return {"status": "generated", "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{body}</div>'}


def _phase_activities(view: PlanView) -> list[dict[str, Any]]:
    by_phase: dict[tuple[str, Phase], list[StepView]] = {}
    for s in view.steps:
        by_phase.setdefault((s.step.drug, s.step.phase), []).append(s)
    t = view.t
    out = []
    for (_, phase), steps in by_phase.items():
        first, last = steps[0], steps[-1]
        lines = [t._("Step %(number)s", number=s.number) + f": {s.dates}, {s.daily}" for s in steps]
        detail: dict[str, Any] = {
            "code": {"text": first.phase},
            "status": "not-started",
            "scheduledPeriod": {
                "start": first.step.start.isoformat(),
                "end": last.step.end.isoformat(),
            },
            "description": f"{first.drug}: " + "; ".join(lines),
        }
        if phase != "aftercare":  # aftercare has no tablets to order
            detail = {"kind": "MedicationRequest", **detail}
        out.append({"detail": detail})
    return out


def _contact_activities(view: PlanView) -> list[dict[str, Any]]:
    out = []
    for c in view.appointments:
        day = c.checkpoint.date.isoformat()
        detail: dict[str, Any] = {
            "kind": "Appointment",
            "code": {"text": c.label},
            "status": "not-started",
            "scheduledPeriod": {"start": day, "end": day},
        }
        if c.content or c.links:
            detail["description"] = "; ".join([*c.content, *c.links])
        out.append({"detail": detail})
    return out


# A product as dispensed: (drug, brand, strength, unit); brand None: the patient's own tablets.
ProductKey = tuple[str, str | None, Decimal, str]
_FORMS = {
    "tablet": "Tablet",
    "capsule": "Capsule",
    "patch": "Transdermal patch",
    "sublingual-tablet": "Sublingual tablet",
    "oral-solution": "Oral solution",
}
_ROUTES = {
    "oral": "Oral",
    "sublingual": "Sublingual",
    "transdermal": "Transdermal",
    "rectal": "Rectal",
    "intranasal": "Nasal",
}


def _products(view: PlanView) -> list[ProductKey]:
    """Every product the plan's doses use, in order of first use."""
    found: dict[ProductKey, None] = {}
    for s in view.steps:
        if s.kind != "doses":
            continue
        for dose in s.step.doses:
            if not dose.tablets and dose.amount > 0:
                found[(s.step.drug, None, Decimal(0), s.step.unit)] = None
            for tablet in dose.tablets:
                found[(s.step.drug, tablet.brand, tablet.strength, tablet.unit)] = None
    return list(found)


def _share(dose: DoseAtTime, product: ProductKey) -> tuple[Decimal, list[TabletCount]]:
    """The part of one dose time that this product makes, and its tablets."""
    _, brand, strength, _ = product
    if brand is None:
        return (dose.amount, []) if not dose.tablets else (Decimal(0), [])
    tablets = [t for t in dose.tablets if t.brand == brand and t.strength == strength]
    return sum((t.count * t.strength for t in tablets), Decimal(0)), tablets


def _liquid_quantity(tablets: list[TabletCount]) -> dict[str, Any] | None:
    """A liquid dose's doseQuantity: its volume in mL (UCUM), or its drops (`{drop}`: a
    product's drop is its own size, never UCUM's 1/20 mL); the text and the patient
    instruction carry the mg, the concentration and the measuring device."""
    if len(tablets) != 1 or tablets[0].liquid is None:
        return None
    measure = tablets[0].liquid
    if measure.device == "dropper":
        return {"value": measure.drops, "unit": "drops", "system": UCUM, "code": "{drop}"}
    return {"value": measure.ml, "unit": "mL", "system": UCUM, "code": "mL"}


def _dosages(view: PlanView, product: ProductKey, route: str | None) -> list[dict[str, Any]]:
    t = view.t
    drug, _, _, unit = product
    out = []
    for s in view.steps:
        if s.step.drug != drug or s.kind != "doses":
            continue
        labels = {d.time: d.label for d in s.doses}
        for dose in in_day_order(s.step):
            amount, tablets = _share(dose, product)
            if amount == 0:
                continue
            quantity = _liquid_quantity(tablets) or {
                "value": amount,
                "unit": unit,
                "system": UCUM,
                "code": _UCUM_CODES.get(unit, unit),
            }
            repeat: dict[str, Any] = {
                "boundsPeriod": {
                    "start": s.step.start.isoformat(),
                    "end": s.step.end.isoformat(),
                },
            }
            parts = tablet_parts(t, dose.model_copy(update={"tablets": tablets}), unit)
            what = " + ".join(parts)
            label = labels[dose.time]
            shown = t.amount(amount, unit)
            text = (
                t._("Step %(number)s", number=s.number) + f" ({s.dates}): {label} {what} ({shown})"
            )
            instruction = f"{label}: {what}"
            if s.patch:
                # A patch releases a rate (rateQuantity, ug/h), worn day and night and changed
                # as prescribed: the rule file and formulary give no wear interval, so there is
                # no frequency (a daily one would read "apply one patch a day").
                if patch_hours(dose.tablets) is None:
                    # (a patch with its label's interval says it in its tablets text)
                    change = t._("Change the patch as prescribed.")
                    text += f" {change}"
                    instruction += f". {change}"
                dose_and_rate: dict[str, Any] = {"rateQuantity": quantity}
            else:
                repeat.update({"frequency": 1, "period": 1, "periodUnit": "d"})
                dose_and_rate = {"doseQuantity": quantity}
            when = _WHEN[dose.time]
            if when is not None:
                repeat["when"] = [when]
            dosage: dict[str, Any] = {
                "sequence": s.number,
                "text": text,
                "patientInstruction": instruction,
                "timing": {"repeat": repeat},
                "doseAndRate": [dose_and_rate],
            }
            if route is not None:
                dosage["route"] = {"text": _ROUTES.get(route, route)}
            out.append(dosage)
    return out


def _formulary_product(guideline: Guideline | None, drug: str, brand: str) -> Product | None:
    if guideline is None:
        return None
    return next((p for p in guideline.formulary if p.drug == drug and p.brand == brand), None)


def _atc(drug: str, guideline: Guideline | None) -> list[dict[str, str]]:
    if guideline is None:
        return []
    atc = next((d.atc for d in guideline.drugs if d.id == drug), [])
    return [{"system": ATC, "code": code, "display": drug} for code in atc]


def _medication(drug: str, name: str, guideline: Guideline | None) -> dict[str, Any]:
    """A drug coded by substance only (no product of the formulary makes the dose)."""
    concept: dict[str, Any] = {"text": name}
    coding = _atc(drug, guideline)
    if coding:
        concept["coding"] = coding
    return concept


def _contained_medication(
    view: PlanView, product: ProductKey, found: Product | None, mid: str
) -> dict[str, Any]:
    drug, brand, strength, unit = product
    t = view.t
    liquid = found.liquid if found is not None else None
    # An oral solution's strength is per mL (per drop: the product's own drop).
    per = "" if liquid is None else "/ml"
    name = f"{brand} {t.amount(strength, unit + per)}"
    code: dict[str, Any] = {"text": name}
    coding = _atc(drug, view.guideline)
    if coding:
        code["coding"] = coding
    medication: dict[str, Any] = {"resourceType": "Medication", "id": mid, "code": code}
    if found is not None:
        form = _FORMS.get(found.form, found.form)
        if found.modified_release:
            form += ", modified release"
        medication["form"] = {"text": form}
    unit_code = _UCUM_CODES.get(unit, unit)
    medication["ingredient"] = [
        {
            "itemCodeableConcept": _medication(drug, view.drug_names.get(drug, drug), None),
            "isActive": True,
            "strength": {
                "numerator": {"value": strength, "unit": unit, "system": UCUM, "code": unit_code},
                "denominator": {"value": 1, "unit": "1", "system": UCUM, "code": "1"}
                if liquid is None
                else {"value": 1, "unit": "mL", "system": UCUM, "code": "mL"},
            },
        }
    ]
    return medication


def _dispensed(view: PlanView, product: ProductKey) -> Decimal:
    drug, brand, strength, _ = product
    return sum(
        (
            d.tablets
            for d in view.plan.dispensing
            if d.drug == drug and d.brand == brand and d.strength == strength
        ),
        Decimal(0),
    )


def _request(view: PlanView, product: ProductKey, subject: dict[str, Any]) -> dict[str, Any]:
    drug, brand, strength, _ = product
    name = view.drug_names.get(drug, drug)
    rid = _uuid(view, f"MedicationRequest|{drug}|{brand or ''}|{strength}")
    found = None if brand is None else _formulary_product(view.guideline, drug, brand)
    route = found.route if found is not None else None
    resource: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "id": rid,
        "language": view.lang,
        "text": _narrative(view.title, name if brand is None else f"{name}: {brand}"),
    }
    if brand is None:
        resource["medicationCodeableConcept"] = _medication(drug, name, view.guideline)
    else:
        resource["contained"] = [_contained_medication(view, product, found, "product")]
        resource["medicationReference"] = {"reference": "#product"}
    resource.update(
        {
            "status": "draft",
            "intent": "plan",
            "subject": subject,
            "note": [{"text": view.stamp}],
            "dosageInstruction": _dosages(view, product, route),
        }
    )
    count = _dispensed(view, product) if brand is not None else Decimal(0)
    if count > 0:
        unit = "patch" if found is not None and found.form == "patch" else "tablet"
        code = "{" + unit + "}"
        if found is not None and found.liquid is not None:
            unit = code = "mL"  # the dispensing list gives an oral solution in ml
        resource["dispenseRequest"] = {
            "quantity": {"value": count, "unit": unit, "system": UCUM, "code": code}
        }
    return resource


def build_bundle(view: PlanView) -> dict[str, Any]:
    """The Bundle as plain JSON-ready data (Decimal doses), before validation."""
    t = view.t
    plan = view.plan
    subject: dict[str, Any] = {"display": t._("The patient")}
    if view.patient_id is not None:
        subject = {
            "type": "Patient",
            "identifier": {"value": view.patient_id},
            "display": t._("The patient"),
        }
    requests = []
    for product in _products(view):
        resource = _request(view, product, subject)
        requests.append({"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource})
    notes = [view.stamp]
    if plan.specialist_signoff:
        notes.append(t._("This plan needs a specialist's sign-off before it is used."))
    notes += [f"{w.label}: {w.text}" for w in view.warnings]
    notes += [t._("Not from a source (project choices)") + f": {u}" for u in view.unverified]
    ends = [s.step.end for s in view.steps] + [c.checkpoint.date for c in view.checkpoints]
    care_id = _uuid(view, "CarePlan")
    care_plan = {
        "resourceType": "CarePlan",
        "id": care_id,
        "language": view.lang,
        "text": _narrative(view.title, *view.medications),
        "status": "draft",
        "intent": "plan",
        "title": view.title,
        "description": "; ".join(view.medications),
        "subject": subject,
        "period": {"start": plan.start.isoformat(), "end": max(ends).isoformat()},
        "activity": [
            *({"reference": {"reference": r["fullUrl"]}} for r in requests),
            *_phase_activities(view),
            *_contact_activities(view),
        ],
        "note": [{"text": text} for text in notes],
    }
    return {
        "resourceType": "Bundle",
        "id": _uuid(view, "Bundle"),
        "type": "collection",
        "entry": [{"fullUrl": f"urn:uuid:{care_id}", "resource": care_plan}, *requests],
    }


def render_fhir(view: PlanView) -> bytes:
    try:
        from fhir.resources.R4B.bundle import Bundle
    except ImportError:
        raise TaperError(MISSING) from None
    bundle = Bundle.model_validate(build_bundle(view))
    text: str = bundle.model_dump_json(indent=2, by_alias=True, exclude_none=True)
    return text.encode("utf-8") + b"\n"
