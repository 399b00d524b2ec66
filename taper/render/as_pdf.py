"""PDF from the printable HTML, via WeasyPrint (the optional `pdf` extra).

Deterministic: the creation date comes from the plan (`dcterms.created` in the HTML) and the
PDF file identifier from a hash of the HTML, so the same plan gives the same bytes.
"""

from __future__ import annotations

import hashlib
import logging

from taper.errors import TaperError
from taper.plan.model import Plan

MISSING = "PDF needs the optional extra: pip install 'taper[pdf]'"


def html_to_pdf(html: bytes, plan: Plan) -> bytes:
    try:
        import weasyprint
    except ImportError:
        raise TaperError(MISSING) from None
    except OSError as exc:  # WeasyPrint is installed but the system's Pango is not
        raise TaperError(
            f"PDF needs the Pango library (e.g. apt-get install libpango-1.0-0 "
            f"libpangoft2-1.0-0): {exc}."
        ) from None
    # WeasyPrint reports CSS it ignores on its logger; that is not the user's concern.
    logger = logging.getLogger("weasyprint")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        document = weasyprint.HTML(string=html.decode("utf-8"), base_url=None)
        identifier = hashlib.sha256(html).hexdigest()[:32].encode("ascii")
        pdf = document.write_pdf(pdf_identifier=identifier, pdf_tags=True)
    finally:
        logger.setLevel(level)
    assert isinstance(pdf, bytes)
    return pdf
