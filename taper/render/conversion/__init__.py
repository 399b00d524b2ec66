"""Render `taper convert` and `taper compare` results: plain text and JSON.

Both are deterministic: the same input gives byte-identical output (no dates, no colour,
no terminal width). Numbers are exact decimals written without exponent or trailing zeros;
in JSON they are strings. JSON keys are sorted; lists keep the input order.

- `common`: what both write alike (numbers, doses, bases, sources, wrapping);
- `convert_as_text`, `convert_as_json`: `taper convert`;
- `compare`: `taper compare`, as text or JSON.
"""

from taper.render.conversion.common import basis_text, reference_label
from taper.render.conversion.compare import compare_json, compare_text
from taper.render.conversion.convert_as_json import convert_json, item_json, total_json
from taper.render.conversion.convert_as_text import convert_text

__all__ = [
    "basis_text",
    "compare_json",
    "compare_text",
    "convert_json",
    "convert_text",
    "item_json",
    "reference_label",
    "total_json",
]
