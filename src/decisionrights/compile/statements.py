"""The statements: grants, forbids, delegations, escalations and expectations, each checked against the declarations.

One pass in the order they are written (so diagnostics come in that order);
each kind has its own function, which resolves the statement's names and
conditions (`compile.resolve`) and adds what is right to the context.
"""

from __future__ import annotations

from typing import Callable

from ..syntax import model as m
from . import resolve
from .conditions import Value
from .context import BAD_REQUEST_IN_EXPECT, DUPLICATE, Context, label, statement_text
from .ir import Delegation, ExpectC, Forbid, Grant
from .ways import INFINITE


def statements(ctx: Context) -> None:
    """Every statement that is not a declaration, in the order written."""
    for st in ctx.tree.statements:
        handle = KINDS.get(type(st))
        if handle is not None:
            handle(ctx, st)


def grant(ctx: Context, st: m.Grant) -> None:
    role = resolve.role(ctx, st.role)
    spec = resolve.decision(ctx, st.decision)
    cond = resolve.cond(ctx, spec, st.condition) if spec else None
    obligations = resolve.obligations(ctx, st.obligations)
    if role and spec and cond is not None:
        rule = resolve.rule(ctx, "propose" if st.propose else "grant", st, spec.name, role)
        ctx.grants.append(Grant(role, spec.name, cond, obligations, st.propose, rule))


def forbid(ctx: Context, st: m.Forbid) -> None:
    role = resolve.role(ctx, st.role) if st.role is not None else None
    spec = resolve.decision(ctx, st.decision)
    cond = resolve.cond(ctx, spec, st.condition) if spec else None
    if (role or st.role is None) and spec and cond is not None:
        ctx.forbids.append(Forbid(role, spec.name, cond, resolve.rule(ctx, "forbid", st, spec.name, role)))


def delegation(ctx: Context, st: m.Delegation) -> None:
    delegator = resolve.role(ctx, st.delegator)
    spec = resolve.decision(ctx, st.decision)
    delegate = resolve.role(ctx, st.delegate)
    cond = resolve.cond(ctx, spec, st.condition) if spec else None
    obligations = resolve.obligations(ctx, st.obligations)
    if st.subdelegate is None:
        further: float = 0
    elif st.subdelegate.levels is None:
        further = INFINITE
    else:
        further = st.subdelegate.levels
    if delegator and delegate and spec and cond is not None:
        rule = resolve.rule(ctx, "delegation", st, spec.name, delegate, delegator=delegator, delegate=delegate)
        ctx.delegations.append(Delegation(
            delegator, delegate, spec.name, cond,
            st.start.value if st.start else None,  # type: ignore[arg-type]
            st.end.value if st.end else None,  # type: ignore[arg-type]
            obligations, further, rule))


def escalate(ctx: Context, st: m.Escalate) -> None:
    spec = resolve.decision(ctx, st.decision)
    role = resolve.role(ctx, st.role)
    if spec and role:
        if spec.name in ctx.escalations:
            ctx.error(DUPLICATE, st.span, f"`{spec.name}` already escalates to `{ctx.escalations[spec.name]}`",
                      "keep one `escalate` per decision",
                      (label(ctx.escalation_spans[spec.name], "first said here"),))
        else:
            ctx.escalations[spec.name] = role
            ctx.escalation_spans[spec.name] = st.span


def add_expect(ctx: Context, st: m.Expect) -> None:
    found = expect(ctx, st)
    if found is not None:
        ctx.expects.append(found)


def expect(ctx: Context, st: m.Expect) -> ExpectC | None:
    # The subject is a role, or a person of the charter or its directory (Part II §11).
    role = st.role.value if st.role.value in ctx.people.by_person else resolve.role(ctx, st.role)
    spec = resolve.decision(ctx, st.decision)
    ok = role is not None and spec is not None
    attrs: dict[str, Value] = {}
    given: set[str] = set()
    if spec is not None:
        for assign in st.attributes:
            attr = resolve.attribute(ctx, spec, assign.attr)
            if attr is None:
                ok = False
                continue
            if attr.name in given:
                ctx.error(BAD_REQUEST_IN_EXPECT, assign.span, f"`{attr.name}` is given twice", "give it once")
                ok = False
                continue
            given.add(attr.name)
            value = resolve.value(ctx, spec, attr, assign.value)
            if value is None:
                ok = False
                continue
            attrs[attr.name] = value
        for attr in spec.attrs.values():
            if attr.name not in given and attr.given:
                if attr.has_default:
                    attrs[attr.name] = attr.default  # type: ignore[assignment]
                else:
                    ctx.error(BAD_REQUEST_IN_EXPECT, st.decision.span,
                              f"this expectation does not say `{attr.name}`, which `{spec.name}` requires",
                              f"add `{attr.name} = …` after `with`")
                    ok = False
    targets = None
    if st.escalates_to is not None:
        resolved = [resolve.role(ctx, n) for n in st.escalates_to]
        if any(r is None for r in resolved):
            ok = False
        targets = tuple(r for r in resolved if r is not None)
    obligations: dict[str, set[str]] = {}
    for ob in st.obligations:
        bucket = obligations.setdefault(ob.kind, set())
        for name in ob.roles:
            r = resolve.role(ctx, name)
            if r is None:
                ok = False
            else:
                bucket.add(r)
    if not ok:
        return None
    return ExpectC(role, spec.name, st.allowed, attrs, st.on.value if st.on else None,  # type: ignore[arg-type]
                   targets, {k: frozenset(v) for k, v in obligations.items()}, st.span,
                   statement_text(ctx.source, st.span))


KINDS: dict[type, Callable[..., None]] = {  # the handler of each kind of statement
    m.Grant: grant, m.Forbid: forbid, m.Delegation: delegation, m.Escalate: escalate, m.Expect: add_expect,
}
