"""HL7 FHIR R4B (4.3.0) JSON via fhir.resources (the optional `fhir` extra).

A `collection` Bundle with one CarePlan and one MedicationRequest per drug:
- CarePlan: status `draft` (a clinician signs the plan off), the phases as activities with
  their periods, every support, evaluation and aftercare contact as an activity on its date
  with its checklist, the guideline stamp, warnings and project choices as notes.
- MedicationRequest (status `draft`, intent `plan`): one dosage instruction per step and time
  of day; instructions of one step share its `sequence` (taken together) and carry the step's
  dates as `timing.repeat.boundsPeriod` (end inclusive), the time of day as `when`, the dose
  in UCUM units and the tablets as `patientInstruction` (a liquid dose: its volume in mL as
  `doseQuantity`, its mg, concentration and measuring device in the texts).
The patient is left as a display-only reference for the receiving system to link. Ids are
UUIDs derived from hashes of the plan, so the same plan gives the same bytes.
"""

from __future__ import annotations

import hashlib
import uuid
from html import escape
from typing import Any

from taper.errors import TaperError
from taper.guideline.model import Guideline
from taper.plan.model import DoseTimeName, Phase, TabletCount
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
    seed = f"{plan.guideline.sha256}|{plan.start}|{[m.text for m in plan.medications]}|{key}"
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


def _liquid_quantity(tablets: list[TabletCount] | None) -> dict[str, Any] | None:
    """A liquid dose's doseQuantity: its volume in mL (UCUM), or its drops (`{drop}`: a
    product's drop is its own size, never UCUM's 1/20 mL); the text and the patient
    instruction carry the mg, the concentration and the measuring device."""
    if not tablets or len(tablets) != 1 or tablets[0].liquid is None:
        return None
    measure = tablets[0].liquid
    if measure.device == "dropper":
        return {"value": measure.drops, "unit": "drops", "system": UCUM, "code": "{drop}"}
    return {"value": measure.ml, "unit": "mL", "system": UCUM, "code": "mL"}


def _dosages(view: PlanView, drug: str) -> list[dict[str, Any]]:
    t = view.t
    out = []
    for s in view.steps:
        if s.step.drug != drug or s.kind != "doses":
            continue
        amounts = {d.time: d.amount for d in s.step.doses}
        liquids = {d.time: d.tablets for d in s.step.doses if any(x.liquid for x in d.tablets)}
        for line in s.doses:
            amount = amounts[line.time]
            quantity = _liquid_quantity(liquids.get(line.time)) or {
                "value": amount,
                "unit": s.step.unit,
                "system": UCUM,
                "code": _UCUM_CODES.get(s.step.unit, s.step.unit),
            }
            repeat: dict[str, Any] = {
                "boundsPeriod": {
                    "start": s.step.start.isoformat(),
                    "end": s.step.end.isoformat(),
                },
            }
            text = (
                t._("Step %(number)s", number=s.number)
                + f" ({s.dates}): {line.label} {line.tablets} ({line.amount})"
            )
            instruction = f"{line.label}: {line.tablets}"
            if s.patch:
                # A patch releases a rate (rateQuantity, ug/h), worn day and night and changed
                # as prescribed: the rule file and formulary give no wear interval, so there is
                # no frequency (a daily one would read "apply one patch a day").
                change = t._("Change the patch as prescribed.")
                text += f" {change}"
                instruction += f". {change}"
                dose_and_rate: dict[str, Any] = {"rateQuantity": quantity}
            else:
                repeat.update({"frequency": 1, "period": 1, "periodUnit": "d"})
                dose_and_rate = {"doseQuantity": quantity}
            when = _WHEN[line.time]
            if when is not None:
                repeat["when"] = [when]
            out.append(
                {
                    "sequence": s.number,
                    "text": text,
                    "patientInstruction": instruction,
                    "timing": {"repeat": repeat},
                    "doseAndRate": [dose_and_rate],
                }
            )
    return out


def _medication(drug: str, name: str, guideline: Guideline | None) -> dict[str, Any]:
    concept: dict[str, Any] = {"text": name}
    if guideline is not None:
        atc = next((d.atc for d in guideline.drugs if d.id == drug), [])
        if atc:
            concept["coding"] = [{"system": ATC, "code": code, "display": drug} for code in atc]
    return concept


def build_bundle(view: PlanView) -> dict[str, Any]:
    """The Bundle as plain JSON-ready data (Decimal doses), before validation."""
    t = view.t
    plan = view.plan
    subject = {"display": t._("The patient")}
    drugs = list(dict.fromkeys(s.step.drug for s in view.steps))
    requests = []
    for drug in drugs:
        rid = _uuid(view, f"MedicationRequest|{drug}")
        name = view.drug_names.get(drug, drug)
        requests.append(
            {
                "fullUrl": f"urn:uuid:{rid}",
                "resource": {
                    "resourceType": "MedicationRequest",
                    "id": rid,
                    "language": view.lang,
                    "text": _narrative(view.title, name),
                    "status": "draft",
                    "intent": "plan",
                    "medicationCodeableConcept": _medication(drug, name, view.guideline),
                    "subject": subject,
                    "note": [{"text": view.stamp}],
                    "dosageInstruction": _dosages(view, drug),
                },
            }
        )
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
