"""Combination products on the clinician's page: the paracetamol a plan gives a day at each
step, the label's least time between doses, and the lower daily limits of paracetamol.

Paralgin forte and Citodon hold paracetamol besides codeine; the plan's steps are written in
codeine, so the prescriber could not see the paracetamol total (clinical review of main). The
lower limits (3 g a day at 40-50 kg, 2 g with liver risk) are Norwegian label and agency facts
(shared/formulations.md §3b); the plan cannot know the patient's weight or liver, so they are
a caution for the prescriber, not a cap. Elsewhere they are marked Norway's, and a rule file's
own words on them (a drug note `when: paracetamol`: uk-ashton's JRCALC, which gives no figure)
stand beside the caution.
"""

from __future__ import annotations

from decimal import Decimal

from taper.dose import format_amount
from taper.guideline.model import Product
from taper.plan.calendar import Placed
from taper.plan.state import BuilderBase

PARACETAMOL = "paracetamol"
# Its US name (USAN): the per-step note says the name the product's ingredient has.
ACETAMINOPHEN = "acetaminophen"
# Every name of the ingredient (the patient's advice on the sheet reads them too).
PARACETAMOL_NAMES = (PARACETAMOL, ACETAMINOPHEN)
# Lower daily limits of paracetamol (mg): at 40-50 kg body weight, and with liver risk
# (shared/formulations.md §3b: DMP, Felleskatalogen Paralgin forte).
LOW_WEIGHT_LIMIT = Decimal(3000)
LIVER_RISK_LIMIT = Decimal(2000)


def _ranges(numbers: list[int]) -> str:
    """Step numbers as ranges: [2, 3, 4, 6] -> "2–4, 6"."""
    out: list[str] = []
    start = previous = numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == previous + 1:
            previous = n
            continue
        out.append(str(start) if start == previous else f"{start}–{previous}")
        if n is not None:
            start = previous = n
    return ", ".join(out)


class CombinationMixin(BuilderBase):
    def combination_warnings(self, placed: list[Placed]) -> None:
        products = {
            (p.drug, p.brand): p
            for p in self.g.formulary
            if any(i.name in PARACETAMOL_NAMES for i in p.ingredients)
        }
        if not products:
            return
        for drug in dict.fromkeys(item.step.drug for item in placed):
            self._paracetamol(drug, placed, products)

    def _paracetamol(
        self, drug: str, placed: list[Placed], products: dict[tuple[str, str], Product]
    ) -> None:
        by_amount: dict[Decimal, list[int]] = {}
        used: dict[str, Product] = {}
        name = PARACETAMOL
        for item in placed:
            step = item.step
            if step.drug != drug or step.phase not in ("stabilisation", "taper"):
                continue
            total = Decimal(0)
            for dose in step.doses:
                for tab in dose.tablets:
                    product = products.get((drug, tab.brand))
                    if product is None:
                        continue
                    used[product.brand] = product
                    found = next(i for i in product.ingredients if i.name in PARACETAMOL_NAMES)
                    name = found.name
                    total += tab.count * found.amount
            if total > 0:
                by_amount.setdefault(total, []).append(step.index)
        if not by_amount:
            return
        brands = " / ".join(used)
        listing = "; ".join(
            f"{_ranges(numbers)}: {format_amount(amount)} mg"
            for amount, numbers in sorted(by_amount.items(), key=lambda kv: kv[1][0])
        )
        hours = [
            p.regimen.min_hours_between_doses
            for p in used.values()
            if p.regimen is not None and p.regimen.min_hours_between_doses
        ]
        apart = f" Doses at least {max(hours)} hours apart ({brands}: label)." if hours else ""
        self.warn(
            "paracetamol-per-day",
            "info",
            f"{drug} as {brands} gives {name} a day by step (step: amount): {listing}." + apart,
            drug,
        )
        most = max(by_amount)
        # The lower limits are Norwegian label and agency facts (module docstring).
        if most > LIVER_RISK_LIMIT and name == PARACETAMOL:
            # The rule file's own words on them, where its region has a source (uk-ashton:
            # JRCALC, clinician review 6 D7), as notes beside the caution.
            own = [
                note
                for d in self.g.drugs
                if d.id == drug
                for note in d.clinician_notes
                if note.when == "paracetamol"
            ]
            # A Swedish or UK plan must not read these as its own region's figures (review 4 D8).
            if self.g.country == "NO":
                elsewhere = ""
            elif own:
                elsewhere = (
                    " These are Norwegian figures, for comparison: the note on paracetamol "
                    "gives this region's own guidance."
                )
            else:
                elsewhere = (
                    " These are Norwegian figures: the project's sources give none for this region."
                )
            self.warn(
                "paracetamol-lower-limits",
                "caution",
                f"The plan gives up to {format_amount(most)} mg paracetamol a day; paracetamol "
                f"is at most {format_amount(LOW_WEIGHT_LIMIT)} mg a day at 40–50 kg body weight "
                f"and {format_amount(LIVER_RISK_LIMIT)} mg a day with severe liver disease, "
                "cirrhosis, chronic malnutrition, chronic alcohol use or fasting (Norwegian "
                "Medicines Agency; Felleskatalogen, Paralgin forte): check the patient's weight "
                "and liver risk." + elsewhere,
                drug,
                dose=format_amount(most),
            )
            for note in own:
                self.used(f"drug {drug} note {note.id}", note)
                self.warn(f"drug-note:{drug}:{note.id}", "info", note.text.en, drug)
