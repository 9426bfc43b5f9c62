"""The declarations: header lines, roles, decisions with their attributes, the reporting line, currencies."""

from __future__ import annotations

from ..source import Span
from ..syntax import model as m
from . import resolve
from .conditions import AttrSpec
from .context import BAD_HEADER, DUPLICATE, REPORTING_CYCLE, Context, label
from .currencies import is_currency
from .ir import DecisionSpec


def declare(ctx: Context) -> None:
    """The header lines (title, version, currency, `authority flows up`), the roles and the decisions."""
    seen_header: dict[type, m.Node] = {}
    for st in ctx.tree.statements:
        if isinstance(st, (m.Header, m.Version, m.Currency, m.FlowsUp)):
            if type(st) in seen_header:
                first = seen_header[type(st)]
                ctx.error(DUPLICATE, st.span, "the charter says this twice",
                          "keep one of them", (label(first.span, "first said here"),))
                continue
            seen_header[type(st)] = st
        if isinstance(st, m.Header):
            ctx.title = st.title
        elif isinstance(st, m.Version):
            ctx.version = st.value.value  # type: ignore[assignment]
        elif isinstance(st, m.Currency):
            code = st.code.value
            if not (len(code) == 3 and code.isascii() and code.isalpha() and code.isupper()):
                ctx.error(BAD_HEADER, st.code.span, f"`{code}` is not a currency code",
                          "write a three-letter ISO code in capitals, like EUR or USD")
            elif not is_currency(code):
                ctx.error(BAD_HEADER, st.code.span, f"`{code}` is not an ISO 4217 currency code",
                          resolve.currency_hint(code))
            else:
                ctx.currency = code
        elif isinstance(st, m.FlowsUp):
            ctx.flows_up = True
            ctx.flows_up_span = st.span
        elif isinstance(st, m.RoleDecl):
            for name in st.names:
                if name.value in ctx.roles:
                    ctx.error(DUPLICATE, name.span, f"role `{name.value}` is declared twice",
                              "remove one declaration",
                              (label(ctx.roles[name.value], "first declared here"),))
                    continue
                ctx.roles[name.value] = name.span
        elif isinstance(st, m.DecisionDecl):
            declare_decision(ctx, st)


def managers(ctx: Context) -> None:
    """Each role's manager (its `reports to`), once every role is known."""
    for st in ctx.tree.statements:
        if isinstance(st, m.RoleDecl):
            boss = resolve.role(ctx, st.reports_to) if st.reports_to is not None else None
            for name in st.names:
                if name.value not in ctx.manager:
                    ctx.manager[name.value] = boss


def declare_decision(ctx: Context, st: m.DecisionDecl) -> None:
    name = st.name.value
    if name in ctx.decisions:
        ctx.error(DUPLICATE, st.name.span, f"decision `{name}` is declared twice", "remove one declaration",
                  (label(ctx.decisions[name].span, "first declared here"),))
        return
    attrs: dict[str, AttrSpec] = {}
    spans: dict[str, Span] = {}
    for a in st.attributes:
        if a.name.value in attrs:
            ctx.error(DUPLICATE, a.name.span, f"`{name}` declares attribute `{a.name.value}` twice",
                      "remove one", (label(spans[a.name.value], "first declared here"),))
            continue
        members: list[str] = []
        for member in a.type.members:
            if member.value in members:
                ctx.error(DUPLICATE, member.span, f"`{member.value}` is listed twice", "remove one")
            else:
                members.append(member.value)
        attrs[a.name.value] = AttrSpec(a.name.value, a.type.kind, tuple(members),
                                       currency=ctx.currency if a.type.kind == "money" else None)
        spans[a.name.value] = a.name.span
    spec = DecisionSpec(name, st.title, attrs, st.name.span)
    # Defaults, checked against the types just declared.
    for a in st.attributes:
        if a.default is not None and a.name.value in attrs and spans[a.name.value] == a.name.span:
            value = resolve.value(ctx, spec, attrs[a.name.value], a.default)
            if value is not None:
                old = attrs[a.name.value]
                attrs[a.name.value] = AttrSpec(old.name, old.kind, old.members, True, value, old.currency)
    ctx.decisions[name] = spec


def check_cycles(ctx: Context) -> None:
    """Report each circle in the reporting line once, at its first-declared role, and cut it there.

    Linear: each role is walked once. A walk stops at the first role an
    earlier walk (or this one) reached; when that role is on this walk,
    the walk closed a circle.
    """
    order = {role: k for k, role in enumerate(ctx.roles)}
    walk_of: dict[str, int] = {}
    cycles: list[list[str]] = []
    for k, start in enumerate(ctx.roles):
        trail: list[str] = []
        role: str | None = start
        while role is not None and role not in walk_of:
            walk_of[role] = k
            trail.append(role)
            role = ctx.manager.get(role)
        if role is not None and walk_of[role] == k:  # back on this walk: a circle
            ring = trail[trail.index(role):]
            first = min(range(len(ring)), key=lambda i: order[ring[i]])
            cycles.append(ring[first:] + ring[:first])
    for ring in sorted(cycles, key=lambda ring: order[ring[0]]):
        start = ring[0]
        ctx.error(REPORTING_CYCLE, ctx.roles[start],
                  "the reporting line goes round in a circle: " + " → ".join([*ring, start]),
                  "a role reports to at most one role and never, through others, to itself; "
                  "remove one `reports to`")
        ctx.manager[start] = None


def currencies(ctx: Context) -> None:
    """Fix each money attribute's currency: the charter's, else the first one written."""
    for spec in ctx.decisions.values():
        for name, attr in list(spec.attrs.items()):
            if attr.kind != "money":
                continue
            if ctx.currency is not None:
                ctx.attr_currency.setdefault((spec.name, name), (ctx.currency, None))  # type: ignore[arg-type]


def settle_currencies(ctx: Context) -> None:
    """Give each money attribute the currency its amounts are written in.

    Without a `currency` line, that is the code its limits carry, and a
    request's amount must carry it too (`needs_code`): a bare number is in
    the charter's currency, and there is none.
    """
    for (decision, name), (code, _span) in ctx.attr_currency.items():
        attr = ctx.decisions[decision].attrs[name]
        needs_code = ctx.currency is None
        if attr.currency != code or attr.needs_code != needs_code:
            ctx.decisions[decision].attrs[name] = AttrSpec(attr.name, attr.kind, attr.members,
                                                           attr.has_default, attr.default, code, needs_code)
