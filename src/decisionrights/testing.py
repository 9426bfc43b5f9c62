"""Hypothesis strategies for charters and requests, to property-test what you build on them.

Requires `hypothesis` (the `test` extra). Every charter text `charters()` draws
parses and compiles; every request `requests()` draws is valid for its charter
and, on purpose, sits near the limits the charter writes (a limit ±1, a
delegation's first and last day ±1), where answers flip.

Example — a property of your own integration::

    from hypothesis import given, strategies as st
    import decisionrights as dr
    from decisionrights.testing import charters, requests

    @given(st.data())
    def test_my_gate_follows_the_charter(data):
        text = data.draw(charters(), label="charter")
        req = data.draw(requests(text), label="request")
        charter = dr.loads(text)
        answer = charter.may(req.role, req.decision, on=req.on, **req.attributes)
        assert my_gate(charter, req) == answer.allowed

A failing example prints as the charter's text, one statement per line with
indented continuation lines, like the examples in the language reference.

The mutation helpers (`add_statement`, `remove_statement`, `reorder_statements`,
`split_statements`, …) work on statement lines: a statement starts on a line
that is not indented (and is not a closing `}` or a comment) and runs until
the next such line. Texts this module generates are laid out that way; other
texts may not be.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from itertools import pairwise
from typing import Any, NamedTuple

from hypothesis import strategies as st

from .syntax import model as m
from .syntax.parse import parse
from .source import Source
from .words import KEYWORD

__all__ = [
    "People",
    "people",
    "AttributeInfo",
    "CharterText",
    "DecisionInfo",
    "Request",
    "Schema",
    "Chain",
    "add_statement",
    "boundary_days",
    "boundary_requests",
    "boundary_values",
    "bounded_chains",
    "edge_variants",
    "limit_grants",
    "charters",
    "conditions",
    "delegation_statements",
    "forbid_statements",
    "grant_statements",
    "join_statements",
    "remove_statement",
    "reorder_statements",
    "reorderings",
    "requests",
    "schema_of",
    "split_statements",
    "statement_indexes",
    "statement_kind",
]

# -- vocabulary -----------------------------------------------------------------
# Names are drawn from small fixed lists, so examples read like a real charter and
# never collide with the language's reserved words.

ROLE_NAMES: tuple[str, ...] = (
    "ceo", "cfo", "controller", "treasurer", "lead", "engineer", "board", "director",
    "analyst", "auditor", "buyer", "clerk", "sre", "on_call", "developer", "counsel",
)
DECISION_NAMES: tuple[str, ...] = (
    "purchase", "hire", "deploy", "release", "refund", "contract", "payment_run", "discount",
)
ATTRIBUTE_NAMES: dict[str, tuple[str, ...]] = {
    "money": ("amount", "total", "price"),
    "number": ("severity", "approvals", "headcount"),
    "bool": ("budgeted", "urgent", "vendor_related"),
    "text": ("vendor", "note", "region"),
    "date": ("due", "signed_on", "starts"),
    "enum": ("category", "risk", "environment"),
}
ENUM_MEMBERS: dict[str, tuple[str, ...]] = {
    "category": ("hardware", "software", "travel", "services"),
    "risk": ("low", "medium", "high"),
    "environment": ("staging", "production", "sandbox"),
}
ATTRIBUTE_KINDS: tuple[str, ...] = ("money", "enum", "bool", "number", "date", "text")
TITLES: tuple[str, ...] = ("Generated", "Acme Finance", "Platform Team", "Lantern project")
TEXT_VALUES: tuple[str, ...] = ("acme", "globex", "urgent", "", "initech", "café")
MONEY_POOL: tuple[int, ...] = (
    1000, 500, 2000, 2500, 10_000, 25_000, 50_000, 100_000, 250_000, 1_000_000, 1_500_000,
)
NUMBER_POOL: tuple[int | Decimal, ...] = (2, 1, 3, 5, 0, 7, 10, 100, Decimal("2.5"))
DATE_ANCHOR = date(2026, 12, 1)
DATE_OFFSETS: tuple[int, ...] = (0, 120, 30, -1, 1, 90, 365, -31, -365, 200)
OBLIGATION_KINDS: tuple[str, ...] = ("inform", "announce", "consult", "agreement")
"""`words.KINDS` in the order the strategies have always drawn them (another order draws other charters)."""
INDENT = "    "
LINE_WIDTH = 72


class CharterText(str):
    """A charter's text. A plain `str`; Hypothesis prints it one statement per line."""

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        lines = self.splitlines(keepends=True) or [""]
        if len(lines) == 1:
            p.text(repr(str(self)))
            return
        with p.group(4, "(", ")"):
            for i, line in enumerate(lines):
                p.break_()
                p.text(repr(line))
            p.break_()


# -- what a charter declares ------------------------------------------------------

@dataclass(frozen=True)
class AttributeInfo:
    """One attribute of a decision: `kind` is money, number, bool, text, date or enum."""

    name: str
    kind: str
    members: tuple[str, ...] = ()
    has_default: bool = False
    default: Any = None


@dataclass(frozen=True)
class DecisionInfo:
    name: str
    attributes: tuple[AttributeInfo, ...]


@dataclass(frozen=True)
class Schema:
    """What a charter declares, and the values its rules mention (for drawing requests).

    `literals` maps (decision, attribute) to the values written in conditions on it;
    `dates` lists the delegations' `from`/`until` dates; `mentions` the (role, decision)
    pairs the rules name (grantees, delegators, delegates, forbidden roles).
    """

    roles: tuple[str, ...]
    decisions: tuple[DecisionInfo, ...]
    flows_up: bool = False
    literals: Mapping[tuple[str, str], tuple[Any, ...]] = field(default_factory=dict)
    dates: tuple[date, ...] = ()
    mentions: tuple[tuple[str, str], ...] = ()
    windows: tuple[tuple[str, date | None, date | None], ...] = ()
    """Each dated delegation's (decision, first day, last day); None where it has no `from`/`until`."""

    def decision(self, name: str) -> DecisionInfo:
        for d in self.decisions:
            if d.name == name:
                return d
        raise KeyError(name)


