"""What the compile stages share: the diagnostic codes, the error budget and the `Context` they fill in.

Each stage (`compile.stages`) is a function of one `Context`: it reads what
the stages before it settled (roles, decisions, currencies) and adds its part.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from ..diagnostics import Diagnostic, Label, Severity
from ..source import Source, Span
from ..syntax import model as m
from .ir import NO_PEOPLE, Delegation, DecisionSpec, ExpectC, Forbid, Grant, Way

if TYPE_CHECKING:
    from ..syntax.directory import Directory

UNKNOWN_ROLE = "DR101"
UNKNOWN_DECISION = "DR102"
UNKNOWN_ATTRIBUTE = "DR103"
TYPE_MISMATCH = "DR104"
MIXED_CURRENCY = "DR105"
REPORTING_CYCLE = "DR106"
DUPLICATE = "DR107"
UNKNOWN_MEMBER = "DR108"
BAD_REQUEST_IN_EXPECT = "DR109"
TOO_MANY_CHAINS = "DR110"
BAD_HEADER = "DR111"
BARE_MONEY = "DR112"
NAME_CLASH = "DR113"
UNKNOWN_PERSON = "DR114"
INCOMPATIBLE = "DR115"

MAX_ERRORS = 500
"""Most compile errors reported for one file; the last one says how many more there were."""


class Context:
    """One compilation: the model and source in, the diagnostics and the parts of the result out."""

    def __init__(self, source: Source, tree: m.CharterModel, *, bare_money: bool = False, partial: bool = False,
                 directory: Directory | None = None):
        self.source = source
        self.directory = directory  # a directory file of people given beside the charter
        self.people = NO_PEOPLE
        self.bare_money = bare_money  # read a bare amount as in its attribute's currency (rendered regions)
        self.partial = partial  # leave out what is wrong instead of raising (lint uses this)
        self.tree = tree
        self.diags: list[Diagnostic] = []
        self.title = ""
        self.version: int | Decimal | None = None
        self.currency: str | None = None
        # A `currency` line is written, anywhere (statement order never matters; a bad code is DR111 alone).
        self.currency_line = any(isinstance(st, m.Currency) for st in tree.statements)
        self.flows_up = False
        self.flows_up_span: Span | None = None
        self.roles: dict[str, Span] = {}
        self.manager: dict[str, str | None] = {}
        self.decisions: dict[str, DecisionSpec] = {}
        self.attr_currency: dict[tuple[str, str], tuple[str, Span]] = {}
        self.dropped = 0
        # What the statement stages find.
        self.grants: list[Grant] = []
        self.forbids: list[Forbid] = []
        self.delegations: list[Delegation] = []
        self.escalations: dict[str, str] = {}
        self.escalation_spans: dict[str, Span] = {}
        self.expects: list[ExpectC] = []
        self.ways: dict[tuple[str, str], tuple[Way, ...]] = {}
        self.proposals: dict[tuple[str, str], tuple[Grant, ...]] = {}

    def error(self, code: str, span: Span, message: str, help: str | None = None,
              labels: tuple[Label, ...] = (), *, path: str | None = None, source: Source | None = None) -> None:
        """One error, at `span` of the charter — or of another file (`path`, its `source` when known:
        a directory file of people) — counted against `MAX_ERRORS` either way."""
        if len(self.diags) >= MAX_ERRORS:
            self.dropped += 1
            return
        elsewhere = path is not None and path != self.source.path
        self.diags.append(Diagnostic(code=code, severity=Severity.ERROR, message=message,
                                     path=path if elsewhere else self.source.path, span=span, help=help,
                                     labels=labels, source=source if elsewhere else self.source))


def label(span: Span, message: str) -> Label:
    return Label(span=span, message=message)


def statement_text(source: Source, span: Span) -> str:
    """The statement's text on one line, comments and runs of spaces dropped (as an answer cites it)."""
    lines = [source.line(n).strip() for n in range(span.line, span.end_line + 1)]
    text = " ".join(line.split("#", 1)[0].strip() if "#" in line and '"' not in line else line for line in lines)
    return " ".join(text.split())
