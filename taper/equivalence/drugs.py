"""Drug names against one rule file: resolving a medication line to the rule file's drug."""

from __future__ import annotations

from taper.dose import MedicationInput
from taper.equivalence.results import CLASS_LABEL, CLASS_ORDER
from taper.errors import TaperError
from taper.guideline.model import (
    Drug,
    Guideline,
    Route,
)
from taper.names import (
    brand_form_problem,
    brand_with_release,
    elsewhere_message,
    example_dose,
    known_elsewhere,
    name_index,
    release_name,
    split_release,
    unknown_form_problem,
)
from taper.names import norm as _norm
from taper.names import suggestions as suggestions

# --- drug names ----------------------------------------------------------------------------


SUBSTITUTION_IDS = frozenset({"methadone", "buprenorphine", "levomethadone"})


def is_substitution(drug: Drug) -> bool:
    """An opioid-substitution drug: marked so in the rule file, or methadone/buprenorphine
    (by id or ATC N07BC) even where a file forgot to mark it — their conversions always warn."""
    return (
        drug.substitution
        or drug.group == "substitution"
        or drug.id in SUBSTITUTION_IDS
        or any(code.startswith("N07BC") for code in drug.atc)
    )


def drug_label(drug: Drug) -> str:
    return drug.display.en if drug.display is not None else drug.id


def name_table(guideline: Guideline) -> dict[str, tuple[str, set[str]]]:
    """Normalised name → (name as written, ids of the drugs it names). Read-only."""
    return name_index(guideline).names


def resolve_drug(name: str, guideline: Guideline, example: str | None = None) -> Drug:
    """The rule file's drug for a name as typed: id, brand or other name, ATC code, display
    name; case-insensitive. Unknown names raise `TaperError`: a name another shipped rule
    file knows says so (brand names are regional), else "did you mean …" for names within a
    typing slip or two. `example` is the dose for the "write '…'" hint ("10 mg")."""
    index = name_table(guideline)
    hit = index.get(_norm(name))
    if hit is None:
        released = release_name(name, guideline)
        if released is not None:  # "oxycodone MR": the drug; the plan picks the release
            return next(d for d in guideline.drugs if d.id == released.drug)
        branded = brand_with_release(name, guideline, example)
        if branded is not None:
            raise TaperError(branded)
        elsewhere = known_elsewhere(name, guideline.id)
        split = split_release(name)
        if not elsewhere and split is not None:
            name = split[0]  # "oxycodne MR": the name before the release word is unknown
            elsewhere = known_elsewhere(name, guideline.id)
        if elsewhere:
            raise TaperError(elsewhere_message(name, guideline, elsewhere, example))
        close = suggestions(name, guideline)
        message = f"Unknown drug {name!r} in rule file {guideline.id}"
        covered = [c for c in CLASS_ORDER if c in guideline.equivalence]
        if close:
            message += f". Did you mean {' or '.join(close)}?"
        elif len(covered) < len(CLASS_ORDER):
            labels = " and ".join(CLASS_LABEL[c] for c in covered) or "no"
            message += f"; it converts {labels} doses only."
        else:
            message += "."
        raise TaperError(message)
    ids = sorted(hit[1])
    if len(ids) > 1:
        raise TaperError(
            f"{name!r} names more than one drug in rule file {guideline.id} "
            f"({', '.join(ids)}): use the generic name."
        )
    return next(d for d in guideline.drugs if d.id == ids[0])


def resolve_medication(med: MedicationInput, guideline: Guideline) -> Drug:
    """`resolve_drug` for a medication line, and the brand's form checked against its unit
    (every command resolves its medications here or through `resolve_line`)."""
    local = _local_generic(med.drug_name, guideline)
    if local is not None:  # a brand of another region: its form is unknown here too
        problem = unknown_form_problem(med, local, guideline, written=local.id)
        if problem is not None:
            raise TaperError(problem)
    drug = resolve_drug(med.drug_name, guideline, example_dose(med))
    check_brand_form(med, drug, guideline)
    return drug


def _local_generic(name: str, guideline: Guideline) -> Drug | None:
    """The drug of this rule file that `name`, unknown here, names in the other shipped rule
    files, when they agree on one; None otherwise."""
    if _norm(name) in name_table(guideline):
        return None
    found = known_elsewhere(name, guideline.id)
    if len(found) != 1:
        return None
    generic = next(iter(found))
    return next((d for d in guideline.drugs if d.id == generic), None)


def check_brand_form(med: MedicationInput, drug: Drug, guideline: Guideline) -> None:
    """Refuse a brand given in the unit of another form (Norspan 10 mg, Subutex 8 mcg/h)."""
    problem = brand_form_problem(med, drug, guideline)
    if problem is not None:
        raise TaperError(problem)


def brand_route(name: str, drug: Drug, guideline: Guideline) -> Route | None:
    """The route of a formulary brand typed as the drug name (Subutex → sublingual)."""
    routes = {
        p.route for p in guideline.formulary if p.drug == drug.id and _norm(p.brand) == _norm(name)
    }
    return routes.pop() if len(routes) == 1 else None
