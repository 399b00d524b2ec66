"""Maintain the message catalogs: `python -m taper.render.catalogs update|compile|check`.

- update: extract every msgid from the renderers' code and templates and merge it into each
  language's `.po` (new entries arrive untranslated; removed ones are dropped).
- compile: write the `.mo` files the renderers load (committed, so an installed taper needs
  no build step).
- check: exit 1 if a `.po` lacks a msgid, has an untranslated or fuzzy entry, or a `.mo` does
  not hold what its `.po` compiles to (compared message by message, so another Babel version's
  header does not matter). The test suite runs the same check.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from taper.render.i18n import DOMAIN, LANGUAGES, LOCALES_DIR

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

RENDER_DIR = Path(__file__).resolve().parent
# Fixed so that `update` rewrites a .po only when its messages change.
_CREATED = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
_METHODS = [
    ("**.py", "python"),
    ("templates/**.html", "jinja2.ext:babel_extract"),
    ("templates/**.css", "jinja2.ext:babel_extract"),
]
_OPTIONS = {
    "templates/**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true"},
    "templates/**.css": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true"},
}
_HEADER = (
    "# taper: patient-facing words of the printouts and exports.\n"
    "# The msgid is the English text; translate msgstr. Maintained with\n"
    "# `python -m taper.render.catalogs update|compile|check`."
)
TRANSLATED = tuple(lang for lang in LANGUAGES if lang != "en")


def extract() -> Catalog:
    """Every msgid the renderers use, with the files that use it."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

    catalog = Catalog(domain=DOMAIN, project="taper", creation_date=_CREATED)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(RENDER_DIR),
        method_map=_METHODS,
        options_map=_OPTIONS,
        keywords={**DEFAULT_KEYWORDS, "NP_": (1, 2)},  # messages.patterns: a plural piece
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def po_path(lang: str) -> Path:
    return LOCALES_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(lang: str) -> Catalog:
    from babel.messages.pofile import read_po

    with po_path(lang).open("rb") as handle:
        return read_po(handle, locale=lang, domain=DOMAIN)


def compiled(lang: str) -> bytes:
    """The .mo that the committed .po compiles to."""
    from babel.messages.mofile import write_mo

    buffer = io.BytesIO()
    write_mo(buffer, read(lang), use_fuzzy=False)
    return buffer.getvalue()


def _mo_messages(data: bytes) -> dict[object, str]:
    """The translations a .mo holds, without its header (which names the Babel version)."""
    import gettext

    catalog: dict[object, str] = gettext.GNUTranslations(io.BytesIO(data))._catalog  # type: ignore[attr-defined]
    return {key: text for key, text in catalog.items() if key != ""}


def update() -> None:
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    template = extract()
    for lang in TRANSLATED:
        path = po_path(lang)
        if path.exists():
            catalog = read(lang)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(locale=lang, domain=DOMAIN, project="taper", creation_date=_CREATED)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.revision_date = _CREATED
        catalog.fuzzy = False
        catalog.header_comment = _HEADER
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, omit_header=False, ignore_obsolete=True)


def compile_all() -> None:
    for lang in TRANSLATED:
        po_path(lang).with_suffix(".mo").write_bytes(compiled(lang))


def problems() -> list[str]:
    """What is wrong with the catalogs, one line each; empty when all is well."""
    wanted = {m.id for m in extract() if m.id}
    out = []
    for lang in TRANSLATED:
        catalog = read(lang)
        have = {m.id: m for m in catalog if m.id}
        for msgid in sorted(wanted, key=repr):  # plural ids are (singular, plural) tuples
            message = have.get(msgid)
            if message is None:
                out.append(f"{lang}: missing {msgid!r} (run update)")
            elif not message.string or (
                isinstance(message.string, tuple) and not all(message.string)
            ):
                out.append(f"{lang}: untranslated {msgid!r}")
            elif message.fuzzy:
                out.append(f"{lang}: fuzzy {msgid!r}")
        for msgid in sorted(set(have) - wanted, key=repr):
            out.append(f"{lang}: unused {msgid!r} (run update)")
        mo = po_path(lang).with_suffix(".mo")
        if not mo.exists() or _mo_messages(mo.read_bytes()) != _mo_messages(compiled(lang)):
            out.append(f"{lang}: {mo.name} is not current (run compile)")
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    command = args[0] if args else "check"
    if command == "update":
        update()
    elif command == "compile":
        compile_all()
    elif command == "check":
        found = problems()
        for line in found:
            print(line)  # a maintainer's tool, not the taper CLI
        return 1 if found else 0
    else:
        print("usage: python -m taper.render.catalogs update|compile|check")
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
