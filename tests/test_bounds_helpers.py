"""The CPU-time guard of the hostile and mutated rule-file tests reports a hang as a plain
failure: a full mutation run once stopped with a pytest INTERNALERROR (`tb_lineno` None in
the frame the SIGPROF handler interrupted), naming no mutant (issue 14)."""

from __future__ import annotations

import traceback

import pytest
from bounds_helpers import Hang, bounded

from taper.guideline.loader import load_guideline
from taper.plan import formulary


def _spin() -> None:
    while True:
        pass


def test_a_hang_leaves_the_guard_without_the_interrupted_frames() -> None:
    with pytest.raises(Hang, match=r"spinning took over 0\.2 s") as info, bounded(0.2, "spinning"):
        _spin()
    frames = [
        (frame.f_code.co_name, line) for frame, line in traceback.walk_tb(info.value.__traceback__)
    ]
    assert "_spin" not in [name for name, _ in frames]
    assert "alarm" not in [name for name, _ in frames]
    assert all(line is not None for _, line in frames)
    # The interrupted Hang is its context (the one being handled), never shown with it.
    assert info.value.__suppress_context__
    assert info.value.__cause__ is None


def test_a_block_within_its_time_is_untouched() -> None:
    with bounded(5.0, "nothing"):
        total = sum(range(1000))
    assert total == 499500


def test_the_kit_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """It grew with every rule file a process saw (a full mutation run: 14,000 files), and
    the garbage collector's passes over it made a validation take seconds of CPU."""
    monkeypatch.setattr(formulary, "_KITS", {})
    monkeypatch.setattr(formulary, "_KIT_LOOKUPS", {})
    monkeypatch.setattr(formulary, "KIT_CACHE_SIZE", 2)
    loaded = load_guideline("uk-ashton")
    for drug in ("diazepam", "oxazepam", "lorazepam", "clonazepam"):
        for sha in ("a", "b"):  # as two rule files
            assert formulary.kit_for(loaded.guideline, sha, drug, "mg", None) is not None
            assert len(formulary._KITS) <= 2