def _condition_literals(cond: m.Condition | None, out: dict[str, list[Any]]) -> None:
    if cond is None:
        return
    if isinstance(cond, m.Compare):
        out.setdefault(cond.attr.value, []).append(cond.value.value)
    elif isinstance(cond, m.Membership):
        out.setdefault(cond.attr.value, []).extend(v.value for v in cond.values)
    elif isinstance(cond, m.Truth):
        out.setdefault(cond.attr.value, [])
    elif isinstance(cond, (m.And, m.Or)):
        for item in cond.items:
            _condition_literals(item, out)
    elif isinstance(cond, m.Not):
        _condition_literals(cond.item, out)


def schema_of(charter: str | m.CharterModel) -> Schema:
    """The roles, decisions and written values of a charter (its text or its parsed model)."""
    model = parse(Source(str(charter), "<generated>")) if isinstance(charter, str) else charter
    roles: list[str] = []
    decisions: list[DecisionInfo] = []
    flows_up = False
    literals: dict[tuple[str, str], list[Any]] = {}
    dates: list[date] = []
    mentions: list[tuple[str, str]] = []
    windows: list[tuple[str, date | None, date | None]] = []
    for stmt in model.statements:
        if isinstance(stmt, m.FlowsUp):
            flows_up = True
        elif isinstance(stmt, m.RoleDecl):
            roles.extend(n.value for n in stmt.names)
        elif isinstance(stmt, m.DecisionDecl):
            attrs = tuple(
                AttributeInfo(
                    name=a.name.value,
                    kind=a.type.kind,
                    members=tuple(n.value for n in a.type.members),
                    has_default=a.default is not None,
                    default=a.default.value if a.default is not None else None,
                )
                for a in stmt.attributes
            )
            decisions.append(DecisionInfo(stmt.name.value, attrs))
        elif isinstance(stmt, (m.Grant, m.Forbid, m.Delegation)):
            found: dict[str, list[Any]] = {}
            _condition_literals(stmt.condition, found)
            for attr, values in found.items():
                literals.setdefault((stmt.decision.value, attr), []).extend(values)
            if isinstance(stmt, m.Delegation):
                dates.extend(lit.value for lit in (stmt.start, stmt.end) if lit is not None)
                if stmt.start is not None or stmt.end is not None:
                    windows.append((stmt.decision.value, stmt.start.value if stmt.start else None,
                                    stmt.end.value if stmt.end else None))
                mentions += [(stmt.delegator.value, stmt.decision.value), (stmt.delegate.value, stmt.decision.value)]
            elif stmt.role is not None:
                mentions.append((stmt.role.value, stmt.decision.value))
    return Schema(
        roles=tuple(roles),
        decisions=tuple(decisions),
        flows_up=flows_up,
        literals={key: tuple(values) for key, values in literals.items()},
        dates=tuple(dates),
        windows=tuple(windows),
        mentions=tuple(mentions),
    )


# -- literals -----------------------------------------------------------------------

