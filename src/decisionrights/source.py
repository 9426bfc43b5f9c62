"""Where things are: a charter's text and the spans that point into it; and the one place text is decoded.

Bytes become text here (`decode`: UTF-8, the byte-order mark dropped), and a
text's byte-order mark is dropped here (`without_bom`) or blanked (`blank_bom`);
no other module looks for a BOM.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Span:
    """A range in a source: 1-based line and column of its start and end (end exclusive)."""

    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def point(cls, line: int, column: int) -> "Span":
        return cls(line, column, line, column + 1)

    def to(self, other: "Span") -> "Span":
        """The span from the start of this one to the end of `other`."""
        return Span(self.line, self.column, other.end_line, other.end_column)


_new_object = object.__new__
_SET_SPAN = tuple(Span.__dict__[name].__set__ for name in ("line", "column", "end_line", "end_column"))


def make_span(line: int, column: int, end_line: int, end_column: int) -> Span:
    """`Span(line, column, end_line, end_column)` at a third of the cost, for the parser's hot path.

    A frozen dataclass sets each field through `object.__setattr__`; this sets
    the slots directly. The result is an ordinary `Span`.
    """
    span = _new_object(Span)
    set_line, set_column, set_end_line, set_end_column = _SET_SPAN
    set_line(span, line)
    set_column(span, column)
    set_end_line(span, end_line)
    set_end_column(span, end_column)
    return span


@dataclass(frozen=True)
class Source:
    """A charter's text and the name it is reported under (a path or `<string>`)."""

    text: str
    path: str = "<string>"
    _lines: list[str] = field(default_factory=list, init=False, repr=False, compare=False)

    def line(self, number: int) -> str:
        """The text of line `number` (1-based), without its line break; '' past the end."""
        if not self._lines:
            object.__setattr__(self, "_lines", self.text.splitlines() or [""])
        if 1 <= number <= len(self._lines):
            return self._lines[number - 1]
        return ""

    def line_count(self) -> int:
        self.line(1)
        return len(self._lines)


BOM = "\ufeff"
"""The byte-order mark: invisible, and no part of a charter."""


def without_bom(text: str) -> str:
    """The text without a leading byte-order mark, as `open(..., encoding="utf-8-sig")` would leave it."""
    return text[1:] if text.startswith(BOM) else text


def blank_bom(text: str) -> str:
    """The text with a leading byte-order mark turned into a space, so every column stays where it was."""
    return " " + text[1:] if text.startswith(BOM) else text


class NotUTF8(ValueError):
    """Bytes that are not UTF-8: where the first bad byte is, and what to tell the user (`DR005`).

    `decisionrights.charter.decode` turns it into the located `ParseError`
    (diagnostics sit a floor above this module's `Span`, so they are not made here).
    """

    code = "DR005"

    def __init__(self, path: str, line: int, column: int, byte: int) -> None:
        self.path, self.line, self.column, self.byte = path, line, column, byte
        self.message = f"the file is not valid UTF-8 (byte 0x{byte:02x})"
        self.help = "save the charter as UTF-8 text"
        super().__init__(f"{path}:{line}:{column}: {self.message}")


def decode(raw: bytes, path: str) -> str:
    """A charter file's text: UTF-8 (a BOM is dropped), line endings as written; `NotUTF8` if it is not."""
    if raw.startswith(BOM.encode("utf-8")):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        raise NotUTF8(path, line, column, raw[exc.start]) from None
