"""The compiled charter, a value every later stage reads, and its parts; no compiling logic here.

`CompiledCharter` holds the declarations (`DecisionSpec`), the statements
(`Grant`, `Forbid`, `Delegation`, `ExpectC`), the ways in (`Way`: a grant,
then delegation links) and the forbids binding each pair (`Binding`). `Rule`
is a statement as an answer cites it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any, Callable, Mapping

from ..source import Source, Span
from .conditions import AnyOf, AttrSpec, Cond, Value, predicate
from ..words import Obligations


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


@dataclass(frozen=True)
class DecisionSpec:
    name: str
    title: str | None
    attrs: dict[str, AttrSpec]
    span: Span


@dataclass(frozen=True)
class Grant:
    role: str
    decision: str
    cond: Cond
    obligations: Obligations
    propose: bool
    rule: Rule


@dataclass(frozen=True)
class Forbid:
    role: str | None
    decision: str
    cond: Cond
    rule: Rule


@dataclass(frozen=True)
class Delegation:
    delegator: str
    delegate: str
    decision: str
    cond: Cond
    start: date | None
    end: date | None
    obligations: Obligations
    further: float
    """How many further links may follow this one: 0 without `may subdelegate`, N, or infinity."""
    rule: Rule


@dataclass(frozen=True)
class Way:
    """One way for `role` to decide: a grant, then zero or more delegation links.

    `chain` lists the roles that exercise it in turn: the role that holds (or
    inherits) the grant, then each delegate; the last is `role`. Every role in
    the chain must be clear of forbids. The path holds when `cond` holds and the
    request's date lies in [start, end].
    """

    role: str
    grant: Grant
    links: tuple[Delegation, ...]
    chain: tuple[str, ...]
    cond: Cond
    start: date | None
    end: date | None
    obligations: Obligations
    remaining: float
    inherited: bool
    key: tuple = field(compare=False)

    @cached_property
    def test(self) -> Callable[[Mapping[str, Value]], bool]:
        """The path's conditions as a closure (built on first use)."""
        return predicate(self.cond)

    @cached_property
    def because(self) -> tuple[Rule, ...]:
        """The rules an answer through this way cites: the grant, then each delegation."""
        return (self.grant.rule, *(link.rule for link in self.links))

    @cached_property
    def via(self) -> tuple[Rule, ...]:
        return tuple(link.rule for link in self.links)

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k not in ("test", "because", "via")}

    def active_on(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class ExpectC:
    role: str
    decision: str
    allowed: bool
    attrs: dict[str, Value]
    on: date | None
    escalates_to: tuple[str, ...] | None
    obligations: dict[str, frozenset[str]]
    span: Span
    text: str


@dataclass(frozen=True)
class Holding:
    """A person holds a role, from and until a date (both held days; None: without end), stated at `span`
    of the file `path` (the charter's `person`/`acts as` line, or a row of a directory file)."""

    person: str
    role: str
    start: date | None
    end: date | None
    path: str
    span: Span | None
    acting: bool = False

    def on(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    def overlaps(self, other: "Holding") -> bool:
        return ((self.start is None or other.end is None or self.start <= other.end)
                and (other.start is None or self.end is None or other.start <= self.end))


@dataclass(frozen=True)
class People:
    """Who holds which role (Part II §11): every holding, indexed by person and by role."""

    holdings: tuple[Holding, ...] = ()
    persons: tuple[str, ...] = ()
    """Every person, in the order first stated."""
    incompatible: tuple[tuple[str, ...], ...] = ()
    by_person: dict[str, tuple[Holding, ...]] = field(default_factory=dict, compare=False, repr=False)
    by_role: dict[str, tuple[Holding, ...]] = field(default_factory=dict, compare=False, repr=False)
    rank: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    """Each role's place among the charter's roles, and each person's among the persons: the orders answers use."""

    @staticmethod
    def of(holdings: tuple[Holding, ...], incompatible: tuple[tuple[str, ...], ...] = (),
           roles: tuple[str, ...] = ()) -> "People":
        by_person: dict[str, list[Holding]] = {}
        by_role: dict[str, list[Holding]] = {}
        for h in holdings:
            by_person.setdefault(h.person, []).append(h)
            by_role.setdefault(h.role, []).append(h)
        rank = {name: i for i, name in enumerate(roles)} | {name: i for i, name in enumerate(by_person)}
        return People(holdings, tuple(by_person), incompatible, {k: tuple(v) for k, v in by_person.items()},
                      {k: tuple(v) for k, v in by_role.items()}, rank)

    def roles_of(self, person: str, day: date) -> tuple[str, ...]:
        """The roles `person` holds on `day`, in the charter's order of roles."""
        held = {h.role for h in self.by_person.get(person, ()) if h.on(day)}
        return tuple(sorted(held, key=self.rank.__getitem__))

    def holders(self, role: str, day: date) -> tuple[str, ...]:
        """The persons who hold `role` on `day`, in the order persons were first stated."""
        held = {h.person for h in self.by_role.get(role, ()) if h.on(day)}
        return tuple(sorted(held, key=self.rank.__getitem__))


NO_PEOPLE = People()


@dataclass(frozen=True)
class CompiledCharter:
    source: Source
    title: str
    version: int | Decimal | None
    currency: str | None
    flows_up: bool
    roles: tuple[str, ...]
    role_spans: dict[str, Span]
    manager: dict[str, str | None]
    decisions: dict[str, DecisionSpec]
    grants: tuple[Grant, ...]
    forbids: tuple[Forbid, ...]
    delegations: tuple[Delegation, ...]
    escalations: dict[str, str]
    expects: tuple[ExpectC, ...]
    ways: dict[tuple[str, str], tuple[Way, ...]]
    proposals: dict[tuple[str, str], tuple[Grant, ...]]
    forbids_of: "Binding"
    """Per (role, decision): the forbids that bind that role, its own and `nobody`'s."""
    people: People = NO_PEOPLE
    """Who holds which role (the charter's `person` and `acts as` lines, and a directory file's rows)."""

    def forbid_cond(self, role: str, decision: str) -> Cond | None:
        """One condition for every forbid binding `role` on `decision`, or None when none does."""
        binding = self.forbids_of.get((role, decision), ())
        if not binding:
            return None
        return AnyOf(tuple(f.cond for f in binding))

    def line_up(self, role: str) -> list[str]:
        """The role's managers, nearest first."""
        out = []
        seen = {role}
        boss = self.manager.get(role)
        while boss is not None and boss not in seen:
            out.append(boss)
            seen.add(boss)
            boss = self.manager.get(boss)
        return out


class Binding:
    """The forbids binding each (role, decision): the role's own `may not`s, then `nobody may`s."""

    __slots__ = ("own", "nobody")

    def __init__(self, own: dict[tuple[str, str], tuple[Forbid, ...]], nobody: dict[str, tuple[Forbid, ...]]):
        self.own = own
        self.nobody = nobody

    def get(self, key: tuple[str, str], default: tuple = ()) -> tuple[Forbid, ...]:
        found = self.own.get(key, ()) + self.nobody.get(key[1], ())
        return found if found else default

    def __getitem__(self, key: tuple[str, str]) -> tuple[Forbid, ...]:
        return self.get(key)
