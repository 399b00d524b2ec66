"""A dose as words: tablets, a patch and when it is changed, an oral solution with its
concentration and device, what to dispense. Nothing here computes a dose: it says what the
planner decided."""

from __future__ import annotations

from collections.abc import Iterable

from taper.plan.model import Dispense, DoseAtTime, Step, TabletCount
from taper.render.i18n import Texts
from taper.render.labels import DOSE_TIMES


def tablet_text(t: Texts, tablet: TabletCount) -> str:
    if tablet.liquid is not None:
        return liquid_text(t, tablet)
    return f"{t.count(tablet.count)} × {tablet.brand} {t.amount(tablet.strength, tablet.unit)}"


def patch_hours(tablets: Iterable[TabletCount]) -> int | None:
    """How often these patches are replaced, in hours (the shortest of their label
    intervals); None when none has one: then they are changed as prescribed."""
    return min((tab.change_hours for tab in tablets if tab.change_hours), default=None)


def patch_change_text(t: Texts, dose: DoseAtTime) -> str:
    """When a patch dose's patches are replaced (fentanyl every 72 hours, Norspan every 7
    days); empty for anything else."""
    hours = patch_hours(dose.tablets)
    if not hours:
        return ""
    several = sum(tab.count for tab in dose.tablets) > 1
    if hours % 168 == 0:
        if several:
            return t._(", new patches every %(days)s days", days=hours // 24)
        return t._(", a new patch every %(days)s days", days=hours // 24)
    if several:
        return t._(", new patches every %(hours)s hours", hours=hours)
    return t._(", a new patch every %(hours)s hours", hours=hours)


def liquid_text(t: Texts, tablet: TabletCount) -> str:
    """A liquid dose always says mg, ml (or drops), the concentration and the measuring
    device: mixing up mg and ml, or concentrations, has caused fatal overdoses."""
    measure = tablet.liquid
    assert measure is not None
    mg = t.amount(tablet.count * tablet.strength, tablet.unit)
    concentration = t.amount(measure.mg_per_ml, f"{tablet.unit}/ml")
    if measure.device == "dropper":
        return t._(
            "%(mg)s = %(drops)s drops of %(brand)s (%(concentration)s), counted with its dropper",
            mg=mg,
            drops=t.number(tablet.count),
            brand=tablet.brand,
            concentration=concentration,
        )
    return t._(
        "%(mg)s = %(ml)s of %(brand)s (%(concentration)s), measured with an oral syringe",
        mg=mg,
        ml=t.amount(tablet.count, "ml"),
        brand=tablet.brand,
        concentration=concentration,
    )


def liquid_amount(t: Texts, tablet: TabletCount) -> str:
    """A liquid dose as mg = ml (or drops), for a row that names the product, its
    concentration and device (`liquid_product`)."""
    measure = tablet.liquid
    assert measure is not None
    mg = t.amount(tablet.count * tablet.strength, tablet.unit)
    if measure.device == "dropper":
        return t._("%(mg)s = %(drops)s drops", mg=mg, drops=t.number(tablet.count))
    return f"{mg} = {t.amount(tablet.count, 'ml')}"


def liquid_product(t: Texts, tablet: TabletCount) -> str:
    """An oral solution's name with its concentration and measuring device."""
    measure = tablet.liquid
    assert measure is not None
    concentration = t.amount(measure.mg_per_ml, f"{tablet.unit}/ml")
    if measure.device == "dropper":
        return t._(
            "%(brand)s (%(concentration)s), counted with its dropper",
            brand=tablet.brand,
            concentration=concentration,
        )
    return t._(
        "%(brand)s (%(concentration)s), measured with an oral syringe",
        brand=tablet.brand,
        concentration=concentration,
    )


def dispense_text(t: Texts, d: Dispense) -> str:
    """What to dispense for a step: tablets, or the ml (drops) of an oral solution with its
    concentration."""
    concentration = t.amount(d.strength, f"{d.unit}/ml")
    if d.measure == "ml":
        return t._(
            "%(ml)s of %(brand)s (%(concentration)s)",
            ml=t.amount(d.tablets, "ml"),
            brand=d.brand,
            concentration=concentration,
        )
    if d.measure == "drops":
        return t._(
            "%(drops)s drops of %(brand)s (%(per_drop)s a drop)",
            drops=t.number(d.tablets),
            brand=d.brand,
            per_drop=t.amount(d.strength, d.unit),
        )
    return f"{t.number(d.tablets)} × {d.brand} {t.amount(d.strength, d.unit)}"


def tablets_text(t: Texts, dose: DoseAtTime, unit: str) -> str:
    return " + ".join(tablet_parts(t, dose, unit))


def tablet_parts(t: Texts, dose: DoseAtTime, unit: str) -> list[str]:
    """What to take at one time, one entry per tablet kind. A dose without tablets of the
    formulary (a drug not in it, taken from the patient's own tablets until the switch
    replaces it) is shown as its amount: the patient still needs to know how much."""
    if dose.tablets:
        parts = [tablet_text(t, tablet) for tablet in dose.tablets]
        parts[-1] += patch_change_text(t, dose)
        return parts
    if dose.amount > 0:
        return [t._("%(amount)s, own tablets", amount=t.amount(dose.amount, unit))]
    return ["–"]


def in_day_order(step: Step) -> list[DoseAtTime]:
    """A step's doses in the day's order (`DOSE_TIMES`): every format lists them so."""
    return sorted(step.doses, key=lambda d: DOSE_TIMES.index(d.time))


def is_rate(unit: str) -> bool:
    """A delivery rate (a patch's mcg/h), not an amount taken."""
    return unit.endswith("/h")
