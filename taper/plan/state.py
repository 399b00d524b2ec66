"""The builder's shared state: the rule file, options, tracks, the day and the warnings.

`BuilderBase` is what every part of the builder (inputs, periods, switching, review, the
phases in `builder.py`) reads and writes; its own methods record warnings and provenance.
"""

from __future__ import annotations

from typing import Literal

from taper.dose import MedicationInput
from taper.errors import TaperError
from taper.guideline.loader import LoadedGuideline
from taper.guideline.model import Guideline, Lang, Provenance
from taper.plan.calendar import check_start
from taper.plan.fast import trusted
from taper.plan.model import (
    PlanWarning,
)
from taper.plan.options import Pause, PlanOptions
from taper.plan.tracks import Track

Severity = Literal["info", "caution", "high"]
LANGS: dict[str, Lang] = {"sv": "sv", "nb": "nb", "en": "en"}


class BuilderBase:
    """A plan in the making (see `taper.plan.builder`)."""

    def __init__(
        self, medications: list[MedicationInput], loaded: LoadedGuideline, options: PlanOptions
    ) -> None:
        if not medications:
            raise TaperError('No medication given: add --med "DRUG AMOUNT UNIT".')
        self.loaded = loaded
        self.g: Guideline = loaded.guideline
        self.options = options
        self.medications = medications
        self.day = 0
        self.tracks: list[Track] = []
        self.warnings: list[PlanWarning] = []
        self.unverified: dict[str, None] = {}
        # Drugs planned from pain products only (buprenorphine patches), not as substitution.
        self.pain_products: set[str] = set()
        # By day only: two pauses from one day keep their order (a Pause does not compare).
        self.pending: list[tuple[int, Pause]] = sorted(
            (((p.on - options.start).days, p) for p in options.pauses), key=lambda item: item[0]
        )
        for offset, pause in self.pending:
            if offset < 0:
                raise TaperError(f"--pause {pause.on.isoformat()} is before the plan starts.")
            if pause.days < 1:
                raise TaperError(f"--pause {pause.on.isoformat()}: give at least 1 day.")
        check_start(options)
        lang = options.lang or self.g.language
        if lang not in LANGS:
            raise TaperError(f"Unknown language {lang!r}: use sv, nb or en.")
        self.lang: Lang = LANGS[lang]

    # --- warnings and provenance ---------------------------------------------------------

    def warn(
        self,
        code: str,
        severity: Severity,
        message: str,
        drug: str | None = None,
        **params: str,
    ) -> None:
        self.warnings.append(
            trusted(
                PlanWarning,
                code=code,
                severity=severity,
                message=message,
                drug=drug,
                params=dict(params),
            )
        )

    def used(self, what: str, item: Provenance | None) -> None:
        if item is not None and item.unverified:
            self.unverified[f"{what}: {item.unverified}"] = None
