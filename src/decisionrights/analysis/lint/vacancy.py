"""A vacancy: a role that may decide something, and that nobody holds on the lint date.

Why it matters: authority is issued to positions and exercised by people.
A request that only a vacant role may decide has nobody to decide it that
day — asked as a person, it escalates past the role. Only reported when the
charter (or the directory file given beside it) states people at all: a
charter without people has no vacancies. Example:

    role cfo reports to ceo
    cfo may decide expense when amount <= 20k
    person ana holds ceo          # nobody holds cfo

The finding is located at the role's declaration and names the decisions
it would decide on that date.

Fix: give the role to somebody (`person bo holds cfo`, a directory row, or
cover with `… acts as cfo from … until …`), or grant its authority to a
role somebody holds.
"""

from __future__ import annotations

from ...diagnostics import Severity
from ._common import has_people

CODE = "DR212"
NAME = "vacancy"
SEVERITY = Severity.WARNING


def check(ctx):
    cc = ctx.compiled
    if not has_people(cc):
        return
    an = ctx.analysis
    for role in cc.roles:
        if cc.people.holders(role, ctx.on):
            continue
        decides = [d for d in cc.decisions if not an.authority(role, d).region.is_empty()]
        if not decides:
            continue
        names = ", ".join(f"`{d}`" for d in decides)
        yield ctx.diagnostic(
            CODE, SEVERITY, cc.role_spans[role],
            f"role `{role}` is vacant on {ctx.on.isoformat()}: nobody holds it, and it may decide {names}",
            notes=[f"what only `{role}` may decide escalates past it to a role somebody holds"],
            help=f"give {role} to somebody (`person … holds {role}`, a directory row, or `… acts as {role}`), "
                 f"or grant its authority to a role somebody holds")
