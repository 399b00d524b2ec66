"""The report's fixed words in en, sv and nb, and the small text helpers the renderers share."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from taper.dose import (
    format_amount,
)
from taper.guideline.model import Guideline, Lang
from taper.referral.criteria import CriterionResult

# --- words --------------------------------------------------------------------------------

_WORDS: dict[str, dict[Lang, str]] = {
    "title": {"en": "Referral check", "sv": "Remisskontroll", "nb": "Henvisningskontroll"},
    "to": {"en": "Referral to", "sv": "Remiss till", "nb": "Henvisning til"},
    "guideline": {"en": "Guideline", "sv": "Riktlinje", "nb": "Retningslinje"},
    "version": {"en": "version", "sv": "version", "nb": "versjon"},
    "date": {"en": "Date", "sv": "Datum", "nb": "Dato"},
    "verdict": {"en": "Verdict", "sv": "Bedömning", "nb": "Vurdering"},
    "verdict:meets": {
        "en": "MEETS the referral criteria",
        "sv": "UPPFYLLER remisskriterierna",
        "nb": "OPPFYLLER henvisningskriteriene",
    },
    "verdict:does-not-meet": {
        "en": "DOES NOT MEET the referral criteria",
        "sv": "UPPFYLLER INTE remisskriterierna",
        "nb": "OPPFYLLER IKKE henvisningskriteriene",
    },
    "verdict:cannot-tell": {
        "en": "CANNOT TELL yet: information is missing",
        "sv": "KAN INTE AVGÖRAS ännu: uppgifter saknas",
        "nb": "KAN IKKE AVGJØRES ennå: opplysninger mangler",
    },
    "status:meets": {"en": "meets", "sv": "uppfyllt", "nb": "oppfylt"},
    "status:does-not-meet": {"en": "does not meet", "sv": "ej uppfyllt", "nb": "ikke oppfylt"},
    "status:cannot-tell": {"en": "cannot tell", "sv": "kan ej avgöras", "nb": "kan ikke avgjøres"},
    "criteria": {"en": "Criteria", "sv": "Kriterier", "nb": "Kriterier"},
    "answer": {"en": "answer", "sv": "svar", "nb": "svar"},
    "one-of": {"en": "one of", "sv": "ett av", "nb": "ett av"},
    "yes": {"en": "yes", "sv": "ja", "nb": "ja"},
    "no": {"en": "no", "sv": "nej", "nb": "nei"},
    "missing": {"en": "Missing", "sv": "Saknas", "nb": "Mangler"},
    "missing:attempt": {
        "en": "No discontinuation attempt is given. If one was made at the treating unit, give "
        "it with --attempt-start, --attempt-end, --attempt-from, --attempt-to and "
        "--attempt-stopped.",
        "sv": "Inget utsättningsförsök är angivet. Om ett försök har gjorts på den behandlande "
        "enheten, ange det med --attempt-start, --attempt-end, --attempt-from, --attempt-to och "
        "--attempt-stopped.",
        "nb": "Ingen seponeringsforsøk er oppgitt. Hvis et forsøk er gjort ved den behandlende "
        "enheten, oppgi det med --attempt-start, --attempt-end, --attempt-from, --attempt-to og "
        "--attempt-stopped.",
    },
    "missing:attempt-stopped": {
        "en": 'Why the attempt stopped: add --attempt-stopped, e.g. "withdrawal symptoms, sleep".',
        "sv": 'Varför försöket avbröts: lägg till --attempt-stopped, t.ex. "abstinens, sömn".',
        "nb": 'Hvorfor forsøket ble avbrutt: legg til --attempt-stopped, f.eks. "abstinens, søvn".',
    },
    "missing:answer": {
        "en": "Answer with --answer {id}=yes or --answer {id}=no.",
        "sv": "Svara med --answer {id}=yes eller --answer {id}=no.",
        "nb": "Svar med --answer {id}=yes eller --answer {id}=no.",
    },
    "attempt-first": {
        "en": "A discontinuation attempt at the treating unit is required before referral; the "
        "plan below is for that attempt.",
        "sv": "Ett utsättningsförsök på den behandlande enheten krävs före remiss; planen nedan "
        "gäller det försöket.",
        "nb": "Et seponeringsforsøk ved den behandlende enheten kreves før henvisning; planen "
        "nedenfor gjelder det forsøket.",
    },
    "exclusion": {"en": "Exclusion", "sv": "Exklusion", "nb": "Eksklusjon"},
    "class:benzodiazepine": {
        "en": "benzodiazepines/z-drugs",
        "sv": "bensodiazepiner/z-läkemedel",
        "nb": "benzodiazepiner/z-hypnotika",
    },
    "class:opioid": {"en": "opioids", "sv": "opioider", "nb": "opioider"},
    "threshold-detail": {
        "en": "total {total}; threshold {above}",
        "sv": "totalt {total}; gräns {above}",
        "nb": "totalt {total}; grense {above}",
    },
    "summary": {
        "en": "Referral summary (paste into the referral)",
        "sv": "Remissunderlag (klistra in i remissen)",
        "nb": "Henvisningsgrunnlag (lim inn i henvisningen)",
    },
    "medications": {
        "en": "Medications (daily doses)",
        "sv": "Läkemedel (dygnsdoser)",
        "nb": "Legemidler (døgndoser)",
    },
    "equals": {"en": "equals", "sv": "motsvarar", "nb": "tilsvarer"},
    "total": {"en": "Total", "sv": "Totalt", "nb": "Totalt"},
    "incomplete": {
        "en": "incomplete, without",
        "sv": "ofullständigt, utan",
        "nb": "ufullstendig, uten",
    },
    "not-determined": {
        "en": "not determined",
        "sv": "kan inte bestämmas",
        "nb": "kan ikke bestemmes",
    },
    "no-factor": {
        "en": "no factor could be determined",
        "sv": "ingen faktor kunde bestämmas",
        "nb": "ingen faktor kunne bestemmes",
    },
    "source": {"en": "source", "sv": "källa", "nb": "kilde"},
    "unverified": {"en": "not from a source", "sv": "utan källa", "nb": "uten kilde"},
    "attempt": {
        "en": "Discontinuation attempt at the treating unit",
        "sv": "Utsättningsförsök på behandlande enhet",
        "nb": "Seponeringsforsøk ved behandlende enhet",
    },
    "attempt:none": {
        "en": "none documented",
        "sv": "inget dokumenterat",
        "nb": "ingen dokumentert",
    },
    "days": {"en": "days", "sv": "dagar", "nb": "dager"},
    "stopped": {"en": "stopped because", "sv": "avbröts på grund av", "nb": "avbrutt fordi"},
    "stopped:none": {
        "en": "reason not given",
        "sv": "orsak ej angiven",
        "nb": "årsak ikke oppgitt",
    },
    "plan:referral": {
        "en": "Proposed tapering plan",
        "sv": "Föreslagen nedtrappningsplan",
        "nb": "Foreslått nedtrappingsplan",
    },
    "plan:attempt": {
        "en": "Plan for the discontinuation attempt at the treating unit",
        "sv": "Plan för utsättningsförsöket på behandlande enhet",
        "nb": "Plan for seponeringsforsøket ved behandlende enhet",
    },
    "plan:none": {"en": "No plan", "sv": "Ingen plan", "nb": "Ingen plan"},
    "steps": {"en": "steps", "sv": "steg", "nb": "trinn"},
    "step": {"en": "step", "sv": "steg", "nb": "trinn"},
    "rules": {"en": "rules", "sv": "regler", "nb": "regler"},
    "from": {"en": "from", "sv": "från", "nb": "fra"},
    "last-dose": {"en": "Last dose", "sv": "Sista dos", "nb": "Siste dose"},
    "last-dose:none": {
        "en": "the plan does not reach zero",
        "sv": "planen når inte noll",
        "nb": "planen når ikke null",
    },
    "contacts": {
        "en": "{support} support talks; {aftercare} aftercare contacts until {until}",
        "sv": "{support} stödsamtal; {aftercare} eftervårdskontakter till och med {until}",
        "nb": "{support} støttesamtaler; {aftercare} oppfølgingskontakter til og med {until}",
    },
    "contacts:no-aftercare": {
        "en": "{support} support talks; no aftercare contacts",
        "sv": "{support} stödsamtal; inga eftervårdskontakter",
        "nb": "{support} støttesamtaler; ingen oppfølgingskontakter",
    },
    "specialist": {
        "en": "Needs specialist sign-off.",
        "sv": "Kräver godkännande av specialist.",
        "nb": "Krever godkjenning fra spesialist.",
    },
    "plan-warnings": {
        "en": "Plan warnings",
        "sv": "Varningar i planen",
        "nb": "Advarsler i planen",
    },
    "risk": {"en": "Risk flags", "sv": "Riskflaggor", "nb": "Risikoflagg"},
    "none": {"en": "none", "sv": "inga", "nb": "ingen"},
    "phase:mapping": {"en": "mapping", "sv": "kartläggning", "nb": "kartlegging"},
    "phase:stabilisation": {"en": "evening out", "sv": "utjämning", "nb": "stabilisering"},
    "phase:switch": {"en": "switch", "sv": "byte", "nb": "bytte"},
    "phase:taper": {"en": "taper", "sv": "nedtrappning", "nb": "nedtrapping"},
    "phase:aftercare": {"en": "aftercare", "sv": "eftervård", "nb": "ettervern"},
    "severity:info": {"en": "info", "sv": "info", "nb": "info"},
    "severity:caution": {"en": "caution", "sv": "varning", "nb": "advarsel"},
    "severity:high": {"en": "HIGH", "sv": "HÖG", "nb": "HØY"},
}


def word(key: str, lang: Lang) -> str:
    return _WORDS[key][lang]


def missing_text(result: CriterionResult, lang: Lang) -> str | None:
    if result.missing is None:
        return None
    return word(f"missing:{result.missing}", lang).replace("{id}", result.criterion.id)


# --- text helpers ---------------------------------------------------------------------


def drug_name(guideline: Guideline, drug_id: str, lang: Lang) -> str:
    """How the region writes the drug's name in `lang` (its id when the file gives none)."""
    drug = next((d for d in guideline.drugs if d.id == drug_id), None)
    if drug is None or drug.display is None:
        return drug_id
    return drug.display.get(lang)


def amount_text(value: Decimal, lang: Lang) -> str:
    return format_amount(value, lang)


def dose_text(value: Decimal, unit: str, lang: Lang) -> str:
    return f"{amount_text(value, lang)} {unit}"


def span_text(start: dt.date, end: dt.date | None) -> str:
    return f"{start.isoformat()} – {end.isoformat()}" if end is not None else start.isoformat()