def _money_forms(value: int) -> list[str]:
    """Every way to write `value` as a literal: `250000`, `250_000`, `250k`, `0.25M`."""
    forms = [str(value)]
    if value >= 10_000:
        forms.append(f"{value:_}")
    for suffix, scale in (("k", 1_000), ("M", 1_000_000)):
        if value and value % (scale // 10) == 0 and value >= scale // 10:
            scaled = Decimal(value) / scale
            text = str(int(scaled)) if scaled == scaled.to_integral_value() else format(scaled.normalize(), "f")
            forms.append(f"{text}{suffix}")
    return forms


@st.composite
def _money_literal(draw: Callable[..., Any]) -> str:
    value = draw(st.one_of(st.sampled_from(MONEY_POOL), st.integers(0, 2_000_000)))
    return draw(st.sampled_from(_money_forms(value)))


@st.composite
def _number_literal(draw: Callable[..., Any]) -> str:
    value = draw(st.one_of(st.sampled_from(NUMBER_POOL), st.integers(0, 20)))
    if isinstance(value, Decimal):
        return str(value)
    return draw(st.sampled_from(_money_forms(value)[:2]))


def _date_literal() -> st.SearchStrategy[str]:
    offsets = st.one_of(st.sampled_from(DATE_OFFSETS), st.integers(-500, 500))
    return offsets.map(lambda d: (DATE_ANCHOR + timedelta(days=d)).isoformat())


def _text_literal() -> st.SearchStrategy[str]:
    return st.sampled_from(TEXT_VALUES).map(lambda s: f'"{s}"')


@lru_cache(maxsize=512)
def _literal_for(attr: AttributeInfo) -> st.SearchStrategy[str]:
    if attr.kind == "money":
        return _money_literal()
    if attr.kind == "number":
        return _number_literal()
    if attr.kind == "date":
        return _date_literal()
    if attr.kind == "text":
        return _text_literal()
    if attr.kind == "bool":
        return st.sampled_from(("true", "false"))
    return st.sampled_from(attr.members)


# -- conditions -----------------------------------------------------------------------
# A condition is drawn as a small tree — ("atom", text) | ("and", items) | ("or", items)
# | ("not", item) | ("paren", item) — and rendered with only the parentheses it needs
# (plus the explicit "paren" nodes, so written parentheses are exercised too).

_ORDER_OPS = ("<=", "<", ">=", ">", "==", "!=")


@st.composite
def _atom(draw: Callable[..., Any], decision: DecisionInfo) -> tuple[str, str]:
    attr = draw(st.sampled_from(decision.attributes))
    lit = _literal_for(attr)
    if attr.kind == "bool":
        form = draw(st.sampled_from(("truth", "==", "!=")))
        if form == "truth":
            return ("atom", attr.name)
        return ("atom", f"{attr.name} {form} {draw(lit)}")
    if attr.kind in ("money", "date"):
        op = draw(st.sampled_from(_ORDER_OPS))
        return ("atom", f"{attr.name} {op} {draw(lit)}")
    if attr.kind == "number":
        form = draw(st.sampled_from(_ORDER_OPS + ("in", "not in")))
    else:  # text, enum
        form = draw(st.sampled_from(("==", "in", "!=", "not in")))
    if form in ("in", "not in"):
        values = draw(st.lists(lit, min_size=1, max_size=3, unique=True))
        return ("atom", f"{attr.name} {form} [{', '.join(values)}]")
    return ("atom", f"{attr.name} {form} {draw(lit)}")


def _condition_trees(decision: DecisionInfo, max_leaves: int) -> st.SearchStrategy[Any]:
    def extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.one_of(
            st.tuples(st.just("and"), st.lists(children, min_size=2, max_size=3)),
            st.tuples(st.just("or"), st.lists(children, min_size=2, max_size=3)),
            st.tuples(st.just("not"), children),
            st.tuples(st.just("paren"), children),
        )

    return st.recursive(_atom(decision), extend, max_leaves=max_leaves)



def _render_condition(tree: Any, context: str = "top") -> str:
    kind = tree[0]
    if kind == "atom":
        return tree[1]
    if kind == "paren":
        return f"({_render_condition(tree[1])})"
    if kind == "not":
        return f"not {_render_condition(tree[1], 'not')}"
    joined = f" {kind} ".join(_render_condition(item, kind) for item in tree[1])
    needs = (kind == "or" and context in ("and", "not")) or (kind == "and" and context == "not")
    return f"({joined})" if needs else joined


@lru_cache(maxsize=512)
def conditions(decision: DecisionInfo, max_leaves: int = 4) -> st.SearchStrategy[str]:
    """Condition texts over `decision`'s attributes: comparisons, `in`/`not in`, bare bools,
    `and`, `or`, `not` and parentheses, each well typed."""
    if not decision.attributes:
        return st.nothing()
    return _condition_trees(decision, max_leaves).map(_render_condition)


# -- statements -----------------------------------------------------------------------

@st.composite
def _obligations(draw: Callable[..., Any], roles: Sequence[str], max_size: int = 2) -> list[str]:
    kinds = draw(st.lists(st.sampled_from(OBLIGATION_KINDS), max_size=max_size, unique=True))
    out = []
    for kind in kinds:
        who = draw(st.lists(st.sampled_from(roles), min_size=1, max_size=2, unique=True))
        names = ", ".join(who)
        out.append(f"{KEYWORD[kind]} {names}")
    return out


def _layout(head: str, condition: str | None, clauses: Iterable[str]) -> str:
    lines = [head]
    if condition is not None:
        if len(head) + len(condition) + 6 <= LINE_WIDTH:
            lines[0] = f"{head} when {condition}"
        else:
            lines.append(f"{INDENT}when {condition}")
    lines.extend(f"{INDENT}{clause}" for clause in clauses)
    return "\n".join(lines)


@lru_cache(maxsize=512)
def _maybe_condition(decision: DecisionInfo, max_leaves: int) -> st.SearchStrategy[str | None]:
    if not decision.attributes:
        return st.none()
    return st.one_of(st.none(), conditions(decision, max_leaves))


@st.composite
def _grant(draw: Callable[..., Any], schema: Schema, max_leaves: int = 4, role: str | None = None,
           decision: DecisionInfo | None = None) -> str:
    role = role if role is not None else draw(st.sampled_from(schema.roles))
    decision = decision if decision is not None else draw(st.sampled_from(schema.decisions))
    if draw(st.integers(0, 9)) == 9:
        return _layout(f"{role} may propose {decision.name}", None, ())
    condition = draw(_maybe_condition(decision, max_leaves))
    obligations = draw(_obligations(schema.roles))
    return _layout(f"{role} may decide {decision.name}", condition, obligations)


def grant_statements(charter: str | Schema, max_leaves: int = 4) -> st.SearchStrategy[str]:
    """`R may decide D [when …] [obligations]` (now and then `R may propose D`) for a charter."""
    schema = charter if isinstance(charter, Schema) else schema_of(charter)
    return _grant(schema, max_leaves)


@st.composite
def _forbid(draw: Callable[..., Any], schema: Schema, max_leaves: int = 3,
            decision: DecisionInfo | None = None, role: str | None = None) -> str:
    decision = decision if decision is not None else draw(st.sampled_from(schema.decisions))
    who = role if role is not None else draw(st.one_of(st.sampled_from(schema.roles), st.none()))
    head = f"nobody may decide {decision.name}" if who is None else f"{who} may not decide {decision.name}"
    # A forbid with no condition shuts a role out entirely: possible, but rare.
    if decision.attributes and draw(st.integers(0, 7)) != 7:
        condition: str | None = draw(conditions(decision, max_leaves))
    else:
        condition = None
    return _layout(head, condition, ())


def forbid_statements(charter: str | Schema, max_leaves: int = 3, *,
                      role: str | None = None, decision: str | None = None) -> st.SearchStrategy[str]:
    """`R may not decide D when …` or `nobody may decide D when …` for a charter.

    `role` and `decision` fix those (with `role` given, never `nobody`).
    """
    schema = charter if isinstance(charter, Schema) else schema_of(charter)
    return _forbid(schema, max_leaves, role=role,
                   decision=schema.decision(decision) if decision is not None else None)


_SUBDELEGATION = ("none", "bounded", "unbounded")


@st.composite
def _delegation(draw: Callable[..., Any], schema: Schema, max_leaves: int = 3,
                delegator: str | None = None, delegate: str | None = None,
                decision: DecisionInfo | None = None, subdelegation: tuple[str, ...] = _SUBDELEGATION,
                dated: bool = False) -> str:
    if len(schema.roles) < 2:
        return draw(_grant(schema, max_leaves, decision=decision))
    decision = decision if decision is not None else draw(st.sampled_from(schema.decisions))
    if delegator is None:
        delegator = draw(st.sampled_from(schema.roles))
    if delegate is None:
        delegate = draw(st.sampled_from(tuple(r for r in schema.roles if r != delegator)))
    condition = draw(_maybe_condition(decision, max_leaves))
    clauses = []
    span = draw(st.sampled_from(("both", "from", "until") if dated else ("none", "both", "from", "until")))
    if span != "none":
        start = DATE_ANCHOR + timedelta(days=draw(st.sampled_from(DATE_OFFSETS)))
        length = draw(st.one_of(st.sampled_from((120, 0, 30, 365)), st.integers(0, 400)))
        end = start + timedelta(days=length)
        if span == "both":
            clauses.append(f"from {start.isoformat()} until {end.isoformat()}")
        elif span == "from":
            clauses.append(f"from {start.isoformat()}")
        else:
            clauses.append(f"until {end.isoformat()}")
    clauses.extend(draw(_obligations(schema.roles, max_size=1)))
    sub = draw(st.sampled_from(subdelegation))
    if sub == "unbounded":
        clauses.append("may subdelegate")
    elif sub == "bounded":
        n = draw(st.integers(1, 3))
        clauses.append(f"may subdelegate up to {n} {'level' if n == 1 else 'levels'}")
    return _layout(f"{delegator} delegates {decision.name} to {delegate}", condition, clauses)


def delegation_statements(charter: str | Schema, max_leaves: int = 3, *, dated: bool = False,
                          delegator: str | None = None, decision: str | None = None) -> st.SearchStrategy[str]:
    """`A delegates D to B [when …] [from … until …] [obligations] [may subdelegate …]`.

    `dated=True` always writes `from` and/or `until`; `delegator` and `decision` fix those.
    """
    schema = charter if isinstance(charter, Schema) else schema_of(charter)
    return _delegation(schema, max_leaves, delegator=delegator, dated=dated,
                       decision=schema.decision(decision) if decision is not None else None)


# -- whole charters -----------------------------------------------------------------

_DEFAULTS: dict[str, tuple[str, ...]] = {
    "money": ("0", "500", "1k"),
    "number": ("0", "1"),
    "bool": ("false", "true"),
    "text": ('""', '"n/a"'),
    "date": ("2027-01-01", "2026-06-30"),
}


@st.composite
def _attributes(draw: Callable[..., Any]) -> list[tuple[str, str, tuple[str, ...], str | None]]:
    kinds = draw(st.lists(st.sampled_from(ATTRIBUTE_KINDS), min_size=1, max_size=4))
    taken: set[str] = set()
    out = []
    for kind in kinds:
        names = tuple(n for n in ATTRIBUTE_NAMES[kind] if n not in taken)
        if not names:
            continue
        name = draw(st.sampled_from(names))
        taken.add(name)
        members: tuple[str, ...] = ()
        if kind == "enum":
            pool = ENUM_MEMBERS[name]
            members = tuple(draw(st.lists(st.sampled_from(pool), min_size=2, max_size=len(pool), unique=True)))
        default = None
        if draw(st.booleans()):
            default = draw(st.sampled_from(members)) if kind == "enum" else draw(st.sampled_from(_DEFAULTS[kind]))
        out.append((name, kind, members, default))
    return out


def _render_attribute(name: str, kind: str, members: tuple[str, ...], default: str | None) -> str:
    typ = f"one of {', '.join(members)}" if kind == "enum" else kind
    return f"  {name}: {typ}" + (f" = {default}" if default is not None else "")


def _header(draw: Callable[..., Any], flows_up: bool | None) -> tuple[list[str], str | None, int, bool]:
    """The charter's first lines: title, sometimes a version, a currency and `authority flows up`;
    also the currency drawn, where a `currency` line goes, and whether authority flows up."""
    lines: list[str] = [f'charter "{draw(st.sampled_from(TITLES))}"']
    if draw(st.integers(0, 4)) == 4:
        lines.append(f"version {draw(st.integers(1, 9))}")
    currency = draw(st.sampled_from((None, "EUR", "USD")))
    currency_at = len(lines)
    if currency:
        lines.append(f"currency {currency}")
    if flows_up is None:
        flows_up = draw(st.booleans())
    if flows_up:
        lines.append("authority flows up")
    return lines, currency, currency_at, flows_up


def _roles(draw: Callable[..., Any], max_roles: int, lines: list[str]) -> tuple[str, ...]:
    """Roles, each reporting to nobody or to a role declared before it (a forest); their lines added."""
    max_roles = max(1, min(max_roles, len(ROLE_NAMES)))
    roles = tuple(draw(st.lists(st.sampled_from(ROLE_NAMES), min_size=1, max_size=max_roles, unique=True)))
    managers = [None] + [draw(st.one_of(st.none(), st.sampled_from(roles[:i]))) for i in range(1, len(roles))]
    i = 0
    while i < len(roles):
        group = [roles[i]]
        while (i + len(group) < len(roles) and managers[i + len(group)] == managers[i]
               and draw(st.booleans())):
            group.append(roles[i + len(group)])
        boss = managers[i]
        lines.append(f"role {', '.join(group)}" + (f" reports to {boss}" if boss else ""))
        i += len(group)
    return roles


def _decisions(draw: Callable[..., Any], max_decisions: int, lines: list[str]) -> list[DecisionInfo]:
    """Decisions with attributes of every type, with and without defaults; their blocks added."""
    max_decisions = max(1, min(max_decisions, len(DECISION_NAMES)))
    names = tuple(draw(st.lists(st.sampled_from(DECISION_NAMES), min_size=1, max_size=max_decisions, unique=True)))
    decisions = []
    for name in names:
        attrs = draw(_attributes())
        title = draw(st.sampled_from((None, f"Decide on {name.replace('_', ' ')}")))
        head = f"decision {name}" + (f' "{title}"' if title else "") + " {"
        lines.append("\n".join([head, *(_render_attribute(*a) for a in attrs), "}"]))
        decisions.append(DecisionInfo(name, tuple(
            AttributeInfo(a[0], a[1], a[2], a[3] is not None) for a in attrs)))
    return decisions


def _rules(draw: Callable[..., Any], schema: Schema, decisions: list[DecisionInfo], max_statements: int,
           max_leaves: int, lines: list[str]) -> None:
    """Rules, in the order drawn. Most rules are about the first decision, and delegations
    start from roles that already hold it, so chains of authority actually form. Grants
    come first among the kinds, so shrinking turns other rules into grants."""
    roles = schema.roles
    focus = (decisions[0], decisions[0], *decisions)
    holders: dict[str, list[str]] = {d.name: [] for d in decisions}
    kinds = st.sampled_from(("grant", "grant", "delegation", "grant", "forbid", "delegation", "chain", "escalate"))
    escalated: set[str] = set()
    for kind in draw(st.lists(kinds, max_size=max_statements)):
        decision = draw(st.sampled_from(focus))
        held = tuple(holders[decision.name])
        if kind == "grant":
            role = draw(st.sampled_from(roles))
            lines.append(draw(_grant(schema, max_leaves, role=role, decision=decision)))
            holders[decision.name].append(role)
        elif kind == "forbid":
            lines.append(draw(_forbid(schema, max_leaves, decision=decision)))
        elif kind == "escalate":
            if decision.name not in escalated:
                escalated.add(decision.name)
                lines.append(f"escalate {decision.name} to {draw(st.sampled_from(roles))}")
        elif len(roles) < 2:
            lines.append(draw(_grant(schema, max_leaves, decision=decision)))
        else:
            lines.extend(_chain(draw, schema, max_leaves, decision, kind, held, holders[decision.name]))


def _chain(draw: Callable[..., Any], schema: Schema, max_leaves: int, decision: DecisionInfo, kind: str,
           held: tuple[str, ...], holders: list[str]) -> list[str]:
    """A delegation, or a chain of them along distinct roles (with few roles, cycles
    between roles come about too), usually starting from a role holding the decision."""
    roles = schema.roles
    first = draw(st.sampled_from(held)) if held and draw(st.integers(0, 3)) else None
    first = first if first is not None else draw(st.sampled_from(roles))
    rest = tuple(r for r in roles if r != first)
    size = 1 if kind == "delegation" else draw(st.integers(1, min(3, len(rest))))
    path = [first, *draw(st.lists(st.sampled_from(rest), min_size=size, max_size=size, unique=True))]
    out = []
    for i, (giver, taker) in enumerate(pairwise(path)):
        last = i == len(path) - 2
        out.append(draw(_delegation(
            schema, max_leaves, delegator=giver, delegate=taker, decision=decision,
            subdelegation=_SUBDELEGATION if last else ("unbounded", "bounded", "none"))))
        holders.append(taker)
    return out


@st.composite
def charters(
    draw: Callable[..., Any],
    *,
    max_roles: int = 5,
    max_decisions: int = 3,
    max_statements: int = 8,
    max_leaves: int = 3,
    flows_up: bool | None = None,
) -> CharterText:
    """Texts of valid charters (they parse and compile), small by default.

    A `charter "…"` header, sometimes `version`, `currency` (always when a decision
    has money: amounts are written bare, DR112) and `authority flows up`
    (force the latter with `flows_up=True/False`); 1..`max_roles` roles in a reporting
    forest; 1..`max_decisions` decisions with attributes of every type, with and
    without defaults; then up to `max_statements` rules: grants with conditions and
    obligations, `may propose`, forbids (`R may not decide`, `nobody may decide`),
    delegations (conditions, dates, obligations, `may subdelegate [up to N levels]`,
    chains and cycles between roles) and at most one `escalate D to R` per decision.
    Never any `expect` line. One statement per line, continuations indented.
    """
    lines, currency, currency_at, flows_up = _header(draw, flows_up)
    roles = _roles(draw, max_roles, lines)
    decisions = _decisions(draw, max_decisions, lines)
    schema = Schema(roles, tuple(decisions), flows_up)
    if currency is None and any(a.kind == "money" for d in decisions for a in d.attributes):
        lines.insert(currency_at, "currency EUR")  # amounts are written bare, so the charter names their currency
    _rules(draw, schema, decisions, max_statements, max_leaves, lines)
    return CharterText("\n".join(lines) + "\n")


# -- requests -----------------------------------------------------------------------

class Request(NamedTuple):
    """A question to a charter: may `role` decide `decision` with `attributes` on `on`?"""

    role: str
    decision: str
    attributes: dict[str, Any]
    on: date


def _near_numbers(values: Iterable[Any]) -> list[Any]:
    out: set[Any] = set()
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, Decimal)):
            continue
        for candidate in (v, v - 1, v + 1):
            if candidate >= 0:
                out.add(candidate)
    return sorted(out)


