"""Model → compiled charter: names resolved, types checked, reporting line closed, ways indexed.

Every problem is collected, so one run reports all of them; `compile_charter`
raises `CompileError` carrying every diagnostic at the end.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date
from decimal import Decimal
from typing import Callable, Iterable, Mapping

from ..syntax import model as m
from .conditions import TRUE, All, AnyOf, AttrSpec, Cmp, Cond, In, Not, Value, conj, predicate
from .currencies import CODES as CURRENCY_CODES, is_currency
from ..diagnostics import Diagnostic, Label, Severity
from ..errors import CharterError, CompileError
from ..syntax.parse import parse, reserved_words
from .ir import Rule
from ..source import Source, Span

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

INFINITE = math.inf
MAX_ERRORS = 500
"""Most compile errors reported for one file; the last one says how many more there were."""
MAX_PATHS = 200_000
"""Most ways (grant plus delegation chain) a charter may open; beyond that it is refused."""

KIND_WORDS = {"money": "money", "number": "a number", "bool": "a yes/no (bool)", "text": "text",
              "date": "a date"}


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
    obligations: frozenset[tuple[str, str]]
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
    obligations: frozenset[tuple[str, str]]
    further: float
    """How many further links may follow this one: 0 without `may subdelegate`, N, or infinity."""
    rule: Rule


@dataclass(frozen=True)
class Path:
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
    obligations: frozenset[tuple[str, str]]
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
    paths: dict[tuple[str, str], tuple[Path, ...]]
    proposals: dict[tuple[str, str], tuple[Grant, ...]]
    forbids_of: "_Binding"
    """Per (role, decision): the forbids that bind that role, its own and `nobody`'s."""

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


class _Binding:
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


def suggest(name: str, known: Iterable[str]) -> str | None:
    """The known name `name` most likely misspells (`cf0` → `cfo`, `Controller` → `controller`), or None.

    Never `name` itself: a hint that repeats what was written helps no one.
    The same name in another case first, then difflib's closest match, then
    a name one slip away (a wrong, missing, extra or swapped character; two
    for names of eight characters or more; in a name of one or two
    characters, only a missing or extra one).
    """
    candidates = [k for k in dict.fromkeys(known) if k != name]
    if not candidates or not name:
        return None
    folded = name.casefold()
    for k in candidates:
        if k.casefold() == folded:
            return k
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.75)
    if close:
        return close[0]
    allowed = 1 if len(name) < 8 else 2
    best, best_distance = None, allowed + 1
    for k in candidates:
        if len(name) < 3 and (len(k) == len(name) or not k):
            continue  # in a name of one or two letters, only a letter too many or too few is a slip
        if abs(len(k) - len(name)) <= allowed:
            d = _slips(folded, k.casefold(), allowed)
            if d < best_distance:
                best, best_distance = k, d
    return best


def _currency_hint(code: str) -> str:
    guess = suggest(code, sorted(CURRENCY_CODES))
    return (f"did you mean `{guess}`? " if guess else "") + "write a currency in use, like EUR, USD or GBP"


