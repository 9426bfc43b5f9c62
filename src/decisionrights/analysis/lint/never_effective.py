"""A grant or delegation that can never take effect: forbids cover it, or its own condition never holds.

Why it matters: the statement reads as authority but gives none, so the
charter says something it does not mean. Example:

    member may decide purchase when category == software and amount <= 1k
    nobody may decide purchase when category == software   # covers all of it

Fix: remove the statement, or narrow the forbid if the grant is meant.
"""

from __future__ import annotations

from ...diagnostics import Severity

CODE = "DR205"
NAME = "never-takes-effect"
SEVERITY = Severity.WARNING


def _superiors(cc, role):
    return cc.line_up(role) if cc.flows_up else []


def check(ctx):
    cc = ctx.compiled
    an = ctx.analysis
    for g in cc.grants:
        region = an.region(g.cond, g.decision)
        what = "grant" if not g.propose else "proposal right"
        if region.is_empty():
            yield ctx.diagnostic(CODE, SEVERITY, g.rule.span,
                                 f"the {what} can never take effect: its condition can never hold",
                                 help="correct the condition, or remove the statement")
            continue
        if g.propose:
            continue
        holders = [g.role, *_superiors(cc, g.role)]
        if all((region - an.forbidden(r, g.decision)).is_empty() for r in holders):
            forbids = [f for f in cc.forbids_of.get((g.role, g.decision), ())
                       if not (region & an.region(f.cond, g.decision)).is_empty()]
            lines = ", ".join(str(f.rule.line) for f in forbids)
            yield ctx.diagnostic(
                CODE, SEVERITY, g.rule.span,
                f"the grant can never take effect: the forbid{'s' if len(forbids) > 1 else ''} on "
                f"line{'s' if len(forbids) > 1 else ''} {lines} cover{'' if len(forbids) > 1 else 's'} "
                f"every request it allows",
                labels=[(f.rule.span, "forbids all of it" if len(forbids) == 1 else "forbids part of it")
                        for f in forbids],
                help="remove the grant, or narrow the forbid if the grant is meant")
    for d in cc.delegations:
        region = an.region(d.cond, d.decision)
        if region.is_empty():
            yield ctx.diagnostic(CODE, SEVERITY, d.rule.span,
                                 "the delegation can never take effect: its condition can never hold",
                                 help="correct the condition, or remove the delegation")
            continue
        left = region - an.forbidden(d.delegate, d.decision) - an.forbidden(d.delegator, d.decision)
        if left.is_empty():
            yield ctx.diagnostic(CODE, SEVERITY, d.rule.span,
                                 "the delegation can never take effect: forbids cover every request it passes on",
                                 help="remove the delegation, or narrow the forbid")