def _number_values(attr: AttributeInfo, written: Sequence[Any]) -> st.SearchStrategy[Any]:
    near = _near_numbers(written)
    top = max([2_000_000 if attr.kind == "money" else 20, *(int(v) * 2 for v in near)])
    ints = st.integers(0, top)
    decimals = st.one_of(
        st.sampled_from(near or [0]).map(lambda v: Decimal(v)),
        st.sampled_from(near or [0]).map(lambda v: Decimal(v) + Decimal("0.5")),
        st.sampled_from(near or [1]).map(lambda v: max(Decimal(v) - Decimal("0.01"), Decimal(0))),
    )
    choices = [st.sampled_from(near)] if near else []
    return st.one_of(*choices, ints, decimals)


def _date_values(written: Sequence[Any]) -> st.SearchStrategy[date]:
    near = sorted({d + timedelta(days=k) for d in written if isinstance(d, date) for k in (-1, 0, 1)})
    rand = st.integers(-800, 800).map(lambda k: DATE_ANCHOR + timedelta(days=k))
    return st.one_of(st.sampled_from(near), rand) if near else rand


def _values(attr: AttributeInfo, written: Sequence[Any]) -> st.SearchStrategy[Any]:
    if attr.kind in ("money", "number"):
        return _number_values(attr, written)
    if attr.kind == "date":
        return _date_values(written)
    if attr.kind == "bool":
        return st.booleans()
    if attr.kind == "enum":
        return st.sampled_from(attr.members)
    words = sorted({w for w in written if isinstance(w, str)} | set(TEXT_VALUES))
    return st.one_of(st.sampled_from(words), st.text(max_size=8))


