"""A grant wholly covered by another grant of the same role, with the same or fewer obligations.

Why it matters: the covered grant changes no answer, so a reader may think
it sets a limit when another grant already decides every request it
allows. Example:

    cfo may decide purchase when amount <= 250k
    cfo may decide purchase when amount <= 10k     # adds nothing

Fix: remove the redundant grant, or give it the limit that was meant.
"""

from __future__ import annotations

from ...diagnostics import Severity

CODE = "DR206"
NAME = "redundant-grant"
SEVERITY = Severity.WARNING


def check(ctx):
    cc = ctx.compiled
    an = ctx.analysis
    grants = [g for g in cc.grants if not g.propose]
    by_key: dict[tuple[str, str], list[tuple[int, object]]] = {}
    for i, g in enumerate(grants):
        by_key.setdefault((g.role, g.decision), []).append((i, g))
    for i, g in enumerate(grants):
        siblings = by_key[(g.role, g.decision)]
        if len(siblings) == 1:
            continue
        region = an.region(g.cond, g.decision)
        if region.is_empty():
            continue  # DR205
        for j, other in siblings:
            if i == j:
                continue
            if not other.obligations <= g.obligations:
                continue
            covers = region <= an.region(other.cond, other.decision)
            same = covers and other.obligations == g.obligations and an.region(other.cond, g.decision) <= region
            if covers and (not same or j < i):
                yield ctx.diagnostic(
                    CODE, SEVERITY, g.rule.span,
                    f"the grant adds nothing: {g.role}'s grant on line {other.rule.line} already allows every "
                    f"request it allows" + (" with fewer obligations" if other.obligations < g.obligations else ""),
                    labels=[(other.rule.span, "already allows all of it")],
                    help="remove this grant, or give it the limit that was meant")
                break
