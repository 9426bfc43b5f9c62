"""`Rule`: a statement of the charter that decided an answer, with where it stands."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..source import Span


@dataclass(frozen=True, slots=True)
class Rule:
    """A grant, forbid or delegation as the answer cites it: kind, who, file, line and text.

    `role` is the role the statement is about (None for `nobody may …`); for a
    delegation, `delegator` and `delegate` name both ends.
    """

    kind: str  # grant | propose | forbid | delegation
    decision: str
    role: str | None
    path: str
    span: Span
    text: str
    delegator: str | None = None
    delegate: str | None = None

    @property
    def line(self) -> int:
        return self.span.line

    def where(self) -> str:
        return f"{self.path}:{self.span.line}"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "decision": self.decision, "role": self.role,
                                "file": self.path, "line": self.span.line, "column": self.span.column,
                                "text": self.text}
        if self.kind == "delegation":
            data["delegator"] = self.delegator
            data["delegate"] = self.delegate
        return data