def requests(
    charter: str | m.CharterModel | Schema,
    *,
    role: str | None = None,
    decision: str | None = None,
) -> st.SearchStrategy[Request]:
    """Valid requests for a charter (its text, parsed model or `Schema`).

    Attribute values are plain Python: money and numbers as `int` (sometimes
    `Decimal`), dates as `datetime.date`, bools, `str`. Optional attributes are
    sometimes omitted. Values are drawn near the limits the charter writes (each
    ±1) as well as at random, and the request date near the delegations' dates.
    Fix `role` or `decision` to ask about one only.
    """
    schema = charter if isinstance(charter, Schema) else schema_of(charter)
    if decision is not None:
        pool: tuple[DecisionInfo, ...] = (schema.decision(decision),)
    else:
        # Decisions the rules talk about more are asked about more.
        pool = schema.decisions + tuple(schema.decision(d) for _, d in schema.mentions)
    any_role = st.sampled_from(schema.roles)
    roles: dict[str, st.SearchStrategy[str]] = {}
    for d in schema.decisions:
        named = tuple(dict.fromkeys(r for r, dn in schema.mentions if dn == d.name))
        roles[d.name] = st.just(role) if role is not None else (
            st.one_of(st.sampled_from(named), any_role) if named else any_role)

    near_days = sorted({d + timedelta(days=k) for d in schema.dates for k in (-1, 0, 1)})
    rand_day = st.integers(-800, 800).map(lambda k: DATE_ANCHOR + timedelta(days=k))
    days = st.one_of(st.sampled_from(near_days), rand_day) if near_days else rand_day

    @st.composite
    def draw_request(draw: Callable[..., Any]) -> Request:
        d = draw(st.sampled_from(pool))
        attrs: dict[str, Any] = {}
        for attr in d.attributes:
            if attr.has_default and draw(st.booleans()):
                continue
            attrs[attr.name] = draw(_values(attr, schema.literals.get((d.name, attr.name), ())))
        return Request(draw(roles[d.name]), d.name, attrs, draw(days))

    return draw_request()


