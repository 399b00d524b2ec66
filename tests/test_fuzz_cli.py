"""Bad input, everywhere: generated argument lists and file contents thrown at every command.

Whatever a user types or an editor saves, taper must answer with exit code 0, 1 or 2, say
something on failure (a short message for exit 2), never print a traceback or "internal
error", and never hang. Each command runs in-process through `taper.cli.main`.

The commands and their options are read from the typer app, so a new command or option is
fuzzed without touching this file; values are chosen by the option's name (dates for
`--start`, medications for `--med`, rule files for `--guideline`, ...), mixed with junk.
`test_every_command_is_fuzzed` fails when a command appears that the value table has never
seen, as a reminder to give its options meaningful values.

Found failures are pinned as named regression tests at the end of this file.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer.main
from conftest import hang_guard
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from taper.cli import app, main
from taper.guideline.registry import builtin_files

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted(builtin_files().items())
GUIDELINE_TEXTS = [path.read_text(encoding="utf-8") for _, path in SHIPPED]
BATCH_CSVS = sorted((ROOT / "tests" / "corpus" / "csv").glob("valid-*.csv"))

EXPECTED_COMMANDS = {
    "guidelines list",
    "guidelines show",
    "guidelines validate",
    "guidelines diff",
    "convert",
    "compare",
    "plan",
    "referral",
    "batch",
    "schema",
}
HANG_SECONDS = 30  # a run this long is a hang, not a slow run

# TAPER_FUZZ_EXAMPLES=1000 for a longer hunt than CI's default.
SETTINGS = settings(
    max_examples=int(os.environ.get("TAPER_FUZZ_EXAMPLES", "100")),
    deadline=5000,  # ms per run; generous for CI machines, tight enough to catch a loop
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=False,
)


# --- the command tree ---------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    name: str
    opts: tuple[str, ...]  # empty for an argument
    flag: bool

    @property
    def positional(self) -> bool:
        return not self.opts or not self.opts[0].startswith("-")


def _walk(command: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
    subcommands = getattr(command, "commands", None)
    if subcommands:
        for name, sub in sorted(subcommands.items()):
            yield from _walk(sub, (*path, name))
    else:
        yield path, command


def _params(command: Any) -> tuple[Param, ...]:
    out = []
    for p in command.params:
        opts = tuple(getattr(p, "opts", ()) or ())
        out.append(Param(str(p.name), opts, bool(getattr(p, "is_flag", False))))
    return tuple(out)


COMMANDS: dict[tuple[str, ...], tuple[Param, ...]] = {
    path: _params(cmd) for path, cmd in _walk(typer.main.get_command(app), ())
}


# --- values ---------------------------------------------------------------------------------

DRUGS = [
    "oxazepam", "Sobril", "diazepam", "alprazolam", "zopiclone", "zopiklon", "zolpidem",
    "nitrazepam", "oxycodone", "oxikodon", "morphine", "fentanyl patch", "buprenorphine",
    "methadone", "metadon", "tramadol", "codeine", "lorazepam", "klonazepam", "unknownium",
]  # fmt: skip
UNITS = ["mg", "mg/d", "mcg/h", "µg/h", "g", "ml", "", "mg mg", "tablets"]
junk_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="\x00"),
    max_size=40,
)
numbers = st.one_of(
    st.integers(-10, 10**6).map(str),
    st.decimals(min_value=-100, max_value=10**5, places=3, allow_nan=False).map(str),
    st.sampled_from(["0", "0,5", "7,5", "1e9", "NaN", "inf", "-0", "1.2.3", "9" * 20]),
)  # fmt: skip
amounts = st.one_of(
    numbers,
    st.decimals(min_value=0, max_value=200, places=2, allow_nan=False).map(
        lambda d: str(d).replace(".", ",")
    ),
)
medications = st.one_of(
    st.builds(
        lambda drug, amount, unit: f"{drug} {amount} {unit}".strip(),
        st.sampled_from(DRUGS),
        amounts,
        st.sampled_from(UNITS),
    ),
    junk_text,
)
dates = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2028, 12, 31)).map(
        lambda d: d.isoformat()
    ),
    st.sampled_from(["2026-02-30", "05/01/2026", "today", "", "9999-12-31", "0001-01-01"]),
    junk_text,
)  # fmt: skip


def _drug_words(gid: str) -> list[str]:
    from taper.guideline.loader import load_guideline

    words = []
    for drug in load_guideline(gid).guideline.drugs:
        words += [drug.id, *drug.names]
    return words


def _plannable(gid: str) -> list[tuple[str, str]]:
    """(drug word, unit) pairs the guideline's formulary can make tablets or patches of."""
    from taper.guideline.loader import load_guideline

    guideline = load_guideline(gid).guideline
    units = {p.drug: p.unit for p in guideline.formulary if p.marketed}
    return [
        (word, units[drug.id])
        for drug in guideline.drugs
        if drug.id in units
        for word in (drug.id, *drug.names)
    ]


