"""Input limits: the size, line-length, nesting and hidden-character checks run before parsing.

Hostile input fails fast and clearly here (docs/limits.md), before lark sees
a byte of it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..diagnostics import Diagnostic, Severity
from ..source import Source, Span

LIMIT = "DR002"
HIDDEN_TEXT = "DR007"


@dataclass(frozen=True)
class Limits:
    """Bounds on what the parser accepts, so hostile input fails fast and clearly (docs/limits.md).

    `max_bytes`: the size of the text, in UTF-8 bytes. `max_nesting`: how deep
    a condition may nest — parentheses, and `not`/`and`/`or` inside each
    other; at most `MAX_NESTING` (100) takes effect. `max_line_length`: the
    longest line, in characters.
    """

    max_bytes: int = 1024 * 1024  # 250 times the largest example; docs/limits.md has load times
    max_nesting: int = 64
    max_line_length: int = 10_000


DEFAULT_LIMITS = Limits()

MAX_NESTING = 100
"""The deepest condition this library answers, whatever `Limits.max_nesting` says.

The generated fast path (`decide.fastpath`) nests one Python expression per level,
and Python's own parser refuses about 200; the analyses walk conditions
recursively. Up to here everything works, with room to spare; a deeper
condition is the located `DR002` limit error, never a `SyntaxError` or a
`RecursionError`.
"""


def nesting_bound(limits: Limits) -> tuple[int, str]:
    """The nesting bound in force, and the help line for a condition over it."""
    if limits.max_nesting < MAX_NESTING:
        return limits.max_nesting, "simplify the condition, or raise decisionrights.Limits(max_nesting=…)"
    return MAX_NESTING, f"simplify the condition: {MAX_NESTING} levels is the most any charter may nest, " \
                        f"whatever Limits(max_nesting=…) says"


SCAN = re.compile(r'"(?:[^"\\\n]|\\.)*"?|#[^\n]*|[()\[\]{}\n]')
"""Brackets and line breaks, with strings and comments matched whole so their brackets don't count."""


def position(text: str, pos: int) -> tuple[int, int]:
    """The 1-based line and column of offset `pos` in `text`."""
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


def char_name(char: str) -> str:
    """`U+202E RIGHT-TO-LEFT OVERRIDE`: a character as a message names it."""
    return f"U+{ord(char):04X}" + (f" {unicodedata.name(char)}" if unicodedata.name(char, "") else "")


_HIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]|\r(?!\n)")
"""Characters that can make a charter display otherwise than it parses (CVE-2021-42574 and kin)."""


def _hidden_words(char: str) -> tuple[str, str]:
    """The message and help for one hidden character."""
    if char == "\r":
        return ("a line ends with a lone carriage return (CR): some editors show a line break there, "
                "the charter does not", "save the file with LF (or CRLF) line endings")
    if char == "\x00":
        return ("the charter contains a NUL character (U+0000)",
                "the file is probably not text, or was saved as UTF-16; save it as UTF-8 text")
    if char in "\x0b\x0c\x85\u2028\u2029":
        return (f"{char_name(char)} shows as a line break in some editors but is not one in a charter",
                "replace it with an ordinary line break")
    if "\u202a" <= char <= "\u202e" or "\u2066" <= char <= "\u2069":
        return (f"the bidirectional control character {char_name(char)} can make the charter display "
                f"differently from how it is read",
                "remove it; right-to-left names and texts need no control characters")
    return f"the control character {char_name(char)} has no place in a charter", "remove it"


def _hidden_text(source: Source) -> list[Diagnostic]:
    found = []
    for hit in _HIDDEN.finditer(source.text):
        line, column = position(source.text, hit.start())
        message, help_text = _hidden_words(hit.group())
        found.append(Diagnostic(code=HIDDEN_TEXT, severity=Severity.ERROR, path=source.path,
                                span=Span.point(line, column), message=message, help=help_text))
        if len(found) >= 10:
            break
    return found


def _too_deep(source: Source, limits: Limits) -> list[Diagnostic]:
    """The first bracket nested deeper than the bound, if any."""
    depth = 0
    bound, bound_help = nesting_bound(limits)
    line, line_start = 1, 0
    for hit in SCAN.finditer(source.text):
        ch = hit.group()
        if ch == "\n":
            line, line_start = line + 1, hit.end()
        elif ch == "(":
            depth += 1
            if depth > bound:
                return [Diagnostic(code=LIMIT, severity=Severity.ERROR, path=source.path,
                                   span=Span.point(line, hit.start() - line_start + 1), source=source,
                                   message=f"parentheses nested deeper than {bound} levels", help=bound_help)]
        elif ch == ")":
            depth = max(depth - 1, 0)
    return []


def _long_lines(source: Source, limits: Limits) -> list[Diagnostic]:
    text = source.text
    found: list[Diagnostic] = []
    if max(map(len, text.split("\n"))) > limits.max_line_length:
        for number, text_line in enumerate(text.split("\n"), start=1):
            if len(text_line) > limits.max_line_length:
                found.append(Diagnostic(code=LIMIT, severity=Severity.ERROR, path=source.path,
                                        span=Span.point(number, limits.max_line_length + 1),
                                        message=f"line {number} is {len(text_line):,} characters long, over the "
                                                f"limit of {limits.max_line_length:,}",
                                        help="break it over several indented lines"))
    return found


def check_limits(source: Source, limits: Limits) -> list[Diagnostic]:
    """Every limit the text is over (size first, then hidden characters, nesting, long lines), or []."""
    size = len(source.text.encode("utf-8", "surrogatepass"))
    if size > limits.max_bytes:
        return [Diagnostic(code=LIMIT, severity=Severity.ERROR, path=source.path, span=Span.point(1, 1),
                           message=f"the charter is {size:,} bytes, over the limit of {limits.max_bytes:,}",
                           help="split it, or raise the limit: decisionrights.Limits(max_bytes=…)")]
    hidden = _hidden_text(source)
    if hidden:
        return hidden
    deep = _too_deep(source, limits)
    if deep:
        return deep
    return _long_lines(source, limits)