# -- boundaries: where answers flip --------------------------------------------------------
# `requests()` mixes values near the limits with random ones; these aim only at the edges, so a
# limit compiled one off (`<=` as `<`, a date window one day short, `up to N` as N + 1) shows
# in (nearly) every example rather than by chance.

MONEY_STEPS: tuple[int | Decimal, ...] = (0, -1, 1, Decimal("-0.01"), Decimal("0.01"))
"""A money limit is tried exactly, one unit under and over, and one cent under and over."""
NUMBER_STEPS: tuple[int | Decimal, ...] = (0, -1, 1)


def boundary_values(charter: str | m.CharterModel | Schema, decision: str, attribute: str) -> tuple[Any, ...]:
    """Every edge of what the charter writes about one attribute, sorted.

    Money: each limit written on it exactly, one unit under and over, one cent under and over
    (never below 0). Numbers: each limit, ±1. Dates: each date, the day before and after.
    Enums: every member. Text: each written value and one never written. Bools: both. An
    attribute no rule mentions gets a few plain values of its kind.
    """
    schema = charter if isinstance(charter, Schema) else schema_of(charter)
    attr = next(a for a in schema.decision(decision).attributes if a.name == attribute)
    written = schema.literals.get((decision, attribute), ())
    if attr.kind in ("money", "number"):
        steps = MONEY_STEPS if attr.kind == "money" else NUMBER_STEPS
        limits = [v for v in written if isinstance(v, (int, Decimal)) and not isinstance(v, bool)] or [0, 1000]
        return tuple(sorted({v + k for v in limits for k in steps if v + k >= 0}))
    if attr.kind == "date":
        days = [v for v in written if isinstance(v, date)] or [DATE_ANCHOR]
        return tuple(sorted({d + timedelta(days=k) for d in days for k in (-1, 0, 1)}))
    if attr.kind == "enum":
        return attr.members
    if attr.kind == "bool":
        return (False, True)
    texts = sorted({w for w in written if isinstance(w, str)})
    return (*texts, next(t for t in ("unwritten", "other", "x") if t not in texts))


def boundary_days(charter: str | m.CharterModel | Schema, decision: str | None = None) -> tuple[date, ...]:
    """Each dated delegation's first and last day and the day outside each (before the first, after
    the last), sorted; for one decision's delegations if `decision` is given. Without any dated
    delegation: `DATE_ANCHOR`."""
    schema = charter if isinstance(charter, Schema) else schema_of(charter)
    days: set[date] = set()
    for name, first, last in schema.windows:
        if decision is not None and name != decision:
            continue
        if first is not None:
            days |= {first - timedelta(days=1), first}
        if last is not None:
            days |= {last, last + timedelta(days=1)}
    return tuple(sorted(days)) or (DATE_ANCHOR,)


