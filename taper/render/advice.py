"""What a patient must know about the products in the plan, in plain words: depot tablets
swallowed whole at their interval, a combination's paracetamol, the label's least time
between doses. The printed sheet shows all of it on the patient's pages; the text and
Markdown outputs carry the paracetamol and interval lines under the plan's facts (clinician
review 2: they had only been on the sheet, or only on the clinician page).
"""

from __future__ import annotations

from decimal import Decimal

from taper.plan.combinations import PARACETAMOL_NAMES
from taper.plan.dose_clock import clock_hours
from taper.render.clock import clock_of, product_times
from taper.render.driving import driving_line
from taper.render.labels import N_
from taper.render.view import PlanView, Topics


def depot_advice(view: PlanView) -> str | None:
    """What a patient on modified-release tablets must know: swallow whole, and the interval
    of the product's regimen (the rule file's, never a guess)."""
    t = view.t
    depot = {
        (x.brand, x.strength)
        for s in view.plan.steps
        for d in s.doses
        for x in d.tablets
        if x.modified_release
    }
    if not depot:
        return None
    advice = t._("Slow-release (depot) tablets: swallow them whole; do not split or crush them.")
    brands = {brand for brand, _ in depot}
    products = view.guideline.formulary if view.guideline is not None else []
    intervals = {
        p.regimen.interval_hours
        for p in products
        if p.brand in brands and p.modified_release and p.regimen is not None
    }
    if intervals == {12}:
        advice += " " + t._("Take them 12 hours apart (for example at 8 am and 8 pm).")
    elif intervals == {24}:
        advice += " " + t._("Take them once a day, at the same time each day.")
    return advice


def paracetamol_advice(view: PlanView) -> str | None:
    """For a combination product with paracetamol (Citodon, Paralgin forte): the most
    paracetamol a day the plan gives, and not to take other paracetamol besides (the
    clinician's page has it by step; a patient needs the plain rule)."""
    if view.guideline is None:
        return None
    # Paracetamol by either of its names: us-cdc-2022 calls it acetaminophen, and its
    # patients got no line at all (review of 2026-12-03).
    found = [
        (p, i)
        for p in view.guideline.formulary
        for i in p.ingredients
        if i.name in PARACETAMOL_NAMES
    ]
    if not found:
        return None
    per_unit = {(p.drug, p.brand): i.amount for p, i in found}
    name = found[0][1].name  # as the rule file (and the product's label) names it
    most = Decimal(0)
    brands: dict[str, None] = {}
    for step in view.plan.steps:
        if step.phase not in ("stabilisation", "taper"):
            continue
        total = Decimal(0)
        for dose in step.doses:
            for tablet in dose.tablets:
                amount = per_unit.get((step.drug, tablet.brand))
                if amount is not None:
                    total += tablet.count * amount
                    brands[tablet.brand] = None
        most = max(most, total)
    if not most:
        return None
    t = view.t
    # Each tablet's amount and the plan's most a day, not "at most X a day" alone, which a
    # patient could read as leave to take that much (nurse review 4).
    per_tablet = " / ".join(
        t.amount(amount, "mg")
        for amount in dict.fromkeys(
            per_unit[(s.drug, b)]
            for s in view.plan.steps
            for b in brands
            if (s.drug, b) in per_unit
        )
    )
    if name != "paracetamol":
        return t._(
            "%(product)s: each tablet contains %(per_tablet)s %(ingredient)s (paracetamol), "
            "and your doses give at most %(amount)s a day. Do not take any other medicine "
            "that contains %(ingredient)s: many painkillers and cold remedies do.",
            product=" / ".join(brands),
            per_tablet=per_tablet,
            ingredient=name,
            amount=t.amount(most, "mg"),
        )
    return t._(
        "%(product)s: each tablet contains %(per_tablet)s paracetamol, and your doses give at "
        "most %(amount)s a day. Do not take any other medicine that contains paracetamol: "
        "many painkillers and cold remedies do.",
        product=" / ".join(brands),
        per_tablet=per_tablet,
        amount=t.amount(most, "mg"),
    )


def interval_advice(view: PlanView) -> list[str]:
    """The label's least time between two doses of each product the plan gives (Paralgin
    forte: at least 6 hours), one line a product: the dose-time names alone (morning,
    midday, afternoon, evening) do not say it (clinician review 2, no-06). Where the names
    cannot hold the doses the plan labels them by the clock (taper.render.clock), and the
    line gives the same hours (clinician review 6, D8)."""
    return list(dict.fromkeys(line for _, line in interval_lines(view)))


def interval_lines(view: PlanView) -> list[tuple[str, str]]:
    """Each product's line of `interval_advice`, with the product's brand: the printed sheet
    puts a line above the first row that takes the product (nurse review 9, N5)."""
    out = []
    for brand, hours, times in product_times(view.plan, view.guideline):
        line = view.t._(
            "%(product)s: at least %(hours)s hours between doses.", product=brand, hours=hours
        )
        example = _clock_line(view, brand, hours, times)
        if example:
            line += " " + example
        out.append((brand, line))
    return out


