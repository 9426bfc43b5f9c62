"""A delegation hands out more than the delegator may decide.

Why it matters: attenuation means a delegate may only decide what the
delegator itself may decide, so the part beyond it is never allowed — but
the delegate, reading the charter, believes it is. Example:

    head may decide purchase when amount <= 10k
    head delegates purchase to lead when amount <= 20k   # 10k–20k is never allowed

The finding names a concrete request that is delegated but can never be
allowed, and what the delegator may actually decide.

Fix: narrow the delegation to what the delegator holds, or widen the
delegator's own grant.
"""

from __future__ import annotations

from ...diagnostics import Severity
from ._common import held_by_delegator, show_request

CODE = "DR201"
NAME = "delegation-beyond-authority"
SEVERITY = Severity.WARNING


def check(ctx):
    cc = ctx.compiled
    an = ctx.analysis
    for d in cc.delegations:
        own = cc.ways.get((d.delegator, d.decision), ())
        if not own:
            yield ctx.diagnostic(
                CODE, SEVERITY, d.rule.span,
                f"{d.delegator} holds no authority over `{d.decision}`, so this delegation gives {d.delegate} nothing",
                help=f"grant `{d.decision}` to {d.delegator} first, or delegate from a role that holds it")
            continue
        held, passable, _ = held_by_delegator(an, d)
        if passable.is_empty():
            continue  # passing on what may not be passed on: DR202 (or a cycle: DR203)
        delegated = an.region(d.cond, d.decision)
        excess = delegated - held - an.forbidden(d.delegator, d.decision) - an.forbidden(d.delegate, d.decision)
        if excess.is_empty():
            continue
        sample = excess.sample()
        cur = an.currency(d.decision)
        effective = delegated & held
        holders = [p.grant.rule for p in own if not p.links][:2]
        yield ctx.diagnostic(
            CODE, SEVERITY, d.rule.span,
            f"the delegation reaches beyond what {d.delegator} may decide: "
            f"{excess.render(cur)} is delegated but can never be allowed",
            notes=[f"for example: {show_request(cc, d.decision, sample)} — {d.delegator} may decide only "
                   f"{held.render(cur)}"],
            labels=[(r.span, f"{d.delegator}'s own authority") for r in holders],
            help=(f"narrow the delegation to `{effective.render(cur)}`, or widen {d.delegator}'s own grant"
                  if not effective.is_empty() else f"widen {d.delegator}'s own grant, or remove the delegation"))
