"""The charter as written: frozen pydantic nodes mirroring the language, each with its span.

Names are not resolved and types are not checked here; `compile` does that.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal as L, Union

from pydantic import BaseModel, ConfigDict

from ..source import Span
from ..words import KINDS, ObligationKind


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


class MeTest(Node):
    """A person attribute against the person deciding (§12): `claimant is me`, `is not me`,
    `reports to me` (directly), `under me` (directly or indirectly)."""

    attr: Name
    relation: L["is", "is_not", "reports_to", "under"]


class And(Node):
    items: tuple["Condition", ...]


class Or(Node):
    items: tuple["Condition", ...]


class Not(Node):
    item: "Condition"


Condition = Union[Compare, Membership, Truth, MeTest, And, Or, Not]

OBLIGATION_KINDS: tuple[ObligationKind, ...] = KINDS


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


AttrKind = L["money", "number", "bool", "text", "date", "person", "enum"]


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


class PersonDecl(Node):
    """`person NAME holds R, …` (§11)."""

    name: Name
    roles: tuple[Name, ...]


class ActingDecl(Node):
    """`P acts as R [from DATE] [until DATE]` (§11): cover during an absence; dates are date literals."""

    person: Name
    role: Name
    start: Literal | None = None
    end: Literal | None = None


class IncompatibleDecl(Node):
    """`incompatible R1, R2, …` (§12): two or more roles nobody may hold together."""

    roles: tuple[Name, ...]


Statement = Union[
    Header, Version, Currency, FlowsUp, RoleDecl, DecisionDecl,
    Grant, Forbid, Delegation, Escalate, Expect,
    PersonDecl, ActingDecl, IncompatibleDecl,
]


class CharterModel(Node):
    """A whole charter file, its statements in source order."""

    statements: tuple[Statement, ...]


for _cls in (And, Or, Not):
    _cls.model_rebuild()


_new_object = object.__new__
_set = object.__setattr__
_FIELDS_SET = {cls: set(cls.model_fields) for cls in list(globals().values())
               if isinstance(cls, type) and issubclass(cls, Node)}


def node(cls: type[Node], **fields: Any) -> Any:
    """A model node from every one of its fields, which the grammar already shaped: the one place nodes
    are made without validation.

    What pydantic's `model_construct` does, without its per-field lookups of
    aliases and defaults: each caller passes every field (a test checks it on
    every example, against `model_construct`), and nodes share their class's
    set of fields set, which a frozen node never changes. Measured on pydantic
    2.14 (a `Literal`, best of 5 x 200,000): 0.87 µs a node here, 2.36 µs with
    `model_construct`, 2.61 µs validated; a 2,000-role charter builds 130,000
    nodes. No public way is as fast, so this stays, in this one function.

    Is it public API? pydantic's BaseModel docstring, rendered as its API reference
    (https://docs.pydantic.dev/latest/api/base_model/) lists
    `__pydantic_fields_set__`, `__pydantic_extra__` and `__pydantic_private__`
    among a model's attributes, but the documented way to build without
    validation is `model_construct`, and writing these slots directly is not
    promised to keep working. So this is tied to pydantic 2's layout; the tests
    that compare every parsed node with `model_construct` (test_parse) and the
    agreement law (test_laws) would catch a change.
    """
    made = _new_object(cls)
    _set(made, "__dict__", fields)
    _set(made, "__pydantic_fields_set__", _FIELDS_SET[cls])
    _set(made, "__pydantic_extra__", None)
    _set(made, "__pydantic_private__", None)
    return made