# Doses the day's names hold are given an example from 08, as the depot tablets' "8 am and
# 8 pm" (nurse review 6: co-codamol's four doses 4 hours apart, 1 g paracetamol each, had no
# hours, so "midday" and "afternoon" could come too close; project choice).
EXAMPLE_FIRST_HOUR = 8


def _day_example(times: int, hours: int) -> tuple[int, ...] | None:
    """Hours for `times` doses `hours` apart from 08, where they end by 22; else None."""
    if times < 2 or EXAMPLE_FIRST_HOUR + (times - 1) * hours > 22:
        return None
    return tuple(EXAMPLE_FIRST_HOUR + n * hours for n in range(times))


def _clock_line(view: PlanView, brand: str, hours: int, times: int) -> str | None:
    """The hours the plan's dose times stand for, and, where they do not fit a waking day,
    that they do not (four doses 6 hours apart take 18 hours: the last is at bedtime)."""
    clock = clock_of(view.plan, brand, hours, times)
    if clock is None or list(view.clock.values()) != clock.text:
        # The day's names show the interval; or the labels are not this product's clock,
        # so the hours are only an example (clinician review 3, nurse review 3).
        hours_of_day = clock_hours(times, hours) or _day_example(times, hours)
        if hours_of_day is None:
            return None
        shown = [view.t.hour(hour) for hour in hours_of_day]
        return view.t._(
            "For example at %(first)s and %(last)s.", first=", ".join(shown[:-1]), last=shown[-1]
        )
    first, last = ", ".join(clock.text[:-1]), clock.text[-1]
    if clock.awake:
        return view.t._("Your dose times: %(first)s and %(last)s.", first=first, last=last)
    return view.t._(
        "%(times)s doses %(hours)s hours apart take %(span)s hours, longer than most people "
        "are awake: your dose times are %(first)s and %(last)s, the last at bedtime.",
        times=times,
        hours=hours,
        span=clock.span,
        first=first,
        last=last,
    )


def patient_lines(view: PlanView) -> list[str]:
    """The lines the text and Markdown outputs carry under the plan's facts: the "do not stop
    on your own" sentence first (clinician review 8: the text of a benzodiazepine plan said nothing
    of a sudden stop, which the sheet's "Important" box says; the opioid items stand among
    the talk topics there)."""
    paracetamol = paracetamol_advice(view)
    stops = [line for line in safety_items(view) if line in stop_items(view)]
    driving = driving_line(view)
    return [
        *stops,
        *([driving] if driving else []),
        *([paracetamol] if paracetamol else []),
        *interval_advice(view),
        *patch_safety(view),
    ]


# The opioid talk items that are warnings, not talk topics: lost tolerance, overdose with
# alcohol or sleeping pills, naloxone (the rule files' `aftercare.opioid_content` ids; the
# late-symptoms item stays a topic). A project choice of where to print them, not new text.
SAFETY_CONTENT = (
    "sudden-stop",
    "opioid-sudden-stop",
    "lost-tolerance",
    "overdose-risk",
    "naloxone",
)
# Said for a benzodiazepine (z-drugs included) only: its source, Vård och insats, is about
# them (nurse review 4: a diazepam sheet had no "Important" box at all).
SEDATIVE_ONLY = frozenset({"sudden-stop"})
# Said for every plan with an opioid, where the rule file has the sentence (us-cdc-2022: CDC
# 2022; uk-ashton: NICE NG215; nurse review 10, F9: an opioid sheet had no such line).
OPIOID_ONLY = frozenset({"opioid-sudden-stop"})


def safety_items(view: PlanView) -> list[str]:
    """The rule file's own sentences for this plan's opioid safety items, in SAFETY_CONTENT's
    order: the patient's "Important" box (under the talk topics they read as a topic, nurse
    review 2 A-12)."""
    if view.guideline is None or view.guideline.checkpoints is None:
        return []
    used = {cid for c in view.plan.checkpoints for cid in c.content}
    own = {c.id: c.text.get(view.lang) for c in view.guideline.checkpoints.content}
    drugs = {s.drug for s in view.plan.steps}
    classes = {d.drug_class for d in view.guideline.drugs if d.id in drugs}
    sedative = "benzodiazepine" in classes  # z-drugs are in the benzodiazepine class
    opioid = "opioid" in classes
    # A stop item is the rule file's sentence for every plan of its class; the other opioid
    # items stand where the plan's talks use them.
    return [
        own[cid]
        for cid in SAFETY_CONTENT
        if cid in own
        and (sedative if cid in SEDATIVE_ONLY else opioid if cid in OPIOID_ONLY else cid in used)
    ]


def stop_items(view: PlanView) -> list[str]:
    """The rule file's sentences of the items said for every plan of a class (do not stop on
    your own)."""
    if view.guideline is None or view.guideline.checkpoints is None:
        return []
    stops = SEDATIVE_ONLY | OPIOID_ONLY
    return [c.text.get(view.lang) for c in view.guideline.checkpoints.content if c.id in stops]


