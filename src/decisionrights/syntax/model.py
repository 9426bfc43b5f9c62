"""The charter as written: frozen pydantic nodes mirroring the language, each with its span.

Names are not resolved and types are not checked here; `compile` does that.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal as L, Union

from pydantic import BaseModel, ConfigDict

from ..source import Span


class Node(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    span: Span


class Name(Node):
    value: str


LiteralKind = L["number", "money", "date", "bool", "text", "name"]


class Literal(Node):
    """A value as written. `kind` is what it looks like; compile decides what it means.

    `number` is a plain number (it may still be money in the charter's currency),
    `money` carries an explicit currency, `name` is a bare word (an enum member).
    """

    kind: LiteralKind
    value: int | Decimal | date | bool | str
    currency: str | None = None
    text: str


# -- conditions ---------------------------------------------------------------

class Compare(Node):
    attr: Name
    op: L["<", "<=", ">", ">=", "==", "!="]
    value: Literal


class Membership(Node):
    attr: Name
    values: tuple[Literal, ...]
    negated: bool = False


class Truth(Node):
    """A bool attribute on its own: `when budgeted`."""

    attr: Name


class And(Node):
    items: tuple["Condition", ...]


class Or(Node):
    items: tuple["Condition", ...]


class Not(Node):
    item: "Condition"


Condition = Union[Compare, Membership, Truth, And, Or, Not]

ObligationKind = L["announce", "inform", "consult", "agreement"]
OBLIGATION_KINDS: tuple[ObligationKind, ...] = ("announce", "inform", "consult", "agreement")


class Obligation(Node):
    kind: ObligationKind
    roles: tuple[Name, ...]


# -- statements ---------------------------------------------------------------

class Header(Node):
    title: str


class Version(Node):
    value: Literal


class Currency(Node):
    code: Name


class FlowsUp(Node):
    pass


class RoleDecl(Node):
    names: tuple[Name, ...]
    reports_to: Name | None = None


AttrKind = L["money", "number", "bool", "text", "date", "enum"]


class AttrType(Node):
    kind: AttrKind
    members: tuple[Name, ...] = ()


class AttributeDecl(Node):
    name: Name
    type: AttrType
    default: Literal | None = None


class DecisionDecl(Node):
    name: Name
    title: str | None = None
    attributes: tuple[AttributeDecl, ...] = ()


class Grant(Node):
    """`R may decide D when … obligations` (or `may propose`)."""

    role: Name
    decision: Name
    propose: bool = False
    condition: Condition | None = None
    obligations: tuple[Obligation, ...] = ()


class Forbid(Node):
    """`R may not decide D when …`; `role` is None for `nobody may decide`."""

    role: Name | None
    decision: Name
    condition: Condition | None = None


class Subdelegate(Node):
    """`may subdelegate [up to N levels]`; `levels` None means no bound."""

    levels: int | None = None


class Delegation(Node):
    delegator: Name
    decision: Name
    delegate: Name
    condition: Condition | None = None
    start: Literal | None = None
    end: Literal | None = None
    obligations: tuple[Obligation, ...] = ()
    subdelegate: Subdelegate | None = None


class Escalate(Node):
    decision: Name
    role: Name


class Assignment(Node):
    attr: Name
    value: Literal


class Expect(Node):
    role: Name
    allowed: bool
    decision: Name
    attributes: tuple[Assignment, ...] = ()
    on: Literal | None = None
    escalates_to: tuple[Name, ...] | None = None
    """None: not checked; () with `escalates to nobody`."""
    obligations: tuple[Obligation, ...] = ()


Statement = Union[
    Header, Version, Currency, FlowsUp, RoleDecl, DecisionDecl,
    Grant, Forbid, Delegation, Escalate, Expect,
]


class CharterModel(Node):
    """A whole charter file, its statements in source order."""

    statements: tuple[Statement, ...]


for _cls in (And, Or, Not):
    _cls.model_rebuild()
