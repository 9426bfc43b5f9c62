"""A delegation whose dates have passed, or whose window is empty (it ends before it starts).

Why it matters: outside its dates a delegation gives nothing. An expired
one misleads every reader into thinking the cover still holds; an empty
window is almost always a typo in a date. Example:

    head delegates purchase to member when amount <= 500 until 2020-01-01

Fix: remove the expired delegation, or correct its dates.
"""

from __future__ import annotations

from ...diagnostics import Severity

CODE = "DR204"
NAME = "delegation-dates"
SEVERITY = Severity.WARNING


def check(ctx):
    for d in ctx.compiled.delegations:
        if d.start is not None and d.end is not None and d.end < d.start:
            yield ctx.diagnostic(
                CODE, SEVERITY, d.rule.span,
                f"this delegation ends ({d.end}) before it starts ({d.start}): it never gives anything",
                help="correct the dates")
        elif d.end is not None and d.end < ctx.on:
            yield ctx.diagnostic(
                CODE, SEVERITY, d.rule.span,
                f"the delegation ended on {d.end}: it gives nothing any more",
                help="remove it, or extend its `until` date")
