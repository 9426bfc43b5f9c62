"""A delegation passes on authority that was itself delegated without `may subdelegate`.

Why it matters: the delegate receives nothing through it — the chain stops
at the link that did not allow passing it on — though the charter reads as
if it did. Example:

    cfo delegates purchase to controller when amount <= 50k
    controller delegates purchase to clerk when amount <= 5k   # passes nothing

The same holds for part of a delegation: when the delegator holds some of
what it passes on by its own grant and the rest only by a delegation
without `may subdelegate`, the finding names that rest, with an example.

Fix: add `may subdelegate` (or `up to N levels`) to the delegation the
delegator received, or remove this one.
"""

from __future__ import annotations

from ...diagnostics import Severity
from ._common import held_by_delegator, show_request

CODE = "DR202"
NAME = "subdelegation-not-allowed"
SEVERITY = Severity.WARNING


def check(ctx):
    cc = ctx.compiled
    for d in cc.delegations:
        own = cc.ways.get((d.delegator, d.decision), ())
        if not own:
            continue  # holding nothing at all is DR201's finding
        if any(p.remaining >= 1 and d.delegate not in p.chain for p in own):
            yield from _partly(ctx, d, own)
            continue
        if any(d.delegate in p.chain for p in own):
            continue  # a loop back to a role already in the chain: DR203 reports cycles
        yield ctx.diagnostic(
            CODE, SEVERITY, d.rule.span,
            f"{d.delegator} may only pass on `{d.decision}` if it was delegated with `may subdelegate`; "
            f"this delegation gives {d.delegate} nothing",
            help="add `may subdelegate` to the delegation it received, or remove this one",
            labels=_received(d, own))


def _received(d, own):
    return [(p.links[-1].rule.span, f"{d.delegator} received it here, without `may subdelegate`")
            for p in own if p.links and p.remaining < 1][:3]


def _partly(ctx, d, own):
    """Some of it may be passed on; the part held only through a delegation may not."""
    an = ctx.analysis
    _, passable, stuck = held_by_delegator(an, d)
    delegated = an.region(d.cond, d.decision)
    lost = (delegated & stuck) - an.forbidden(d.delegate, d.decision)
    if lost.is_empty():
        return
    cur = an.currency(d.decision)
    yield ctx.diagnostic(
        CODE, SEVERITY, d.rule.span,
        f"{d.delegator} holds {lost.render(cur)} only through a delegation without `may subdelegate`, "
        f"so this delegation does not pass that part on to {d.delegate}",
        notes=[f"for example: {show_request(ctx.compiled, d.decision, lost.sample())} — {d.delegator} may "
               f"decide it, {d.delegate} gets nothing from this delegation"],
        help=f"add `may subdelegate` to the delegation {d.delegator} received, or narrow this one to "
             f"`{(delegated & passable).render(cur)}`",
        labels=_received(d, own))