def topics_besides(view: PlanView, said: list[str]) -> list[Topics]:
    """The talk topics without the sentences printed elsewhere; a topic left empty goes."""
    kept = []
    for topic in view.topics:
        content = [i for i in topic.content if i not in said]
        kept.append(Topics(topic.label, content, printed_links(topic.links, content)))
    return [topic for topic in kept if topic.content or topic.links]


def readable(link: str) -> str:
    """An address as a patient reads and types it: "selvhjelp.no", not "https://www.selvhjelp.no"."""
    bare = link.split("://", 1)[-1].removeprefix("www.")
    return bare.rstrip("/")


def printed_links(links: list[str], content: list[str]) -> list[str]:
    """A topic's links on the printed page: each once, readable, and only where no item of the
    topic already names it (nurse review 8: "• https://www.selvhjelp.no" under the item that
    ends "(selvhjelp.no)" read like a leftover source link)."""
    names = [readable(link) for link in links]
    return [n for n in dict.fromkeys(names) if not any(n in item for item in content)]


# Where the lines of the patch advice come from, with the patch drugs each covers: the
# clinician page lists those of the plan's patches (nurse review 3, S-7). Public pages of
# regulators, label holders and hospitals: the publisher and what the page covers, in the
# reader's words (nurse review 9, N12: no English around a title on a Swedish page).
PATCH_SOURCES: tuple[tuple[frozenset[str], str, str], ...] = (
    (
        frozenset({"fentanyl", "buprenorphine"}),
        N_("Lyfjastofnun (Icelandic Medicines Agency), heat and opioid patches"),
        "https://lyfjastofnun.is/frettir/varist-beinan-hita-samhlida-notkun-opioidaplastra",
    ),
    (
        frozenset({"fentanyl"}),
        N_(
            "Statens legemiddelverk, fentanyl patches (check that it sticks, fold used patches, "
            "a patch on another person)"
        ),
        "https://legemiddelverket.no/nyheter/viktige-forsiktighetsregler-ved-bruk-av-smerteplaster",
    ),
    (
        frozenset({"fentanyl"}),
        N_("KK Women's and Children's Hospital, Singapore, fentanyl patch (fever)"),
        "https://www.kkh.com.sg/patient-care/medicine/fentanyl-patch/other-info",
    ),
    (
        frozenset({"fentanyl"}),
        N_("MedlinePlus via Cigna, fentanyl patch (a patch that falls off)"),
        "https://www.cigna.com/knowledge-center/hw/medications/fentanyl-transdermal-patch-a601202",
    ),
    (
        frozenset({"buprenorphine"}),
        N_("Butrans Medication Guide, DailyMed (fever)"),
        "http://dailymed.nlm.nih.gov/dailymed/medguide.cfm?setid=794aa355-66de-41b8-aedf-f2c40f6bc664",
    ),
    (
        frozenset({"buprenorphine"}),
        N_("Butrans administration, Purdue (a patch that falls off; disposal)"),
        "https://butrans.com/dosing/administration/",
    ),
    (
        frozenset({"buprenorphine"}),
        N_("MedlinePlus via Allegiance Health, buprenorphine patch (a patch on another person)"),
        "http://www.allegiancehealth.org/wellness/medications/94003459",
    ),
)


def patch_sources(view: PlanView) -> list[str]:
    """The sources of the patch advice for this plan's patches (clinician page)."""
    drugs = set(patch_drugs(view))
    return [f"{view.t._(what)}: {url}" for covers, what, url in PATCH_SOURCES if covers & drugs]


def patch_drugs(view: PlanView) -> list[str]:
    """The drugs the plan gives as patches, in the plan's order."""
    return list(dict.fromkeys(s.step.drug for s in view.steps if s.patch and s.step.dose > 0))


def patch_safety(view: PlanView) -> list[str]:
    """What a patient wearing an opioid patch must know, in plain words (nurse review 3, S-7):
    heat and fever let more medicine through the skin, check that it sticks, what to do if it
    falls off or sticks to someone else, and how to get rid of a used one. Each line is in a
    source of PATCH_SOURCES for the patch it is shown for; folding the used patch is sourced
    for fentanyl only, so a buprenorphine-only plan says to get rid of it safely."""
    drugs = patch_drugs(view)
    if not drugs:
        return []
    t = view.t
    lines = [
        t._(
            "No sauna, hot bath, heating pad, electric blanket or sunbathing: heat makes the "
            "medicine pass into the body too fast."
        ),
        t._(
            "If you get a fever, call your contact person: more medicine then passes through "
            "the skin."
        ),
        t._(
            "Check often that the patch sticks. If it falls off, put a new one on another "
            "place and tell your contact person."
        ),
        t._("If a patch sticks to someone else, take it off at once and call a doctor."),
    ]
    if "fentanyl" in drugs:
        lines.append(
            t._(
                "Fold a used patch with the sticky side inwards, keep it away from children "
                "and ask your pharmacy how to get rid of it."
            )
        )
    else:
        lines.append(
            t._(
                "Keep used patches away from children and ask your pharmacy how to get rid of them."
            )
        )
    return lines