def boundary_requests(
    charter: str | m.CharterModel | Schema,
    *,
    role: str | None = None,
    decision: str | None = None,
) -> st.SearchStrategy[Request]:
    """Valid requests whose every value sits on an edge (`boundary_values`) and whose date is a
    delegation's first or last day or the day just outside it (`boundary_days`).

    Optional attributes are sometimes left out (their default applies). Fix `role` or `decision`
    to ask about one only; the role is otherwise one the rules name for the decision, or any.
    """
    schema = charter if isinstance(charter, Schema) else schema_of(charter)
    pool = (schema.decision(decision),) if decision is not None else schema.decisions

    @st.composite
    def draw_request(draw: Callable[..., Any]) -> Request:
        d = draw(st.sampled_from(pool))
        attrs: dict[str, Any] = {}
        for attr in d.attributes:
            if attr.has_default and draw(st.integers(0, 3)) == 0:
                continue
            attrs[attr.name] = draw(st.sampled_from(boundary_values(schema, d.name, attr.name)))
        named = tuple(dict.fromkeys(r for r, dn in schema.mentions if dn == d.name))
        who = role if role is not None else draw(
            st.one_of(st.sampled_from(named), st.sampled_from(schema.roles)) if named
            else st.sampled_from(schema.roles))
        return Request(who, d.name, attrs, draw(st.sampled_from(boundary_days(schema, d.name))))

    return draw_request()


def edge_variants(charter: str | m.CharterModel | Schema, request: Request) -> list[Request]:
    """`request` and, for each money, number or date attribute in turn, the same request with that
    attribute set to each of its `boundary_values` (the others kept): a sweep over every limit the
    charter writes for it, exactly at it and just either side, rather than a sample."""
    schema = charter if isinstance(charter, Schema) else schema_of(charter)
    out = [request]
    for attr in schema.decision(request.decision).attributes:
        if attr.kind not in ("money", "number", "date"):
            continue
        for value in boundary_values(schema, request.decision, attr.name):
            out.append(request._replace(attributes={**request.attributes, attr.name: value}))
    return out


@st.composite
def limit_grants(draw: Callable[..., Any], charter: str) -> tuple[str, str, str, str]:
    """`(statements, role, decision, attribute)`: a new role (`role X`) granted one decision under a
    single comparison on one money, number or date attribute (`X may decide D when ATTR OP LIMIT`,
    any operator), to add to `charter` and sweep with `edge_variants`: its answer flips exactly at
    the limit, so a comparison compiled one off shows in every example. Rejects a charter with no
    such attribute or no free role name."""
    from hypothesis import reject

    schema = schema_of(charter)
    free = [r for r in ROLE_NAMES if r not in schema.roles]
    options = [(d, a) for d in schema.decisions for a in d.attributes if a.kind in ("money", "number", "date")]
    if not free or not options:
        reject()
    role = draw(st.sampled_from(free))
    decision, attr = draw(st.sampled_from(options))
    op = draw(st.sampled_from(_ORDER_OPS))
    literal = draw(_literal_for(attr))
    return (f"role {role}\n{role} may decide {decision.name} when {attr.name} {op} {literal}",
            role, decision.name, attr.name)


class Chain(NamedTuple):
    """A chain of delegations with one bound, to add to a charter (`add_statement` each statement).

    `roles[0]` holds the decision in the charter; each link passes it to the next role. The link
    into `roles[bounded + 1]` says `may subdelegate up to {levels} level(s)`, every other link an
    unbounded `may subdelegate` (the last none). So `at` (`levels` links after the bounded one)
    is exactly at the bound and may decide whenever `roles[0]` may (and no forbid on the way
    matches); `past`, one link further, never may through this chain.
    """

    statements: tuple[str, ...]
    decision: str
    roles: tuple[str, ...]
    levels: int
    bounded: int
    at: str
    past: str


@st.composite
def bounded_chains(draw: Callable[..., Any], charter: str, *, max_levels: int = 3) -> Chain:
    """A `Chain` from a role that holds a decision in `charter` (by `may decide`), through roles
    the charter does not have yet (declared by the chain's first statement, `role …`), with
    `may subdelegate up to N levels` on one of its links and one link more than that permits.

    Draws nothing (`hypothesis.reject`) if the charter has no such holder or too few names are
    left for new roles."""
    text = str(charter)
    schema = schema_of(text)
    holders = sorted(set(re.findall(r"^(?!nobody\b)(\w+) may decide (\w+)", text, re.M)))
    free = [r for r in ROLE_NAMES if r not in schema.roles]
    if not holders or len(free) < 3:
        from hypothesis import reject

        reject()
    holder, decision = draw(st.sampled_from(holders))
    levels = draw(st.integers(1, max(1, min(max_levels, len(free) - 2))))
    bounded = draw(st.integers(0, min(2, len(free) - levels - 2)))  # links before the bounded one
    new = draw(st.permutations(free))[:bounded + levels + 2]
    roles = (holder, *new)
    links = []
    for i, (giver, taker) in enumerate(pairwise(roles)):
        if i == bounded:
            clause = f"may subdelegate up to {levels} {'level' if levels == 1 else 'levels'}"
        elif i < len(roles) - 2:
            clause = "may subdelegate"
        else:
            clause = None
        links.append(_layout(f"{giver} delegates {decision} to {taker}", None, [clause] if clause else []))
    return Chain((f"role {', '.join(new)}", *links), decision, roles, levels, bounded,
                 roles[bounded + levels + 1], roles[-1])


