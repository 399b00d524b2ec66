"""The builder's input: medications resolved to drugs, kits and rules; the safety checks.

`resolve` makes one track per drug (lines of the same drug, unit and route add up);
`check_safety` refuses what needs a specialist unless `--specialist` was given.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from taper import brand_lines, equivalence, names, rotation
from taper.dose import MedicationInput, format_amount
from taper.errors import TaperError
from taper.guideline.loader import LoadedGuideline
from taper.guideline.model import Drug
from taper.plan import as_written
from taper.plan.formulary import kit_for, pain_only, release_missing
from taper.plan.rules import check_rule_choice, pace, select_rule
from taper.plan.state import BuilderBase
from taper.plan.tablets import FreeKit, Kit
from taper.plan.tracks import BEDTIME_GROUPS, Track, time_names

_DRUGS: dict[tuple[str, str, str, str | None], Drug] = {}
_EQUIVALENCE_WARNINGS: dict[tuple[str, ...], tuple[equivalence.EquivalenceWarning, ...]] = {}


def _resolve_drug(loaded: LoadedGuideline, med: MedicationInput) -> Drug:
    """`equivalence.resolve_medication` (the name, and a brand's form against the unit),
    remembered per rule file (batches repeat names)."""
    key = (loaded.sha256, med.drug_name, med.dose.unit, med.route)
    found = _DRUGS.get(key)
    if found is None:
        found = equivalence.resolve_medication(med, loaded.guideline)
        if len(_DRUGS) > 10_000:
            _DRUGS.clear()
        _DRUGS[key] = found
    return found


def _equivalence_warnings(
    loaded: LoadedGuideline, medications: list[MedicationInput]
) -> tuple[equivalence.EquivalenceWarning, ...]:
    """The threshold and substitution warnings of `convert` for these medications (cached)."""
    key = (loaded.sha256, *(m.text for m in medications))
    found = _EQUIVALENCE_WARNINGS.get(key)
    if found is None:
        found = equivalence.equivalents(medications, loaded.guideline).warnings
        if len(_EQUIVALENCE_WARNINGS) > 10_000:
            _EQUIVALENCE_WARNINGS.clear()
        _EQUIVALENCE_WARNINGS[key] = found
    return found


class InputsMixin(BuilderBase):
    # --- input ---------------------------------------------------------------------------

    def resolve(self) -> None:
        merged: dict[tuple[str, str, str], Track] = {}
        drugs = [_resolve_drug(self.loaded, m) for m in self.medications]
        check_rule_choice(self.g, drugs, self.options.rule)
        for order, (med, drug) in enumerate(zip(self.medications, drugs, strict=True)):
            # A release after a generic name ("oxycodone MR") picks the products of that
            # release, as a brand of that release does.
            released = names.release_name(med.drug_name, self.g)
            release = None if released is None else released.release
            kit = kit_for(
                self.g,
                self.loaded.sha256,
                drug.id,
                med.dose.unit,
                med.route,
                med.drug_name,
                prefer_modified=drug.drug_class == "opioid",
                release=release,
            )
            if release is not None and kit is None and med.dose.unit == "mg":
                raise TaperError(release_missing(self.g, drug.id, release, med.drug_name))
            if released is not None and release == "immediate" and med.dose.unit == "mcg/h":
                raise TaperError(
                    f"{med.drug_name!r} names an immediate-release form, but {drug.id} in mcg/h "
                    f"is a patch: write '{released.base} {format_amount(med.dose.amount)} mcg/h' "
                    "without the release word."
                )
            if kit is None:
                # Not in the formulary: usable only until a switch replaces it (checked once
                # the switches are decided), from the patient's own tablets.
                places = med.dose.amount.normalize().as_tuple().exponent
                quantum = Decimal(1).scaleb(min(-2, places if isinstance(places, int) else 0))
                route = med.route or ("transdermal" if med.dose.unit == "mcg/h" else "oral")
                kit = FreeKit(drug.id, med.dose.unit, route, quantum)
            self.as_written_product(med, drug)
            self.combination_chosen(med, drug, kit)
            key = (drug.id, kit.unit, kit.route)
            other = next((k for k in merged if k[0] == drug.id and k != key), None)
            if other is not None:
                # Two forms of one drug (a buprenorphine patch beside sublingual tablets) were
                # planned under one name: the plan's checks and the patient's pages mixed the
                # patch's mcg/h and the tablets' mg (the clinical invariants failed): refused.
                raise TaperError(
                    f"{drug.id} is listed in two forms ({other[2]}, in {other[1]}, and "
                    f"{kit.route}, in {kit.unit}); a plan tapers one form of a drug: plan the one "
                    "the patient is to keep, once a specialist has converted the other into it."
                )
            if key in merged:
                track = merged[key]
                assert track.reported is not None
                track.reported += med.dose.amount
                track.text += f"; {med.text}"
                track.given = ()  # two lines of one drug: their times are not known apart
                self.warn(
                    "merged-lines",
                    "info",
                    f"{drug.id} was given on more than one line; the plan uses the daily total "
                    f"{format_amount(track.reported)} {kit.unit}.",
                    drug.id,
                )
                continue
            if pain_only(kit.products):
                # A pain product of a substitution drug (buprenorphine patches: Norspan,
                # Butrans) is planned as the pain opioid it is, under the class's pain rule.
                drug = drug.model_copy(update={"group": "opioid", "substitution": False})
                self.pain_products.add(drug.id)
            rule = select_rule(self.g, drug, self.options.rule)
            bedtime = drug.group in BEDTIME_GROUPS
            count = rule.doses_per_day
            if bedtime and count != 1 and not kit.patch:
                # A sleeping pill is taken once, at bedtime, whatever a class-wide rule says.
                self.warn(
                    "hypnotic-at-bedtime",
                    "info",
                    f"{drug.id} is a sleeping drug: the plan gives it once a day at bedtime "
                    f"(rule {rule.id} says {count} doses a day for its class).",
                    drug.id,
                )
                count = 1
            track = Track(
                drug=drug,
                kit=kit,
                rule=rule,
                times=time_names(count, bedtime=bedtime, patch=kit.patch),
                order=order,
                text=med.text,
                reported=med.dose.amount,
                started=True,
                given=as_written.given_times(med.times),
            )
            track.pace = pace(rule, self.options)
            if med.as_needed and med.uses_per_week is not None:
                self.warn(
                    "as-needed",
                    "caution",
                    f"{drug.id} is taken as needed (about {format_amount(med.uses_per_week)} "
                    "times a week); evening out turns this into fixed doses at fixed times, "
                    f"from the average of {format_amount(med.dose.amount)} {kit.unit} a day.",
                    drug.id,
                )
            merged[key] = track
            self.tracks.append(track)
        if self.options.originals and not self.options.replan:
            raise TaperError("--original belongs to a replan (with --current and --on).")
        for original in self.options.originals:
            drug = _resolve_drug(self.loaded, original)
            found = [t for t in self.tracks if t.drug.id == drug.id]
            if not found:
                raise TaperError(
                    f"--original names {drug.id}, which is not among the current medications."
                )
            if found[0].unit != original.dose.unit:
                raise TaperError(
                    f"--original {original.text!r} is in {original.dose.unit}; the current dose "
                    f"of {drug.id} is in {found[0].unit}."
                )
            found[0].original = original.dose.amount

    def as_written_product(self, med: MedicationInput, drug: Drug) -> None:
        """A brand's strength the rule file gave, and a combination product's other
        ingredients as written: said on the clinician page; above the label's caps the plan
        is refused, since its mapping week would print that dose (taper.brand_lines)."""
        product = brand_lines.combination_product(med, drug, self.g)
        intakes = () if product is None else brand_lines.ingredient_intake(med, product, self.g)
        note = brand_lines.strength_note(med, self.g, intakes, drug.id)
        if note is not None:
            self.warn("strength-looked-up", "info", note, drug.id)
        read_as = brand_lines.combination_note(med, self.g, drug.id)
        if read_as is not None:
            self.warn("combination-read-as", "info", read_as, drug.id)
        for intake in intakes:
            if intake.over:
                raise TaperError(
                    brand_lines.over_cap_sentence(med, intake)
                    + "; a plan would print that dose, so none is made: bring the intake "
                    "within the label first."
                )
            most = intake.most_per_dose
            label = (
                f"; the label allows at most {format_amount(intake.max_per_dose)} mg a dose and "
                f"{format_amount(intake.max_per_day)} mg a day"
                if intake.max_per_dose is not None and intake.max_per_day is not None
                else ""
            )
            if intake.per_day is None:
                continue
            if most is not None:
                said = (
                    f"{drug.id} as written ({med.text}) gives up to {format_amount(most)} mg "
                    f"{intake.name} at one dose time and {format_amount(intake.per_day)} mg a day"
                )
            else:
                said = (
                    f"{drug.id} as written ({med.text}) gives {format_amount(intake.per_day)} "
                    f"mg {intake.name} a day"
                )
            self.warn("combination-as-written", "info", said + label + ".", drug.id)

    def combination_chosen(self, med: MedicationInput, drug: Drug, kit: Kit | FreeKit) -> None:
        """A generic name planned on a combination product ("codeine 30 mg 2+2+2+2" on
        acetaminophen/codeine 300/30 under us-cdc-2022): the plan adds the other ingredient,
        so the clinician page says so with the amount a day at the start (review R27)."""
        if not kit.products or names.is_brand(med.drug_name, drug, self.g):
            return
        product = kit.products[0]
        if med.combination is not None or len(product.ingredients) != 1:
            return
        other = product.ingredients[0]
        strength = product.strengths[0].amount
        per_day = brand_lines.exact_or_none(
            Fraction(med.dose.amount) / Fraction(strength) * Fraction(other.amount)
        )
        said = (
            f"{drug.id} as written ({med.text}) is planned on {product.brand}, which also holds "
            f"{format_amount(other.amount)} mg {other.name} a tablet"
        )
        if per_day is not None and other.max_per_day is not None:
            said += (
                f": {format_amount(per_day)} mg {other.name} a day at the start (label: at most "
                f"{format_amount(other.max_per_day)} mg a day)"
            )
        self.warn(
            "combination-product-chosen",
            "caution",
            f"{said}; prescribe it as this product, and the patient takes no other {other.name}.",
            drug.id,
        )

    # --- safety ----------------------------------------------------------------------------

    def check_safety(self) -> None:
        reasons: list[tuple[str, str]] = []
        for track in self.tracks:
            if equivalence.is_substitution(track.drug) and track.drug.id not in self.pain_products:
                reasons.append(
                    (
                        "substitution-drug",
                        f"{track.drug.id} is an opioid-substitution drug; its taper belongs "
                        "with the substitution programme",
                    )
                )
        for rule in dict.fromkeys(t.rule.id for t in self.tracks):
            tr = next(t for t in self.tracks if t.rule.id == rule)
            if tr.rule.specialist_required:
                reasons.append(("specialist-rule", f"rule {rule} requires a specialist"))
        # Pain-dose thresholds do not apply to agonist treatment of opioid dependence (CDC 2022,
        # shared/clinical-facts-2.md §7): substitution drugs are left out of the totals they judge.
        judged = [
            m
            for m in self.medications
            if not (
                equivalence.is_substitution(drug := _resolve_drug(self.loaded, m))
                and drug.id not in self.pain_products
            )
        ]
        try:
            found = _equivalence_warnings(self.loaded, judged) if judged else ()
        except TaperError as exc:
            found = ()
            self.warn(
                "thresholds-unchecked",
                "caution",
                f"The rule file's dose thresholds could not be checked: {exc}",
            )
        kinds = {f"threshold:{th.id}": th.kind for th in self.g.thresholds}
        # Advice about starting or raising a dose belongs to conversions, not taper plans.
        found = tuple(w for w in found if rotation.plan_warning(self.g, w.code))
        for item in found:
            # A total above a "high" threshold needs a specialist; a high-risk combination
            # (opioid with a benzodiazepine) is a warning on the plan.
            if kinds.get(item.code) == "total-above" and item.severity == "high":
                reasons.append((item.code, item.message.rstrip(".")))
            elif item.code.startswith(("threshold:", "threshold-unknown:")):
                self.warn(item.code, item.severity, item.message)
        for th in self.g.thresholds:
            if any(code == f"threshold:{th.id}" for code, _ in reasons) or any(
                w.code == f"threshold:{th.id}" for w in self.warnings
            ):
                self.used(f"threshold {th.id}", th)
        if reasons and not self.options.specialist:
            why = "; ".join(text for _, text in reasons)
            raise TaperError(
                f"This plan needs specialist sign-off: {why}. Add --specialist once a "
                "specialist has approved it."
            )
        for code, text in reasons:
            self.warn(code, "high", f"Specialist sign-off given: {text}.")

    def note_drugs(self) -> None:
        """The rule file's notes for the prescriber on the drugs this plan tapers, and on the
        drugs it switches patients to (clinician review 4, D6 and D13: tramadol's withdrawal
        and seizure risks, a lower diazepam start for older patients). Each is a plan note
        ("info") whose code names the drug and the note, so a renderer prints the rule file's
        own words in the reader's language and cites the note's source."""
        tapered = list(dict.fromkeys(t.drug.id for t in self.tracks if t.reported is not None))
        targets = list(
            dict.fromkeys(t.switch_to.drug.id for t in self.tracks if t.switch_to is not None)
        )
        by_id = {d.id: d for d in self.g.drugs}
        for when, drug_ids in (("taper", tapered), ("switch-to", targets)):
            for drug_id in drug_ids:
                for note in by_id[drug_id].clinician_notes:
                    if note.when == when:
                        self.used(f"drug {drug_id} note {note.id}", note)
                        self.warn(f"drug-note:{drug_id}:{note.id}", "info", note.text.en, drug_id)
