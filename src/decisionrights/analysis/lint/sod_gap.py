"""A separation-of-duties gap: requests nobody may decide only because of an `is me` rule.

Why it matters: `nobody may decide expense when claimant is me` keeps people
from approving their own claims, but when the role the rule stops is the
only one allowed the request, nobody else is either: the request escalates
to nobody. The classic case is the top role's own claim. Example:

    board may decide expense
    ceo may decide expense when amount <= 20k
    nobody may decide expense when claimant is me   # the board's own claim: nobody

Exactly: for each person attribute `X` that a forbid compares with `me`
(`X is me`), the requests where `X is me` holds, that some role would be
allowed were it not for the forbids speaking of `X is me`, and that no role
is allowed. Regions treat `X is me` as a yes/no of the request (as
everywhere in lint), so this is what the charter's rules leave: a person
asking about their own request whom only the `me` rule stops, with no
role allowed it (who else may decide it depends on who holds the roles:
ask as a person). The finding is
located at the `is me` forbid, names the region and gives an example
request.

Fix: grant the region to a role whose holder is a different person (the
board's own claim to an audit committee), or accept it explicitly with a
`nobody may` rule that does not speak of `me`.
"""

from __future__ import annotations

from ...compile.conditions import Cmp
from ...diagnostics import Severity
from ._common import show_request, when

CODE = "DR214"
NAME = "separation-of-duties-gap"
SEVERITY = Severity.INFO


def _reads(cond, attr: str) -> bool:
    """Does the condition read the attribute `attr` anywhere?"""
    if getattr(cond, "attr", None) == attr:
        return True
    items = getattr(cond, "items", None)
    if items is not None:
        return any(_reads(c, attr) for c in items)
    inner = getattr(cond, "item", None)
    return inner is not None and _reads(inner, attr)


def _without(an, decision: str, skip) -> object:
    """What every role would be allowed of `decision` on the lint date if the forbids in `skip` were gone."""
    cc = an.cc
    out = an.nothing(decision)
    for role in cc.roles:
        for path in cc.ways.get((role, decision), ()):
            if not path.active_on(an.on):
                continue
            region = an.region(path.cond, decision)
            for r in dict.fromkeys(path.chain):
                for f in cc.forbids_of.get((r, decision), ()):
                    if id(f) not in skip:
                        region = region - an.region(f.cond, decision)
            out = out | region
    return out


def check(ctx):
    cc = ctx.compiled
    an = ctx.analysis
    for name, spec in cc.decisions.items():
        for attr, aspec in spec.attrs.items():
            if aspec.derived is None or aspec.derived[1] != "is":
                continue
            me_rules = [f for f in cc.forbids if f.decision == name and _reads(f.cond, attr)]
            if not me_rules:
                continue
            allowed = an.nothing(name)
            for region in an.deciders(name).values():
                allowed = allowed | region
            mine = an.region(Cmp(attr, "==", True), name)
            hole = (mine & _without(an, name, {id(f) for f in me_rules})) - allowed
            if hole.is_empty():
                continue
            lines = ", ".join(str(f.rule.span.line) for f in me_rules)
            yield ctx.diagnostic(
                CODE, SEVERITY, me_rules[0].rule.span,
                f"a separation-of-duties gap: nobody may decide `{name}` "
                f"{when(hole.render(an.currency(name)), 'for any request')}, "
                f"only because of the `{attr}` rule (line {lines})",
                notes=[f"for example: {show_request(cc, name, hole.sample())} — a role would be allowed it but for "
                       f"the `me` rule, and no role is allowed it; whether somebody else may decide the same "
                       f"request depends on who holds which role (ask as a person)"],
                help=f"grant it to a role somebody else holds, or say `nobody may decide {name} when …` "
                     f"without `me` to accept it")
