"""Command-line usage errors (unknown option, missing value, ...) as one sentence from taper.

typer would print click's usage line, a "Try ... --help" line and a rich box, even into a pipe
or a log. `taper.cli.main` runs the app with `standalone_mode=False` and turns the exception
into the same one-line form as every other taper error:

    taper: No such option --bogus; see 'taper plan --help'.

This module is imported only when such an error happens, so `taper --help` stays light.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from typer._click import exceptions as click_errors

_SHOWN_MAX = 60  # characters of a user's word to repeat back; argv words can be huge

# Replacements for pydantic's wording in typer's BadParameter messages.
_VALUE_HINTS = (
    ("Input should be a valid integer", "must be a whole number"),
    ("Input should be a valid number", "must be a number"),
    ("Input should be a valid boolean", "must be true or false"),
)


def shown(word: str) -> str:
    """A word the user typed, as it can be repeated on one line: quoted when it has spaces or
    control characters, cut short when long."""
    cut = word if len(word) <= _SHOWN_MAX else word[:_SHOWN_MAX] + "…"
    if cut and cut.isprintable() and " " not in cut and "'" not in cut:
        return cut
    return repr(cut)


def _command_path(exc: click_errors.ClickException, argv: Sequence[str], root: Any) -> str:
    """`taper guidelines validate`: from the error's context, or (click gives none for a
    missing option value) the longest run of command names at the start of argv."""
    ctx = getattr(exc, "ctx", None)
    names: list[str] = []
    if ctx is not None:
        while ctx.parent is not None:
            names.insert(0, str(ctx.info_name))
            ctx = ctx.parent
    else:
        group = root
        for word in argv:
            if word.startswith("-"):
                continue  # a root option such as --debug
            sub = getattr(group, "commands", {}).get(word)
            if sub is None:
                break
            names.append(word)
            group = sub
    return " ".join(["taper", *names])


def _close_option(typed: str, ctx: Any) -> str | None:
    """The long option `typed` is most likely a typo of (click's own guess is too loose:
    it suggests --out for --bogus)."""
    import difflib

    if ctx is None:
        return None
    longs = [o for p in ctx.command.params for o in p.opts if o.startswith("--")]
    bare = {o.lstrip("-"): o for o in [*longs, "--help"]}
    close = difflib.get_close_matches(typed.split("=", 1)[0].lstrip("-"), list(bare), n=1)
    return bare[close[0]] if close else None


def _sentence_body(exc: click_errors.ClickException) -> str:
    """What went wrong, in lower case and without a final full stop."""
    if isinstance(exc, click_errors.NoSuchOption):
        close = _close_option(exc.option_name, exc.ctx)
        hint = f" (did you mean {close}?)" if close else ""
        return f"no such option {shown(exc.option_name)}{hint}"
    if isinstance(exc, click_errors.MissingParameter) and exc.param is not None:
        param = exc.param
        if param.param_type_name == "argument":
            return f"missing argument {shown(str(param.display_name_raw).upper())}"
        longs = [o for o in param.opts if o.startswith("--")] or list(param.opts)
        return f"missing option {longs[0]}"
    if isinstance(exc, click_errors.BadParameter) and exc.param is not None:
        name = next((o for o in exc.param.opts if o.startswith("--")), None)
        what = name or shown(str(exc.param.display_name_raw).upper())
        message = exc.message.removeprefix("Value error, ").rstrip(".")
        for prefix, plain in _VALUE_HINTS:
            if message.startswith(prefix):
                message = plain
        return f"invalid value for {what}: {message}"
    message = exc.format_message().strip()
    if isinstance(exc, click_errors.BadOptionUsage):
        option = shown(exc.option_name)
        if message.endswith("requires an argument."):
            return f"option {option} needs a value"
        if message.endswith("does not take a value."):
            return f"option {option} takes no value"
    extra = re.fullmatch(r"Got unexpected extra argument\(s\) \((.*)\)", message, re.S)
    if extra:
        return (
            f"unexpected extra argument(s) {shown(extra.group(1))} "
            "(quote values that contain spaces)"
        )
    command = re.fullmatch(r"No such command (.*?)\.(?: Did you mean (.*)\?)?", message, re.S)
    if command:
        name = command.group(1)  # already quoted and escaped by typer
        name = name if len(name) <= _SHOWN_MAX else name[:_SHOWN_MAX] + "…'"
        hint = f" (did you mean {command.group(2)}?)" if command.group(2) else ""
        return f"no such command {name}{hint}"
    if message == "Missing command.":
        return "missing command"
    text = " ".join(message.split()).rstrip(".")
    return text[:1].lower() + text[1:]


def usage_sentence(exc: click_errors.ClickException, argv: Sequence[str], root: Any) -> str:
    """One line for stderr: `taper: What; see 'taper COMMAND --help'.`, capitalised like
    taper's other messages."""
    body = _sentence_body(exc)
    return f"taper: {body[:1].upper()}{body[1:]}; see '{_command_path(exc, argv, root)} --help'."