def _slips(a: str, b: str, bound: int) -> int:
    """The optimal-string-alignment distance of `a` and `b` (edits, a swap of neighbours counting one),
    or `bound + 1` when it is over `bound`."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > bound:
            return bound + 1
        previous2, previous = previous, current
    return min(previous[-1], bound + 1)


def _statement_text(source: Source, span: Span) -> str:
    lines = [source.line(n).strip() for n in range(span.line, span.end_line + 1)]
    text = " ".join(line.split("#", 1)[0].strip() if "#" in line and '"' not in line else line for line in lines)
    return " ".join(text.split())


class _Compiler:
    def __init__(self, source: Source, tree: m.CharterModel, *, bare_money: bool = False):
        self.source = source
        self.bare_money = bare_money  # read a bare amount as in its attribute's currency (rendered regions)
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

    # -- reporting ------------------------------------------------------------
    def error(self, code: str, span: Span, message: str, help: str | None = None,
              labels: tuple[Label, ...] = ()) -> None:
        if len(self.diags) >= MAX_ERRORS:
            self.dropped += 1
            return
        self.diags.append(Diagnostic(code=code, severity=Severity.ERROR, message=message, path=self.source.path,
                                     span=span, help=help, labels=labels, source=self.source))

    def _label(self, span: Span, message: str) -> Label:
        return Label(span=span, message=message)

    # -- names ----------------------------------------------------------------
    def role(self, name: m.Name | None) -> str | None:
        if name is None:
            return None
        if name.value in self.roles:
            return name.value
        guess = suggest(name.value, self.roles)
        keyword = name.value.casefold()
        if keyword != name.value and keyword in reserved_words():  # `Nobody may decide …` is no forbid
            hint = f"keywords are written in lower case: did you mean `{keyword}`?"
        elif guess:
            hint = f"did you mean `{guess}`?"
        elif name.value in reserved_words():  # `inform nobody`: `role nobody` would be an error too
            hint = f"`{name.value}` is a keyword of the language, not a role; name a declared role here"
        elif suggest(name.value, ("nobody",)):  # `nobdy may decide …`
            hint = f"did you mean `nobody`? If not, declare it with `role {name.value}`"
        else:
            hint = f"declare it with `role {name.value}`"
        self.error(UNKNOWN_ROLE, name.span, f"`{name.value}` is not a declared role", hint)
        return None

    def decision(self, name: m.Name) -> DecisionSpec | None:
        spec = self.decisions.get(name.value)
        if spec is not None:
            return spec
        guess = suggest(name.value, self.decisions)
        hint = f"did you mean `{guess}`?" if guess else f"declare it with `decision {name.value} {{ … }}`"
        self.error(UNKNOWN_DECISION, name.span, f"`{name.value}` is not a declared decision", hint)
        return None

    def attribute(self, spec: DecisionSpec, name: m.Name) -> AttrSpec | None:
        attr = spec.attrs.get(name.value)
        if attr is not None:
            return attr
        guess = suggest(name.value, spec.attrs)
        known = ", ".join(spec.attrs) or "no attributes"
        hint = f"did you mean `{guess}`?" if guess else f"`{spec.name}` has {known}"
        self.error(UNKNOWN_ATTRIBUTE, name.span, f"`{name.value}` is not an attribute of `{spec.name}`", hint)
        return None

    # -- values ---------------------------------------------------------------
    def value(self, spec: DecisionSpec, attr: AttrSpec, lit: m.Literal, op: str | None = None) -> Value | None:
        """Convert a literal written against `attr`, or report why it does not fit."""
        kind = attr.kind
        if kind == "enum":
            if lit.kind == "name":
                if lit.value in attr.members:
                    return lit.value
                guess = suggest(str(lit.value), attr.members)
                self.error(UNKNOWN_MEMBER, lit.span,
                           f"`{lit.value}` is not one of {attr.name}'s choices: {', '.join(attr.members)}",
                           f"did you mean `{guess}`?" if guess else
                           f"use one of them, or add `{lit.value}` to the choices of `{attr.name}`")
                return None
            return self._mismatch(attr, lit, op)
        if kind == "money":
            if lit.kind == "number":
                if not self.currency_line and not self.bare_money:  # a bare amount is in the charter's currency,
                    # and there is none
                    return self._bare_money(spec, attr, lit)
                return lit.value  # in the charter's currency
            if lit.kind == "money":
                return lit.value if self._currency(spec, attr, lit) else None
            return self._mismatch(attr, lit, op)
        if kind == "number":
            if lit.kind == "number":
                return lit.value
            if lit.kind == "money":
                self.error(TYPE_MISMATCH, lit.span,
                           f"`{attr.name}` is a number, not money: `{lit.text}` carries a currency",
                           f"drop the currency: `{lit.text.split()[0]}`")
                return None
            return self._mismatch(attr, lit, op)
        if kind == "bool":
            if lit.kind == "bool":
                return lit.value
            return self._mismatch(attr, lit, op)
        if kind == "date":
            if lit.kind == "date":
                return lit.value
            return self._mismatch(attr, lit, op)
        if kind == "text":
            if lit.kind == "text":
                return lit.value
            return self._mismatch(attr, lit, op)
        raise AssertionError(kind)  # pragma: no cover

    def _mismatch(self, attr: AttrSpec, lit: m.Literal, op: str | None) -> None:
        what = {"number": "a number", "money": "money", "date": "a date", "bool": "a yes/no",
                "text": "a text", "name": f"the name `{lit.text}`"}[lit.kind]
        if attr.kind == "enum":
            head = f"`{attr.name}` is a choice (one of {', '.join(attr.members)})"
            hint = f"compare it with one of its choices: `{attr.name} == {attr.members[0]}`" if attr.members else None
        else:
            head = f"`{attr.name}` is {KIND_WORDS[attr.kind]}"
            hint = {
                "money": f"write an amount: `{attr.name} <= 10k`",
                "number": f"write a number: `{attr.name} >= 2`",
                "bool": f"write `{attr.name}` or `not {attr.name}`",
                "date": f"write a date: `{attr.name} >= 2027-01-01`",
                "text": f'write a quoted text: `{attr.name} == "…"`',
            }[attr.kind]
            if attr.kind == "text" and lit.kind == "name":
                hint = f'texts are quoted: `{attr.name} == "{lit.text}"`'
        if op:
            message = f"{head}, so `{op} {lit.text}` compares it with {what}"
        else:
            message = f"{head}, so it cannot be `{lit.text}`, which is {what}"
        self.error(TYPE_MISMATCH, lit.span, message, hint)
        return None

    def _bare_money(self, spec: DecisionSpec, attr: AttrSpec, lit: m.Literal) -> None:
        known = self.attr_currency.get((spec.name, attr.name))
        code = known[0] if known is not None else "EUR"
        self.error(BARE_MONEY, lit.span,
                   f"`{lit.text}` is an amount of `{attr.name}` without a currency, and the charter names none",
                   f"write the code (`{lit.text} {code}`), or give the charter its currency with a "
                   f"`currency {code}` line after the `charter` line")
        return None

    def _currency(self, spec: DecisionSpec, attr: AttrSpec, lit: m.Literal) -> bool:
        """Check the literal's currency against the attribute's one currency; False when it differs."""
        key = (spec.name, attr.name)
        code = lit.currency
        if code is not None and not is_currency(code):
            self.error(BAD_HEADER, lit.span, f"`{code}` is not an ISO 4217 currency code", _currency_hint(code))
            return False
        first = self.attr_currency.get(key)
        if first is None:
            self.attr_currency[key] = (code, lit.span)
            return True
        if first[0] == code:
            return True
        where = "the charter's currency" if first[1] is None else f"line {first[1].line}"
        labels = (self._label(first[1], f"{first[0]} here"),) if first[1] is not None else ()
        self.error(MIXED_CURRENCY, lit.span,
                   f"money in two currencies ({first[0]} and {code}) for `{attr.name}` without a rate",
                   f"write every amount of `{attr.name}` in {first[0]} ({where})", labels)
        return False

    # -- conditions -----------------------------------------------------------
    def cond(self, spec: DecisionSpec, node: m.Condition | None) -> Cond | None:
        """Typed condition, or None when any part of it was reported as an error."""
        if node is None:
            return TRUE
        if isinstance(node, m.And):
            parts = [self.cond(spec, c) for c in node.items]
            return None if any(p is None for p in parts) else conj(*parts)  # type: ignore[arg-type]
        if isinstance(node, m.Or):
            parts = [self.cond(spec, c) for c in node.items]
            return None if any(p is None for p in parts) else AnyOf(tuple(parts))  # type: ignore[arg-type]
        if isinstance(node, m.Not):
            inner = self.cond(spec, node.item)
            return None if inner is None else Not(inner)
        attr = self.attribute(spec, node.attr)
        if attr is None:
            return None
        if isinstance(node, m.Truth):
            if attr.kind != "bool":
                self.error(TYPE_MISMATCH, node.span,
                           f"`{attr.name}` is {KIND_WORDS.get(attr.kind, 'a choice')}, not a yes/no, so it cannot "
                           f"stand alone as a condition", "compare it with a value, e.g. "
                           + {"money": f"`{attr.name} <= 10k`", "number": f"`{attr.name} >= 1`",
                              "date": f"`{attr.name} >= 2027-01-01`", "text": f'`{attr.name} == "…"`'}
                           .get(attr.kind, f"`{attr.name} == {attr.members[0] if attr.members else '…'}`"))
                return None
            return Cmp(attr.name, "==", True)
        if isinstance(node, m.Compare):
            if node.op not in ("==", "!=") and attr.kind in ("enum", "text", "bool"):
                what = {"enum": f"a choice (one of {', '.join(attr.members)})", "text": "a text",
                        "bool": "a yes/no"}[attr.kind]
                lit = node.value
                with_what = {"number": " with a number", "money": " with money"}.get(lit.kind, "")
                self.error(TYPE_MISMATCH, node.span,
                           f"`{attr.name}` is {what}, so `{node.op} {lit.text}` cannot compare it{with_what}",
                           f"use `==`, `!=` or `in [..]`, e.g. `{attr.name} == "
                           f"{attr.members[0] if attr.members else '…'}`" if attr.kind == "enum"
                           else "use `==` or `!=`")
                return None
            value = self.value(spec, attr, node.value, node.op)
            if value is None:
                return None
            return Cmp(attr.name, node.op, value)
        if isinstance(node, m.Membership):
            if attr.kind == "bool":
                self.error(TYPE_MISMATCH, node.span, f"`{attr.name}` is a yes/no; `in [..]` does not apply to it",
                           f"write `{attr.name}` or `not {attr.name}`")
                return None
            values = [self.value(spec, attr, lit, "in") for lit in node.values]
            if any(v is None for v in values):
                return None
            return In(attr.name, frozenset(values), node.negated)  # type: ignore[arg-type]
        raise AssertionError(node)  # pragma: no cover

    def obligations(self, items: Iterable[m.Obligation]) -> frozenset[tuple[str, str]]:
        out = set()
        for ob in items:
            for name in ob.roles:
                role = self.role(name)
                if role is not None:
                    out.add((ob.kind, role))
        return frozenset(out)

    def rule(self, kind: str, node: m.Node, decision: str, role: str | None, **extra: str | None) -> Rule:
        return Rule(kind=kind, decision=decision, role=role, path=self.source.path, span=node.span,
                    text=_statement_text(self.source, node.span), **extra)

    # -- passes -----------------------------------------------------------------
    def declare(self) -> None:
        seen_header: dict[type, m.Node] = {}
        for st in self.tree.statements:
            if isinstance(st, (m.Header, m.Version, m.Currency, m.FlowsUp)):
                if type(st) in seen_header:
                    first = seen_header[type(st)]
                    self.error(DUPLICATE, st.span, "the charter says this twice",
                               "keep one of them", (self._label(first.span, "first said here"),))
                    continue
                seen_header[type(st)] = st
            if isinstance(st, m.Header):
                self.title = st.title
            elif isinstance(st, m.Version):
                self.version = st.value.value  # type: ignore[assignment]
            elif isinstance(st, m.Currency):
                code = st.code.value
                if not (len(code) == 3 and code.isascii() and code.isalpha() and code.isupper()):
                    self.error(BAD_HEADER, st.code.span, f"`{code}` is not a currency code",
                               "write a three-letter ISO code in capitals, like EUR or USD")
                elif not is_currency(code):
                    self.error(BAD_HEADER, st.code.span, f"`{code}` is not an ISO 4217 currency code",
                               _currency_hint(code))
                else:
                    self.currency = code
            elif isinstance(st, m.FlowsUp):
                self.flows_up = True
                self.flows_up_span = st.span
            elif isinstance(st, m.RoleDecl):
                for name in st.names:
                    if name.value in self.roles:
                        self.error(DUPLICATE, name.span, f"role `{name.value}` is declared twice",
                                   "remove one declaration",
                                   (self._label(self.roles[name.value], "first declared here"),))
                        continue
                    self.roles[name.value] = name.span
            elif isinstance(st, m.DecisionDecl):
                self.declare_decision(st)
        # Managers, once every role is known.
        for st in self.tree.statements:
            if isinstance(st, m.RoleDecl):
                boss = self.role(st.reports_to) if st.reports_to is not None else None
                for name in st.names:
                    if name.value not in self.manager:
                        self.manager[name.value] = boss
        self.check_cycles()

    def declare_decision(self, st: m.DecisionDecl) -> None:
        name = st.name.value
        if name in self.decisions:
            self.error(DUPLICATE, st.name.span, f"decision `{name}` is declared twice", "remove one declaration",
                       (self._label(self.decisions[name].span, "first declared here"),))
            return
        attrs: dict[str, AttrSpec] = {}
        spans: dict[str, Span] = {}
        for a in st.attributes:
            if a.name.value in attrs:
                self.error(DUPLICATE, a.name.span, f"`{name}` declares attribute `{a.name.value}` twice",
                           "remove one", (self._label(spans[a.name.value], "first declared here"),))
                continue
            members: list[str] = []
            for member in a.type.members:
                if member.value in members:
                    self.error(DUPLICATE, member.span, f"`{member.value}` is listed twice", "remove one")
                else:
                    members.append(member.value)
            attrs[a.name.value] = AttrSpec(a.name.value, a.type.kind, tuple(members),
                                           currency=self.currency if a.type.kind == "money" else None)
            spans[a.name.value] = a.name.span
        spec = DecisionSpec(name, st.title, attrs, st.name.span)
        # Defaults, checked against the types just declared.
        for a in st.attributes:
            if a.default is not None and a.name.value in attrs and spans[a.name.value] == a.name.span:
                value = self.value(spec, attrs[a.name.value], a.default)
                if value is not None:
                    old = attrs[a.name.value]
                    attrs[a.name.value] = AttrSpec(old.name, old.kind, old.members, True, value, old.currency)
        self.decisions[name] = spec

    def check_cycles(self) -> None:
        """Report each circle in the reporting line once, at its first-declared role, and cut it there.

        Linear: each role is walked once. A walk stops at the first role an
        earlier walk (or this one) reached; when that role is on this walk,
        the walk closed a circle.
        """
        order = {role: k for k, role in enumerate(self.roles)}
        walk_of: dict[str, int] = {}
        cycles: list[list[str]] = []
        for k, start in enumerate(self.roles):
            trail: list[str] = []
            role: str | None = start
            while role is not None and role not in walk_of:
                walk_of[role] = k
                trail.append(role)
                role = self.manager.get(role)
            if role is not None and walk_of[role] == k:  # back on this walk: a circle
                ring = trail[trail.index(role):]
                first = min(range(len(ring)), key=lambda i: order[ring[i]])
                cycles.append(ring[first:] + ring[:first])
        for ring in sorted(cycles, key=lambda ring: order[ring[0]]):
            start = ring[0]
            self.error(REPORTING_CYCLE, self.roles[start],
                       "the reporting line goes round in a circle: " + " → ".join([*ring, start]),
                       "a role reports to at most one role and never, through others, to itself; "
                       "remove one `reports to`")
            self.manager[start] = None

    def currencies(self) -> None:
        """Fix each money attribute's currency: the charter's, else the first one written."""
        for spec in self.decisions.values():
            for name, attr in list(spec.attrs.items()):
                if attr.kind != "money":
                    continue
                if self.currency is not None:
                    self.attr_currency.setdefault((spec.name, name), (self.currency, None))  # type: ignore[arg-type]

    def settle_currencies(self) -> None:
        """Give each money attribute the currency its amounts are written in.

        Without a `currency` line, that is the code its limits carry, and a
        request's amount must carry it too (`needs_code`): a bare number is in
        the charter's currency, and there is none.
        """
        for (decision, name), (code, _span) in self.attr_currency.items():
            attr = self.decisions[decision].attrs[name]
            needs_code = self.currency is None
            if attr.currency != code or attr.needs_code != needs_code:
                self.decisions[decision].attrs[name] = AttrSpec(attr.name, attr.kind, attr.members,
                                                                attr.has_default, attr.default, code, needs_code)

    def statements(self) -> tuple[list[Grant], list[Forbid], list[Delegation], dict[str, str], list[ExpectC]]:
        grants: list[Grant] = []
        forbids: list[Forbid] = []
        delegations: list[Delegation] = []
        escalations: dict[str, str] = {}
        escalation_spans: dict[str, Span] = {}
        expects: list[ExpectC] = []
        for st in self.tree.statements:
            if isinstance(st, m.Grant):
                role = self.role(st.role)
                spec = self.decision(st.decision)
                cond = self.cond(spec, st.condition) if spec else None
                obligations = self.obligations(st.obligations)
                if role and spec and cond is not None:
                    rule = self.rule("propose" if st.propose else "grant", st, spec.name, role)
                    grants.append(Grant(role, spec.name, cond, obligations, st.propose, rule))
            elif isinstance(st, m.Forbid):
                role = self.role(st.role) if st.role is not None else None
                spec = self.decision(st.decision)
                cond = self.cond(spec, st.condition) if spec else None
                if (role or st.role is None) and spec and cond is not None:
                    forbids.append(Forbid(role, spec.name, cond, self.rule("forbid", st, spec.name, role)))
            elif isinstance(st, m.Delegation):
                delegator = self.role(st.delegator)
                spec = self.decision(st.decision)
                delegate = self.role(st.delegate)
                cond = self.cond(spec, st.condition) if spec else None
                obligations = self.obligations(st.obligations)
                if st.subdelegate is None:
                    further: float = 0
                elif st.subdelegate.levels is None:
                    further = INFINITE
                else:
                    further = st.subdelegate.levels
                if delegator and delegate and spec and cond is not None:
                    rule = self.rule("delegation", st, spec.name, delegate, delegator=delegator, delegate=delegate)
                    delegations.append(Delegation(
                        delegator, delegate, spec.name, cond,
                        st.start.value if st.start else None,  # type: ignore[arg-type]
                        st.end.value if st.end else None,  # type: ignore[arg-type]
                        obligations, further, rule))
            elif isinstance(st, m.Escalate):
                spec = self.decision(st.decision)
                role = self.role(st.role)
                if spec and role:
                    if spec.name in escalations:
                        self.error(DUPLICATE, st.span, f"`{spec.name}` already escalates to `{escalations[spec.name]}`",
                                   "keep one `escalate` per decision",
                                   (self._label(escalation_spans[spec.name], "first said here"),))
                    else:
                        escalations[spec.name] = role
                        escalation_spans[spec.name] = st.span
            elif isinstance(st, m.Expect):
                expect = self.expect(st)
                if expect is not None:
                    expects.append(expect)
        return grants, forbids, delegations, escalations, expects

    def expect(self, st: m.Expect) -> ExpectC | None:
        role = self.role(st.role)
        spec = self.decision(st.decision)
        ok = role is not None and spec is not None
        attrs: dict[str, Value] = {}
        given: set[str] = set()
        if spec is not None:
            for assign in st.attributes:
                attr = self.attribute(spec, assign.attr)
                if attr is None:
                    ok = False
                    continue
                if attr.name in given:
                    self.error(BAD_REQUEST_IN_EXPECT, assign.span, f"`{attr.name}` is given twice", "give it once")
                    ok = False
                    continue
                given.add(attr.name)
                value = self.value(spec, attr, assign.value)
                if value is None:
                    ok = False
                    continue
                attrs[attr.name] = value
            for attr in spec.attrs.values():
                if attr.name not in given:
                    if attr.has_default:
                        attrs[attr.name] = attr.default  # type: ignore[assignment]
                    else:
                        self.error(BAD_REQUEST_IN_EXPECT, st.decision.span,
                                   f"this expectation does not say `{attr.name}`, which `{spec.name}` requires",
                                   f"add `{attr.name} = …` after `with`")
                        ok = False
        targets = None
        if st.escalates_to is not None:
            resolved = [self.role(n) for n in st.escalates_to]
            if any(r is None for r in resolved):
                ok = False
            targets = tuple(r for r in resolved if r is not None)
        obligations: dict[str, set[str]] = {}
        for ob in st.obligations:
            bucket = obligations.setdefault(ob.kind, set())
            for name in ob.roles:
                r = self.role(name)
                if r is None:
                    ok = False
                else:
                    bucket.add(r)
        if not ok:
            return None
        return ExpectC(role, spec.name, st.allowed, attrs, st.on.value if st.on else None,  # type: ignore[arg-type]
                       targets, {k: frozenset(v) for k, v in obligations.items()}, st.span,
                       _statement_text(self.source, st.span))

    def inherited(self, held: Mapping[str, list], budget: int,
                  verb: str = "decide") -> tuple[dict[str, list[str]], int] | None:
        """Under `authority flows up`, per role the roles below it that hold something in `held`.

        Listed in declaration order. Walks up from each holder only, so the
        work is the number of (manager, holder) pairs — each one a way the
        caller makes — and stops with `DR110` once those ways pass `budget`.
        Returns the lists and the ways they make, or None after the error.
        """
        below: dict[str, list[str]] = {}
        ways = 0
        if not self.flows_up:
            return below, ways
        for holder in self.roles:
            items = held.get(holder)
            if not items:
                continue
            seen = {holder}
            boss = self.manager.get(holder)
            while boss is not None and boss not in seen:
                below.setdefault(boss, []).append(holder)
                ways += len(items)
                if ways > budget:
                    self.error(TOO_MANY_CHAINS, items[0].rule.span,
                               f"under `authority flows up`, the grants inherited up the reporting line open "
                               f"more than {MAX_PATHS:,} ways to {verb}; the charter is refused",
                               "drop `authority flows up` and grant managers what they decide, or shorten "
                               "the reporting line",
                               (self._label(self.flows_up_span, "authority flows up here"),)
                               if self.flows_up_span is not None else ())
                    return None
                seen.add(boss)
                boss = self.manager.get(boss)
        return below, ways

    def build_paths(self, grants: list[Grant], delegations: list[Delegation]) -> dict[tuple[str, str], tuple[Path, ...]]:
        """Every way each role may decide each decision: a grant, then delegation links.

        Built structurally (conditions and dates are not evaluated here): a link
        from A to B extends every way of A that still permits a further link,
        never revisiting a role, so cycles end and depth bounds hold. Ways
        inherited up the reporting line count against `MAX_PATHS` like chains.
        """
        by_role_decision: dict[tuple[str, str], list[Path]] = {}
        frontier: list[Path] = []

        def add(path: Path) -> None:
            by_role_decision.setdefault((path.role, path.grant.decision), []).append(path)
            frontier.append(path)

        grants_by_role: dict[str, list[Grant]] = {}
        for g in grants:
            if not g.propose:
                grants_by_role.setdefault(g.role, []).append(g)
        found = self.inherited(grants_by_role, MAX_PATHS - sum(map(len, grants_by_role.values())))
        if found is None:
            return {}
        descendants = found[0]
        for role in self.roles:
            for holder in [role, *descendants.get(role, ())]:
                for g in grants_by_role.get(holder, ()):
                    add(_make_path(role, g, (), (role,), holder != role))
        out_links: dict[tuple[str, str], list[Delegation]] = {}
        for d in delegations:
            out_links.setdefault((d.delegator, d.decision), []).append(d)
        count = len(frontier)
        while frontier:
            path = frontier.pop()
            if path.remaining < 1:
                continue
            for d in out_links.get((path.role, path.grant.decision), ()):
                if d.delegate in path.chain:
                    continue
                count += 1
                if count > MAX_PATHS:
                    self.error(TOO_MANY_CHAINS, d.rule.span,
                               f"the delegations open more than {MAX_PATHS:,} ways to decide; the charter is refused",
                               "remove delegation loops or bound them with `may subdelegate up to N levels`")
                    return {}
                add(_make_path(d.delegate, path.grant, path.links + (d,), path.chain + (d.delegate,),
                               path.inherited, path, d))
        return {key: tuple(paths) for key, paths in by_role_decision.items()}

    def run(self, partial: bool = False) -> CompiledCharter:
        """Compile; with `partial`, leave out what is wrong instead of raising (lint uses this)."""
        self.declare()
        self.currencies()
        grants, forbids, delegations, escalations, expects = self.statements()
        self.settle_currencies()
        if self.dropped:
            last = self.diags[-1]
            self.diags[-1] = last.model_copy(update={"notes": (*last.notes, f"and {self.dropped:,} more errors "
                                                                              f"after this one, not shown")})
        if self.diags and not partial:
            raise CompileError(self.diags)
        paths = self.build_paths(grants, delegations)
        proposals: dict[tuple[str, str], list[Grant]] = {}
        proposals_by_role: dict[str, list[Grant]] = {}
        for g in grants:
            if g.propose:
                proposals_by_role.setdefault(g.role, []).append(g)
        if proposals_by_role:
            found = self.inherited(proposals_by_role, MAX_PATHS - sum(map(len, proposals_by_role.values())),
                                   "propose")
            holders = found[0] if found is not None else {}
            for role in self.roles:
                for holder in (role, *holders.get(role, ())):
                    for g in proposals_by_role.get(holder, ()):
                        proposals.setdefault((role, g.decision), []).append(g)
        if self.diags and not partial:
            raise CompileError(self.diags)
        own: dict[tuple[str, str], list[Forbid]] = {}
        nobody: dict[str, list[Forbid]] = {}
        for f in forbids:
            if f.role is None:
                nobody.setdefault(f.decision, []).append(f)
            else:
                own.setdefault((f.role, f.decision), []).append(f)
        return CompiledCharter(
            source=self.source, title=self.title, version=self.version, currency=self.currency,
            flows_up=self.flows_up, roles=tuple(self.roles), role_spans=dict(self.roles),
            manager=dict(self.manager), decisions=dict(self.decisions), grants=tuple(grants),
            forbids=tuple(forbids), delegations=tuple(delegations), escalations=escalations,
            expects=tuple(expects), paths=paths,
            proposals={k: tuple(v) for k, v in proposals.items()},
            forbids_of=_Binding({k: tuple(v) for k, v in own.items()}, {k: tuple(v) for k, v in nobody.items()}))


def _make_path(role: str, grant: Grant, links: tuple[Delegation, ...], chain: tuple[str, ...], inherited: bool,
               parent: Path | None = None, link: Delegation | None = None) -> Path:
    if parent is None or link is None:
        cond, start, end, obligations, remaining = grant.cond, None, None, grant.obligations, INFINITE
    else:
        cond = conj(parent.cond, link.cond)
        start = max((d for d in (parent.start, link.start) if d is not None), default=None)
        end = min((d for d in (parent.end, link.end) if d is not None), default=None)
        obligations = parent.obligations | link.obligations
        remaining = min(parent.remaining - 1, link.further)
    key = (len(obligations), tuple(sorted(obligations)))
    return Path(role, grant, links, chain, cond, start, end, obligations, remaining, inherited, key)


def compile_charter(tree: m.CharterModel, source: Source) -> CompiledCharter:
    """Resolve and check a parsed charter; raise `CompileError` with every problem found."""
    return _Compiler(source, tree).run()


def compile_partial(tree: m.CharterModel, source: Source) -> tuple[CompiledCharter, list[Diagnostic]]:
    """Compile what is right and report what is wrong: the charter without its broken statements."""
    compiler = _Compiler(source, tree)
    compiled = compiler.run(partial=True)
    return compiled, compiler.diags


def errors_beside(error: CharterError, source: Source) -> list[Diagnostic]:
    """The compile errors of the statements that parsed, beside the syntax errors of those that did not.

    A `ParseError` carries the model of the statements that are not broken
    (see `parse`). An error about a name that a broken statement mentions is
    left out: the broken statement may well declare it.
    """
    rest = getattr(error, "rest", None)
    if rest is None:
        return []
    _, diags = compile_partial(rest, source)
    written = set(re.findall(r"\w+", getattr(error, "broken", "")))
    out = []
    for d in diags:
        if d.severity is not Severity.ERROR:
            continue
        named = re.findall(r"`(\w+)`", d.message)
        if any(name in written for name in named):
            continue
        out.append(d)
    return out


def condition_from_text(text: str, attrs: Mapping[str, AttrSpec], currency: str | None = None) -> Cond:
    """Parse and type-check the text of a `when` condition against a decision's attributes.

    Used to read back rendered regions; raises `CharterError` on a bad condition.
    """
    lines = ['charter "condition"']
    if currency:
        lines.append(f"currency {currency}")
    lines.append("role r")
    lines.append("decision d {")
    for attr in attrs.values():
        kind = f"one of {', '.join(attr.members)}" if attr.kind == "enum" else attr.kind
        lines.append(f"  {attr.name}: {kind}")
    lines.append("}")
    lines.append(f"r may decide d when {text}")
    source = Source("\n".join(lines), "<condition>")
    # A region renders amounts in their attribute's own currency bare (`Region.render`): read them so.
    compiled = _Compiler(source, parse(source), bare_money=True).run()
    return compiled.grants[0].cond
