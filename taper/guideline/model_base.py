"""The building blocks of the rule-file models: value types, the frozen base model, texts
in each language, provenance (a `source` or an `unverified` note) and sources.

The rule-file format itself is `taper.guideline.model`.
"""

# No `from __future__ import annotations` here: pydantic would evaluate every annotation
# string when the classes are made (~1.5 ms of start-up).
import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, StringConstraints

FORMAT_VERSION: Literal[1] = 1

Lang = Literal["sv", "nb", "en"]
DrugClass = Literal["benzodiazepine", "opioid"]
Route = Literal["oral", "sublingual", "transdermal", "rectal", "intranasal", "buccal"]
DoseUnit = Literal["mg", "mcg/h"]
Severity = Literal["caution", "high"]

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]
# A calendar period after an event: "14d", "2w", "1m", "6m".
Period = Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{0,3}[dwm]$")]
NonEmpty = Annotated[str, StringConstraints(min_length=1)]
# Only YAML 1.2 booleans (true/false): "yes", "on" or "NO" must never become a flag.
Flag = Annotated[bool, Strict()]


class Frozen(BaseModel):
    # defer_build: validators are built on first validation, not at import. A plan from a
    # built-in rule file never validates one (see `taper.guideline.checked`), which saves
    # ~10 ms of start-up; the models and their JSON schema are the same.
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, defer_build=True)


class LocalText(Frozen):
    """A patient- or clinician-facing text in each language the tool prints."""

    en: NonEmpty
    sv: NonEmpty | None = None
    nb: NonEmpty | None = None

    def get(self, lang: Lang) -> str:
        text: str | None = getattr(self, lang)
        return text if text is not None else self.en


class Provenance(Frozen):
    source: Slug | None = Field(
        default=None, description="Id of the source (in `sources`) that gives the numbers here."
    )
    # Read as `unverified` in the file; `unverified` below is the English text every report,
    # diff and check reads, `unverified_in` the sheet language's.
    unverified_note: NonEmpty | LocalText | None = Field(
        default=None,
        alias="unverified",
        description="Why no source gives these numbers; shown wherever they are used. One "
        "English text, or one per language (`{en: ..., sv: ..., nb: ...}`, `en` required): a "
        "Swedish or Norwegian clinician page prints its own language's.",
    )

    @property
    def unverified(self) -> str | None:
        """The note in English (the text every language falls back to)."""
        note = self.unverified_note
        return note.en if isinstance(note, LocalText) else note

    def unverified_in(self, lang: Lang) -> str | None:
        """The note in `lang` as the file gives it; None when it gives none in `lang`."""
        note = self.unverified_note
        if lang == "en" or note is None:
            return self.unverified
        return getattr(note, lang) if isinstance(note, LocalText) else None


class Source(Frozen):
    id: Slug
    title: NonEmpty
    url: NonEmpty | None = None
    date: dt.date | None = None
    kind: Literal["primary", "secondary"] = Field(
        default="primary",
        description="`secondary`: a consumer page, mirror, forum or transcription, not the issuer.",
    )
    note: str | None = None
