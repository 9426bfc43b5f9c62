"""A declared decision that no role may decide: no grant and no delegation mentions it.

Why it matters: every request of it is a gap — it escalates to nobody — so
the people living under the charter have nowhere to take it. Example:

    decision refund { amount: money }      # and no `… may decide refund`

Fix: grant it to the role closest to the information, or remove the decision.
"""

from __future__ import annotations

from ...diagnostics import Severity

CODE = "DR208"
NAME = "decision-without-grant"
SEVERITY = Severity.WARNING


def check(ctx):
    cc = ctx.compiled
    granted = {g.decision for g in cc.grants if not g.propose}
    for name, spec in cc.decisions.items():
        if name not in granted:
            yield ctx.diagnostic(
                CODE, SEVERITY, spec.span, f"no role may decide `{name}`: nothing grants it",
                help=f"add a grant such as `ROLE may decide {name} when …`")
