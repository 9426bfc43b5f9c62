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

from ...diagnostics import Severity
from ..regions import spend
from ._common import on_one_line, show_request, when

CODE = "DR210"
NAME = "several-deciders"
SEVERITY = Severity.INFO


MAX_PAIRS = 20_000
"""Pairs of deciders compared per decision; beyond that the rule says it stopped (it is information only)."""
MAX_FINDINGS = 5
"""Findings per decision: the smell is the same, a few examples show it."""


def check(ctx):
    for decision in ctx.compiled.decisions:
        yield from _check_decision(ctx, decision)


def _check_decision(ctx, decision):
    cc = ctx.compiled
    an = ctx.analysis
    deciders = list(an.deciders(decision).items())
    same_line = on_one_line(cc)
    pairs = found = 0
    for i, (a, ra) in enumerate(deciders):
        spend(len(deciders) - i)  # each pair looked at is a step of the analysis's budget
        chains_a = {r for p in cc.ways.get((a, decision), ()) for r in p.chain}
        for b, rb in deciders[i + 1:]:
            if same_line(a, b):
                continue  # a manager and a report: escalation sorts it out
            paths_b = cc.ways.get((b, decision), ())
            if b in chains_a or any(a in p.chain for p in paths_b):
                continue  # one holds it by delegation from the other
            pairs += 1
            if pairs > MAX_PAIRS or found >= MAX_FINDINGS:
                if pairs > MAX_PAIRS:
                    yield ctx.diagnostic(
                        CODE, SEVERITY, cc.decisions[decision].span,
                        f"`{decision}` has {len(deciders)} deciders; only the first {MAX_PAIRS:,} pairs were "
                        f"compared for overlapping authority", help="split the decision, or check it alone")
                return
            both = ra & rb
            if both.is_empty():
                continue
            found += 1
            sample = both.sample()
            span = _rule_span(an, cc, b, paths_b, both) or cc.role_spans[b]
            other = _rule_span(an, cc, a, cc.ways.get((a, decision), ()), both) or cc.role_spans[a]
            yield ctx.diagnostic(
                CODE, SEVERITY, span,
                f"{a} and {b}, on different reporting lines, both may decide `{decision}` "
                f"{when(both.render(an.currency(decision)))}",
                labels=[(other, f"{a} may decide it here")],
                notes=[f"for example: {show_request(cc, decision, sample)}"],
                help="make one the decider and consult or inform the other, or split the region")


def _rule_span(an, cc, role, paths, both):
    """The first rule (a grant, or the delegation that hands it over) by which `role` may decide some of
    `both`: the place the overlap comes from, not merely the role's first rule for the decision."""
    rules = [p.links[-1].rule if p.links else p.grant.rule
             for p in paths if not (an.way_region(p) & both).is_empty()]
    return min((r.span for r in rules), key=lambda s: (s.line, s.column), default=None)
