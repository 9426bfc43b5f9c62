"""Delegations of one decision go round in a circle (A to B, B to C, C to A).

Why it matters: a circle never adds authority — a role cannot receive back
more than it gave — but it hides who really holds the decision and usually
means one of the delegations points the wrong way. Example:

    cfo delegates purchase to controller may subdelegate
    controller delegates purchase to cfo

Fix: remove the delegation that closes the circle.
"""

from __future__ import annotations

from ...diagnostics import Severity

CODE = "DR203"
NAME = "delegation-cycle"
SEVERITY = Severity.WARNING


def check(ctx):
    cc = ctx.compiled
    by_decision: dict[str, list] = {}
    for d in cc.delegations:
        by_decision.setdefault(d.decision, []).append(d)
    for decision, links in by_decision.items():
        edges: dict[str, list] = {}
        for d in links:
            edges.setdefault(d.delegator, []).append(d)
        reported: set[frozenset] = set()
        for d in links:
            cycle = _path_back(edges, d.delegate, d.delegator)
            if cycle is None:
                continue
            ring = [d, *cycle]
            key = frozenset(id(x) for x in ring)
            if key in reported:
                continue
            reported.add(key)
            names = " → ".join([d.delegator, *(x.delegate for x in ring)])
            yield ctx.diagnostic(
                CODE, SEVERITY, d.rule.span,
                f"delegations of `{decision}` go round in a circle: {names}",
                help="remove the delegation that closes the circle",
                labels=[(x.rule.span, "part of the circle") for x in cycle])


def _path_back(edges, start: str, goal: str):
    """Delegations leading from `start` back to `goal`, or None."""
    stack = [(start, [])]
    seen = {start}
    while stack:
        role, trail = stack.pop()
        if role == goal:
            return trail
        for d in edges.get(role, ()):
            if d.delegate not in seen or d.delegate == goal:
                seen.add(d.delegate)
                stack.append((d.delegate, [*trail, d]))
    return None
