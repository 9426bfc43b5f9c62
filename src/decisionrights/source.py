"""Where things are: a charter's text and the spans that point into it."""

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