# -- mutations on statement lines -------------------------------------------------------

_KINDS: tuple[tuple[str, str], ...] = (
    (r"charter\b", "header"),
    (r"version\b", "version"),
    (r"currency\b", "currency"),
    (r"authority\s+flows\b", "flows_up"),
    (r"role\b", "role"),
    (r"decision\b", "decision"),
    (r"escalate\b", "escalate"),
    (r"expect\b", "expect"),
    (r"nobody\s+may\s+decide\b", "forbid"),
    (r"\w+\s+may\s+not\s+decide\b", "forbid"),
    (r"\w+\s+may\s+decide\b", "grant"),
    (r"\w+\s+may\s+propose\b", "propose"),
    (r"\w+\s+delegates\b", "delegation"),
)


def split_statements(text: str) -> list[str]:
    """The statements of a generated charter, each with its continuation lines.

    A statement starts at a line that is not indented, not blank, not a comment and
    not a closing `}`. Lines before the first statement (comments) are dropped.
    """
    pieces: list[list[str]] = []
    for line in text.splitlines():
        starts = line[:1] not in ("", " ", "\t", "#", "}")
        if starts:
            pieces.append([line])
        elif pieces:
            pieces[-1].append(line)
    return ["\n".join(p).rstrip() for p in pieces]


def join_statements(statements: Iterable[str]) -> CharterText:
    """Statements back into a charter text, one per line."""
    return CharterText("\n".join(s.rstrip("\n") for s in statements) + "\n")


def statement_kind(statement: str) -> str:
    """`header`, `version`, `currency`, `flows_up`, `role`, `decision`, `grant`, `propose`,
    `forbid`, `delegation`, `escalate` or `expect` — read from the statement's first words."""
    for pattern, kind in _KINDS:
        if re.match(pattern, statement):
            return kind
    raise ValueError(f"not a statement this module can classify: {statement.splitlines()[0]!r}")


def add_statement(text: str, statement: str) -> CharterText:
    """The charter with `statement` (e.g. from `grant_statements`) appended at the end."""
    return join_statements([*split_statements(text), statement])


def remove_statement(text: str, index: int) -> CharterText:
    """The charter without its `index`-th statement (0 is the header)."""
    stmts = split_statements(text)
    del stmts[index]
    return join_statements(stmts)


def statement_indexes(text: str, kind: str) -> list[int]:
    """Indexes (as `split_statements` counts) of the statements of one kind."""
    return [i for i, s in enumerate(split_statements(text)) if statement_kind(s) == kind]


def reorder_statements(text: str, order: Sequence[int]) -> CharterText:
    """The charter with the statements after the header in `order`.

    `order` is a permutation of `range(1, n)`; the header stays first.
    """
    stmts = split_statements(text)
    if sorted(order) != list(range(1, len(stmts))):
        raise ValueError("order must be a permutation of the statements after the header")
    return join_statements([stmts[0], *(stmts[i] for i in order)])


def reorderings(text: str) -> st.SearchStrategy[CharterText]:
    """The charter with its statements (all but the header) in a drawn order."""
    n = len(split_statements(text))
    return st.permutations(range(1, n)).map(lambda order: reorder_statements(text, order))


# -- people (Part II §11) ----------------------------------------------------------------

class People(NamedTuple):
    """Who holds which role, drawn for a charter: as the charter's own lines and as a directory file.

    `lines` are `person … holds …` / `… acts as …` statements to add to the charter
    (`add_statement`), `csv` and `json` the same facts as directory files (one row per
    holding), `persons` the names in the order stated.
    """

    lines: tuple[str, ...]
    csv: str
    json: str
    persons: tuple[str, ...]


@st.composite
def people(draw: Callable[..., Any], charter: str | m.CharterModel | Schema, *, max_persons: int = 4,
           names: Sequence[str] = ("pa", "pb", "pc", "pd", "pe", "pf")) -> People:
    """Persons for a charter's roles: each holds one or two roles, someone perhaps every role, and perhaps
    an acting cover with dates near `DATE_ANCHOR`. Names are drawn from `names`, which must not be
    roles of the charter (persons and roles share one namespace)."""
    import json as _json

    schema = charter if isinstance(charter, Schema) else schema_of(charter)
    roles = schema.roles
    persons = tuple(n for n in names if n not in roles)[:draw(st.integers(1, max_persons))]
    rows: list[tuple[str, tuple[str, ...], date | None, date | None]] = []
    for i, person in enumerate(persons):
        every = i == 0 and draw(st.booleans())  # someone who holds every role: the choice among roles matters
        held = tuple(roles) if every else tuple(draw(st.lists(st.sampled_from(roles), min_size=1, max_size=2,
                                                             unique=True)))
        rows.append((person, held, None, None))
    spare = [r for r in roles if r not in rows[0][1]]  # a cover is for a role the person does not hold
    if spare and draw(st.booleans()):
        start = DATE_ANCHOR + timedelta(days=draw(st.sampled_from(DATE_OFFSETS)))
        rows.append((persons[0], (draw(st.sampled_from(spare)),), start, start + timedelta(days=30)))
    lines = [f"person {p} holds {', '.join(rs)}" if s is None else
             f"{p} acts as {rs[0]} from {s.isoformat()} until {u.isoformat()}" for p, rs, s, u in rows]  # type: ignore[union-attr]
    csv_lines = ["person,roles,from,until"] + [
        f"{p},{';'.join(rs)},{s.isoformat() if s else ''},{u.isoformat() if u else ''}" for p, rs, s, u in rows]
    as_json = _json.dumps([{"person": p, "roles": list(rs), "from": s.isoformat() if s else None,
                            "until": u.isoformat() if u else None} for p, rs, s, u in rows])
    return People(tuple(lines), "\n".join(csv_lines) + "\n", as_json, persons)
