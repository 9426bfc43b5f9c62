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