DRUG_WORDS = {gid: _drug_words(gid) for gid, _ in SHIPPED}
PLANNABLE = {gid: _plannable(gid) for gid, _ in SHIPPED}
good_amounts = st.one_of(
    st.sampled_from(["1", "2,5", "5", "7.5", "10", "15", "20", "25", "30", "40", "60", "90"]),
    st.decimals(min_value="0.25", max_value=120, places=2, allow_nan=False).map(str),
)
plan_amounts = st.sampled_from(["2", "5", "7,5", "10", "12.5", "15", "20", "25", "30", "45", "60"])
good_dates = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2028, 12, 31)).map(
    lambda d: d.isoformat()
)


def good_med(gid: str) -> st.SearchStrategy[str]:
    """A medication the guideline knows, at a plausible daily dose (patches in mcg/h)."""
    return st.builds(
        lambda word, amount, unit: f"{word} {amount} {unit}",
        st.sampled_from(DRUG_WORDS[gid]),
        good_amounts,
        st.sampled_from(["mg", "mg", "mg", "mcg/h"]),
    )


guideline_ids = st.sampled_from([*(gid for gid, _ in SHIPPED), "se", "vgr", "", "../x"])
formats = st.sampled_from(
    ["text", "json", "markdown", "html", "csv", "ics", "fhir", "pdf", "parsable", "github",
     "xml", ""]
)  # fmt: skip
langs = st.sampled_from(["sv", "nb", "en", "de", "", "SV"])


# --- files ------------------------------------------------------------------------------------


@st.composite
def mutated(draw: st.DrawFn, base: str) -> str:
    """`base` with a few edits: cut, insert junk, blow up a number, duplicate or drop a line."""
    text = base
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["cut", "insert", "number", "dup", "drop", "truncate"]))
        at = draw(st.integers(0, max(len(text) - 1, 0)))
        if kind == "cut":
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
        elif kind == "insert":
            text = text[:at] + draw(junk_text) + text[at:]
        elif kind == "number":
            digits = [i for i, c in enumerate(text) if c.isdigit()]
            if digits:
                i = digits[draw(st.integers(0, len(digits) - 1))]
                text = (
                    text[:i]
                    + draw(st.sampled_from(["-1", "0", "1e999", "9" * 30, ".5"]))
                    + (text[i + 1 :])
                )
        elif kind in ("dup", "drop"):
            lines = text.split("\n")
            j = draw(st.integers(0, max(len(lines) - 1, 0)))
            if kind == "dup":
                lines.insert(j, lines[j])
            else:
                del lines[j]
            text = "\n".join(lines)
        else:
            text = text[:at]
    return text


