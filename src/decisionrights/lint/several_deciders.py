"""Several unrelated roles may decide the same requests (RAPID's "one D" smell).

Why it matters: when two roles on different reporting lines both hold a
decision, each may assume the other decides, or both decide differently.
RAPID asks for one "D" per decision. This is information, not an error:
overlap up one reporting line (a manager holding what a report holds) is
not reported. Example:

    controller may decide purchase when amount <= 25k
    team_lead may decide purchase when amount <= 2k   # on another line: both decide up to 2k

Fix: make one of them the decider and the other consulted or informed, or
split the region between them.
"""

from __future__ import annotations

from ..diagnostics import Severity
from ._common import show_request

CODE = "DR210"
NAME = "several-deciders"
SEVERITY = Severity.INFO


def check(ctx):
    cc = ctx.compiled
    an = ctx.analysis
    for decision in cc.decisions:
        deciders = list(an.deciders(decision).items())
        for i, (a, ra) in enumerate(deciders):
            line_a = set(cc.line_up(a))
            chains_a = {r for p in cc.paths.get((a, decision), ()) for r in p.chain}
            for b, rb in deciders[i + 1:]:
                if b in line_a or a in cc.line_up(b):
                    continue  # a manager and a report: escalation sorts it out
                paths_b = cc.paths.get((b, decision), ())
                if b in chains_a or any(a in p.chain for p in paths_b):
                    continue  # one holds it by delegation from the other
                both = ra & rb
                if both.is_empty():
                    continue
                rules = [p.links[-1].rule if p.links else p.grant.rule for p in paths_b]
                span = min((r.span for r in rules), key=lambda s: (s.line, s.column), default=cc.role_spans[b])
                yield ctx.diagnostic(
                    CODE, SEVERITY, span,
                    f"{a} and {b}, on different reporting lines, both may decide `{decision}` when "
                    f"{both.render(an.currency(decision))}",
                    notes=[f"for example: {show_request(cc, decision, both.sample())}"],
                    help="make one the decider and consult or inform the other, or split the region")
