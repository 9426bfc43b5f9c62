"""A role that may decide nothing, propose nothing, receives no delegation and has no one reporting to it.

Why it matters: a role in the charter that holds no authority is usually a
leftover or a misspelling of another role. Example:

    role auditor            # never named again

Fix: give it what it should decide (or propose), or remove it.
"""

from __future__ import annotations

from ...diagnostics import Severity

CODE = "DR209"
NAME = "role-holds-nothing"
SEVERITY = Severity.INFO


def check(ctx):
    cc = ctx.compiled
    named: set[str] = set()
    for g in cc.grants:
        named.add(g.role)
        named.update(r for _, r in g.obligations)
    for d in cc.delegations:
        named.update((d.delegator, d.delegate))
        named.update(r for _, r in d.obligations)
    for f in cc.forbids:
        if f.role:
            named.add(f.role)
    named.update(cc.escalations.values())
    named.update(boss for boss in cc.manager.values() if boss)
    for role in cc.roles:
        if role not in named:
            yield ctx.diagnostic(
                CODE, SEVERITY, cc.role_spans[role],
                f"role `{role}` holds nothing: no grant, delegation or obligation names it",
                help=f"give {role} what it should decide, or remove the role")