@st.composite
def batch_csv(draw: st.DrawFn) -> str:
    delimiter = draw(st.sampled_from([",", ";"]))
    rows = [delimiter.join(["patient_id", "guideline", "start", "medication"])]
    for _ in range(draw(st.integers(0, 6))):
        gid = draw(st.sampled_from([g for g, _ in SHIPPED]))
        good = draw(st.integers(0, 3)) > 0
        cells = [
            draw(st.one_of(st.sampled_from(["P1", "P2", "p1", "", "../x", "A B"]), junk_text)),
            gid if good else draw(guideline_ids),
            draw(good_dates if good else dates),
            draw(good_med(gid) if good else medications),
        ]
        if delimiter == "," and any("," in c for c in cells):
            cells = ['"' + c.replace('"', '""') + '"' for c in cells]
        rows.append(delimiter.join(cells))
    return "\n".join(rows) + "\n"


file_bytes = st.one_of(
    st.sampled_from(GUIDELINE_TEXTS).flatmap(mutated).map(str.encode),
    st.sampled_from(GUIDELINE_TEXTS).map(str.encode),
    batch_csv().map(str.encode),
    batch_csv().map(str.encode),
    st.sampled_from(BATCH_CSVS).map(Path.read_bytes),
    st.binary(max_size=300),
    st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe\x00\x00", b"---\n...\n", b"[1, 2", b"a: *x"]),
)
suffixes = st.sampled_from([".yaml", ".csv", ".yml", ".txt", ""])


# --- running ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str


def run_in(folder: Path, argv: list[str]) -> Outcome:
    """Run `taper ARGV` in `folder` with empty stdin; capture text and binary output."""
    out_bytes, err_bytes = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(out_bytes, encoding="utf-8", errors="replace")
    err = io.TextIOWrapper(err_bytes, encoding="utf-8", errors="replace")
    stdin = io.TextIOWrapper(io.BytesIO(b""), encoding="utf-8")
    saved = (sys.stdin, sys.stdout, sys.stderr, Path.cwd())
    code = 0
    try:
        sys.stdin, sys.stdout, sys.stderr = stdin, out, err
        os.chdir(folder)
        with hang_guard(HANG_SECONDS):
            main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 99)
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved[0], saved[1], saved[2]
        os.chdir(saved[3])
        out.flush()
        err.flush()
    return Outcome(
        code,
        out_bytes.getvalue().decode("utf-8", "replace"),
        err_bytes.getvalue().decode("utf-8", "replace"),
    )


def check(outcome: Outcome, argv: list[str]) -> None:
    shown = f"argv={argv!r}\ncode={outcome.code}\nstdout={outcome.out[:2000]!r}\n"
    shown += f"stderr={outcome.err[:2000]!r}"
    assert outcome.code in (0, 1, 2), shown
    for stream in (outcome.out, outcome.err):
        assert "Traceback" not in stream, shown
        assert "taper: internal error" not in stream, shown
    if outcome.code != 0:
        assert (outcome.out + outcome.err).strip(), shown
    if outcome.code == 2:
        message = outcome.err.strip()
        if not message:  # a group called without a command shows its help instead
            assert "Usage:" in outcome.out, shown
            return
        # One sentence from taper, usage errors too (never typer's usage block and box).
        assert message.startswith("taper: "), shown
        assert len(message.splitlines()) == 1, shown


# --- argument lists ---------------------------------------------------------------------------

ValueFor = Callable[[str], st.SearchStrategy[str]]


