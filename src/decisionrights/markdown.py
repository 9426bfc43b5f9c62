"""Charter-derived text inside GitHub-flavoured Markdown: shown as written, never read as markup.

A pull-request comment is rendered by GitHub: a text literal such as
`"@org/admins"` would notify a team, `"![x](https://…)"` would load an image
(a tracking pixel), `"<img src=x>"` raw HTML, a `|` would split a table cell
and a line break would end the table. So every string that comes from a
charter (a name, a condition, a value, a file name) goes into a code span
with `code()`: inside one, GitHub reads no mention, link, image, emoji,
HTML or emphasis. `text()` is for prose around it: it escapes every
character Markdown gives a meaning.

`table=True` (the default) also makes the result safe inside a table cell:
`|` is escaped, as GitHub reads `\\|` in a cell, even inside a code span.
"""

from __future__ import annotations

import re

_LINE_BREAK = re.compile(r"\r\n|[\r\n\u2028\u2029\x85\x0b\x0c]")
_INVISIBLE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
"""Control characters, and the bidirectional and zero-width ones that make text read other than it is."""
_TICKS = re.compile(r"`+")
_PUNCTUATION = re.compile(r"([\\`*_\[\]()#+\-.!|~$])")


def _visible(text: str) -> str:
    text = _LINE_BREAK.sub(" ", text)
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _escape_pipes(text: str) -> str:
    """Every `|` with a backslash before it. GitHub splits a table row at each `|` that has none, even
    inside a code span, and drops exactly that one backslash: the cell shows the text as it was."""
    return text.replace("|", "\\|")


def code(value: object, *, table: bool = True) -> str:
    """`value` as a Markdown code span, shown exactly (line breaks as spaces, invisible characters as `\\uXXXX`)."""
    text = _visible(str(value))
    if table:
        text = _escape_pipes(text)
    longest = max((len(run) for run in _TICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    if not text.strip(" "):  # only spaces (or nothing): Markdown keeps them as they are
        return f"{fence}{text or ' '}{fence}"
    # a space each side when the text starts or ends with a backtick, or with spaces on both ends:
    # Markdown takes one space off each end of a code span
    pad = " " if text[0] == "`" or text[-1] == "`" or (text[0] == " " and text[-1] == " ") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def text(value: object) -> str:
    """`value` as Markdown prose that reads as written: no emphasis, link, image, HTML, entity or mention.

    Safe in a table cell too. A mention (`@name`) gets a word joiner after
    its `@`; a web address may still be linked by GitHub: put charter-derived
    strings in `code()`.
    """
    out = _visible(str(value))
    out = out.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    out = _PUNCTUATION.sub(r"\\\1", out)
    return out.replace("@", "@\u2060")
