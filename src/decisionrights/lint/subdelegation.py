"""A delegation passes on authority that was itself delegated without `may subdelegate`.

Why it matters: the delegate receives nothing through it — the chain stops
at the link that did not allow passing it on — though the charter reads as
if it did. Example:

    cfo delegates purchase to controller when amount <= 50k
    controller delegates purchase to clerk when amount <= 5k   # passes nothing

Fix: add `may subdelegate` (or `up to N levels`) to the delegation the
delegator received, or remove this one.
"""

from __future__ import annotations

from ..diagnostics import Severity

CODE = "DR202"
NAME = "subdelegation-not-allowed"
SEVERITY = Severity.WARNING


def check(ctx):
    cc = ctx.compiled
    for d in cc.delegations:
        own = cc.paths.get((d.delegator, d.decision), ())
        if not own:
            continue  # holding nothing at all is DR201's finding
        if any(p.remaining >= 1 and d.delegate not in p.chain for p in own):
            continue
        if any(d.delegate in p.chain for p in own):
            continue  # a loop back to a role already in the chain: DR203 reports cycles
        received = [p.links[-1] for p in own if p.links]
        labels = [(link.rule.span, f"{d.delegator} received it here, without `may subdelegate`")
                  for link in received[:3]]
        yield ctx.diagnostic(
            CODE, SEVERITY, d.rule.span,
            f"{d.delegator} may only pass on `{d.decision}` if it was delegated with `may subdelegate`; "
            f"this delegation gives {d.delegate} nothing",
            help="add `may subdelegate` to the delegation it received, or remove this one",
            labels=labels)