def value_strategy(name: str, files: list[str]) -> st.SearchStrategy[str]:
    """A value for an option or argument, chosen by its name, sometimes junk."""
    some_file = st.sampled_from(files) if files else st.just("missing.yaml")
    # "/" too: a folder is its own .yaml files, never a walk of the disk.
    paths = st.one_of(
        some_file, st.sampled_from(["missing.yaml", ".", "/", "-", "out/x", "f0.yaml/x"])
    )
    by_name: dict[str, st.SearchStrategy[str]] = {
        "guideline": st.one_of(guideline_ids, some_file),
        "med": medications,
        "current": medications,
        "original": medications,
        "attempt_from": medications,
        "attempt_to": medications,
        "to": st.one_of(st.sampled_from(DRUGS), junk_text),
        "start": dates,
        "on": dates,
        "today": dates,
        "attempt_start": dates,
        "attempt_end": dates,
        "percent": numbers,
        "interval": numbers,
        "pause": st.builds(lambda d, n: f"{d}:{n}", dates, numbers),
        "rule": st.one_of(st.sampled_from(["benzodiazepine", "opioid", "x"]), junk_text),
        "answer": st.builds(
            lambda k, v: f"{k}={v}",
            st.sampled_from(["prescribed", "iatrogenic", "x", ""]),
            st.sampled_from(["yes", "no", "maybe", ""]),
        ),
        "attempt_stopped": junk_text,
        "format": formats,
        "lang": langs,
        "out": st.sampled_from(["plan.out", "sub/plan.out", ".", "out"]),
        "out_dir": st.sampled_from(["out", ".", "missing/out", "batch.out"]),
        "file": paths,
        "paths": paths,
        "old": paths,
        "new": paths,
        "name": st.one_of(st.sampled_from(["plan", "convert", "referral", "x", ""]), junk_text),
    }
    known = by_name.get(name)
    return known if known is not None else junk_text


@st.composite
def recipe(draw: st.DrawFn, path: tuple[str, ...], files: list[str]) -> list[str] | None:
    """A well-formed command line for `path` (None: no recipe), so most examples get past
    argument parsing into the real work before a mutation breaks something."""
    gid = draw(st.sampled_from([g for g, _ in SHIPPED]))
    meds = draw(st.lists(good_med(gid), min_size=1, max_size=3))
    med_args = [x for m in meds for x in ("--med", m)]
    yaml_files = [f for f in files if f.endswith((".yaml", ".yml"))] or [str(SHIPPED[0][1])]
    csv_files = [f for f in files if f.endswith(".csv")] or [str(BATCH_CSVS[0])]
    name = " ".join(path)
    if name == "plan":
        word, unit = draw(st.sampled_from(PLANNABLE[gid]))
        amount = draw(plan_amounts if unit == "mg" else st.sampled_from(["12", "25", "50"]))
        if draw(st.integers(0, 2)) > 0:  # mostly one drug the formulary can make
            med_args = ["--med", f"{word} {amount} {unit}"]
        extra = draw(
            st.lists(
                st.sampled_from(
                    [["--switch"], ["--no-switch"], ["--specialist"], ["--specialist"],
                     ["--lang", "en"], ["--percent", "5"], ["--interval", "28"]]
                ),
                max_size=2,
            )
        )  # fmt: skip
        fmt = draw(st.sampled_from(["json", "json", "text", "csv", "ics", "markdown"]))
        return [
            "plan", "-g", gid, *med_args, "--start", draw(good_dates), "--format", fmt,
            *itertools.chain(*extra),
        ]  # fmt: skip
    if name == "convert":
        return ["convert", "-g", gid, *med_args]
    if name == "compare":
        return ["compare", *med_args]
    if name == "referral":
        return ["referral", "-g", gid, *med_args, "--today", draw(good_dates)]
    if name == "batch":
        fmt = draw(st.sampled_from(["json", "text"]))
        return ["batch", draw(st.sampled_from(csv_files)), "--out-dir", "out", "--format", fmt]
    if name == "guidelines validate":
        return ["guidelines", "validate", *draw(st.lists(st.sampled_from(yaml_files), min_size=1))]
    if name == "guidelines diff":
        return ["guidelines", "diff", draw(st.sampled_from(yaml_files)), gid]
    if name == "guidelines show":
        return ["guidelines", "show", draw(st.sampled_from([gid, *yaml_files]))]
    if name == "schema":
        return ["schema", "plan"]
    return None


