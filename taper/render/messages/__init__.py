"""The planner's English sentences (step notes, warnings) in the reader's language.

A plan is language-neutral data: its step notes and warning messages are English, and a
warning's `params` hold only some of its values. So that the JSON of a plan stays as it is,
the renderers translate at print time: each kind of sentence the planner writes has an
English pattern here, and a message is translated when it is read, piece by piece, from
beginning to end by the patterns of its kind. A message that does not read completely is
shown as the planner wrote it (tests render a broad set of plans to check that none is).

- `patterns`: a piece (an English pattern and its msgid) and the patterns' shared parts;
- `clauses`: sub-clauses read with pieces of their own (a rule, a hint, a product);
- `notes`: the step notes;
- `start_warnings`, `step_warnings`, `switch_warnings`: the warnings, by topic;
- `reader`: `Reader`, which reads a sentence and shows its values the reader's way.

A new sentence of the planner needs its pattern in `notes` or a warning table, and its msgid
in the catalogs (`python -m taper.render.catalogs update`).
"""

from taper.render.messages.notes import NOTES, PATCH_NOTES
from taper.render.messages.patterns import N_, Piece, piece
from taper.render.messages.reader import WARNINGS, Reader

__all__ = ["NOTES", "N_", "PATCH_NOTES", "WARNINGS", "Piece", "Reader", "piece"]
