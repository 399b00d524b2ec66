"""How a YAML syntax error is said to a clinician editing a rule file: an invisible character
pasted from a word processor (and where it is), a quote left open, or what libyaml expected.
`taper.guideline.yamlstrict` finds the place and makes the finding.
"""

from __future__ import annotations

import re

import yaml


def position(text: str, index: int) -> tuple[int, int]:
    """The 1-based line and column of `index` in `text`."""
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


# Characters that look like a space or like nothing, pasted from word processors and web pages.
INVISIBLE = {
    "\u00a0": "a non-breaking space (U+00A0)",
    "\u202f": "a narrow non-breaking space (U+202F)",
    "\u2007": "a figure space (U+2007)",
    "\u200b": "a zero-width space (U+200B)",
    "\u200c": "a zero-width non-joiner (U+200C)",
    "\u200d": "a zero-width joiner (U+200D)",
    "\u2060": "a word joiner (U+2060)",
    "\ufeff": "a byte-order mark (U+FEFF) inside the file",
    "\u00ad": "a soft hyphen (U+00AD)",
}
# Invisible anywhere in a plain value; the space-like ones only at its edges (a non-breaking
# space between words of a note is typography, not a mistake).
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")
INVISIBLE_RE = re.compile("[" + "".join(INVISIBLE) + "]")


def invisible_message(text: str, index: int) -> str:
    """ "a non-breaking space (U+00A0) after 'group:'; ..." for the character at `index`."""
    line_start = text.rfind("\n", 0, index) + 1
    before = text[line_start:index].strip()
    if before:
        where = f" after '{before[-20:]}'"
    else:
        where = " in the indentation" if index > line_start else " at the start of the line"
    return (
        f"{INVISIBLE[text[index]]}{where}, invisible in most editors (often pasted from Word "
        "or a web page); delete it and type an ordinary space if one is needed"
    )


def invisible_near_error(exc: yaml.MarkedYAMLError, text: str) -> int | None:
    """The invisible character that most likely caused a syntax error: the last one on the
    lines from where the failing construct starts (or the line before) to the problem."""
    mark = exc.problem_mark
    if mark is None or not INVISIBLE_RE.search(text):
        return None
    first_line = exc.context_mark.line if exc.context_mark is not None else mark.line - 1
    first_line = max(0, min(first_line, mark.line - 1))
    starts = [0, *(m.end() for m in re.finditer("\n", text))]
    begin = starts[first_line]
    end = min(len(text), mark.index + 1)
    found = None
    for match in INVISIBLE_RE.finditer(text, begin, end):
        found = match.start()
    return found


_OPEN_QUOTE = re.compile(r"""(?:^|:\s|-\s|[\[{,]\s*)(["'])""")


def _opens_quote(line: str) -> bool:
    """Does a quoted value start on this line and stay open at its end?"""
    for match in _OPEN_QUOTE.finditer(line):
        quote = match.group(1)
        rest = line[match.end() :]
        rest = rest.replace('\\"', "") if quote == '"' else rest.replace("''", "")
        if quote not in rest:
            return True
    return False


def _quote_hint(exc: yaml.MarkedYAMLError, text: str) -> str:
    """Name an earlier line with an unclosed quote: libyaml reports where it got lost."""
    mark = exc.problem_mark
    if mark is None:
        return ""
    lines = text.split("\n")
    for number in range(mark.line - 1, max(mark.line - 6, -1), -1):
        if number < len(lines) and _opens_quote(lines[number]):
            return f" (is a quote on line {number + 1} left open?)"
    return ""


def syntax_message(exc: yaml.MarkedYAMLError, text: str) -> str:
    """libyaml's terse problem, said the way an editor would fix it, with a hint if we can."""
    message = _plain_syntax(exc, text)
    if "quote" not in message:
        message += _quote_hint(exc, text)
    return message


def _plain_syntax(exc: yaml.MarkedYAMLError, text: str) -> str:
    problem = exc.problem or exc.context or "invalid YAML"
    context = exc.context or ""
    mark, start = exc.problem_mark, exc.context_mark
    char = ""
    if mark is not None and 0 <= mark.index < len(text):
        char = text[mark.index]
    started = f" (it starts at line {start.line + 1}, column {start.column + 1})" if start else ""
    if char == "\t" or ("tab" in problem and "\t" in text):
        return "a tab character; YAML is indented with spaces only"
    if "quoted scalar" in context and "end of stream" in problem:
        return f"a quoted value is never closed{started}"
    if "quoted scalar" in context:
        return f"a quoted value is not closed properly{started}: {problem}"
    if "another document" in problem:
        return "the file holds more than one YAML document (`---`); a rule file is one document"
    if "mapping values are not allowed" in problem:
        return (
            "a ':' where no key can start; put quotes around a value that contains ': ', or "
            "check the indentation"
        )
    if "could not find expected ':'" in problem:
        return f"a key has no ':' after it, or a line is indented wrongly{started}"
    if "expected <block end>" in problem or "expected <block mapping" in problem:
        found = problem.split("but found", 1)[-1].strip()
        return f"the indentation does not match the lines above (found {found} here)"
    if "did not find expected key" in problem and "block mapping" in context:
        return "the indentation does not match the lines above (a key is out of line)"
    if "expected '-' indicator" in problem:
        return "the indentation does not match the lines above (another list item '- ' expected)"
    if "cannot start any token" in problem and char:
        return f"{char!r} cannot start a value; put the value in quotes"
    if "undefined alias" in problem:
        return f"{problem}: an alias (*name) must come after its anchor (&name)"
    if "flow sequence" in context or "flow mapping" in context:
        return f"{problem} inside [...] or {{...}}{started}; check commas and brackets"
    return f"{context}: {problem}" if context and context not in problem else problem