@st.composite
def argv_for(draw: st.DrawFn, path: tuple[str, ...], files: list[str]) -> list[str]:
    """Mostly a recipe with a few random additions; sometimes options drawn at random."""
    params = COMMANDS[path]
    base = draw(recipe(path, files)) if draw(st.integers(0, 3)) > 0 else None
    if base is not None:
        options = [p for p in params if not p.positional]
        for _ in range(draw(st.integers(0, 2))):
            if options:
                p = draw(st.sampled_from(options))
                base.append(draw(st.sampled_from(p.opts)))
                if not p.flag:
                    base.append(draw(value_strategy(p.name, files)))
        return [a for a in base if a != "--debug"]
    argv = list(path)
    options = [p for p in params if not p.positional]
    for p in params:
        if p.positional and draw(st.integers(0, 9)) > 0:  # sometimes left out
            count = 2 if p.name == "paths" and draw(st.booleans()) else 1
            argv += [draw(value_strategy(p.name, files)) for _ in range(count)]
    for _ in range(draw(st.integers(0, 7))):
        if not options:
            break
        p = draw(st.sampled_from(options))
        argv.append(draw(st.sampled_from(p.opts)))
        if not p.flag:
            argv.append(draw(value_strategy(p.name, files)))
    if draw(st.integers(0, 9)) == 0:  # an unknown option or a stray word somewhere
        junk = draw(st.sampled_from(["--bogus", "-x", "--", "extra", "--med", "--help"]))
        argv.insert(draw(st.integers(len(path), len(argv))), junk)
    return [a for a in argv if a != "--debug"]


# Files that are not regular files: reading them must neither hang nor crash.
SPECIAL_FILES = ("fifo", "symlink loop", "folder")


def write_files(folder: Path, contents: list[tuple[bytes | str, str]]) -> list[str]:
    names = []
    for index, (data, suffix) in enumerate(contents):
        name = f"f{index}{suffix}"
        path = folder / name
        if data == "fifo" and hasattr(os, "mkfifo"):
            os.mkfifo(path)
        elif data == "symlink loop":
            path.symlink_to(name)
        elif data == "folder":
            path.mkdir()
        elif isinstance(data, bytes):
            path.write_bytes(data)
        else:
            continue
        names.append(name)
    return names


def fuzz_command(path: tuple[str, ...], data: st.DataObject) -> None:
    kinds = st.one_of(file_bytes, file_bytes, file_bytes, st.sampled_from(SPECIAL_FILES))
    contents = data.draw(st.lists(st.tuples(kinds, suffixes), max_size=2), label="files")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = write_files(folder, contents)
        argv = data.draw(argv_for(path, files), label="argv")
        outcome = run_in(folder, argv)
        event(f"exit {outcome.code}: {_kind(outcome)}")
        check(outcome, argv)


def _kind(outcome: Outcome) -> str:
    """A coarse label for statistics: which kind of answer an example got."""
    if outcome.code == 0:
        return "ok"
    first = (outcome.err.strip() or outcome.out.strip()).split("\n")[0]
    if first.endswith(" --help'."):
        return "usage"
    return " ".join(first.split()[1:4])


# --- the tests --------------------------------------------------------------------------------


def test_every_command_is_fuzzed() -> None:
    names = {" ".join(path) for path in COMMANDS}
    assert names >= EXPECTED_COMMANDS


@pytest.mark.slow
@pytest.mark.parametrize("path", sorted(COMMANDS), ids=[" ".join(p) for p in sorted(COMMANDS)])
@SETTINGS
@given(data=st.data())
def test_fuzz_command(path: tuple[str, ...], data: st.DataObject) -> None:
    fuzz_command(path, data)


@settings(max_examples=60, deadline=5000, suppress_health_check=[HealthCheck.too_slow])
@given(
    argv=st.lists(st.one_of(junk_text, st.sampled_from(["--help", "-", "--version"])), max_size=5)
)
def test_fuzz_top_level(argv: list[str]) -> None:
    """Anything at all as the command line: unknown commands, empty strings, stray options."""
    argv = [a for a in argv if a != "--debug"]
    with tempfile.TemporaryDirectory() as tmp:
        check(run_in(Path(tmp), argv), argv)


# --- pinned regressions -----------------------------------------------------------------------
