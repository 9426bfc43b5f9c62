"""A gap: requests of a declared decision that no role may decide and no `nobody may` rules out.

Why it matters: such a request escalates to nobody, so whoever meets it has
nowhere to take it. Sometimes that is intended — then say so with a
`nobody may` — but usually a limit was forgotten. Example:

    head may decide purchase when amount <= 10k
    # nobody may decide hardware above 10k: a gap

The finding names the gap as a readable region, on today's date (or the
date given to `lint`).

Fix: grant the region to the role that should decide it, or write
`nobody may decide … when …` to make the limit explicit.
"""

from __future__ import annotations

from ...diagnostics import Severity
from ._common import show_request, when

CODE = "DR207"
NAME = "gap"
SEVERITY = Severity.INFO


def check(ctx):
    cc = ctx.compiled
    an = ctx.analysis
    granted = {g.decision for g in cc.grants if not g.propose}
    for name, spec in cc.decisions.items():
        if name not in granted:
            continue  # DR208 says it once for the whole decision
        hole = an.gap(name)
        if hole.is_empty():
            continue
        cur = an.currency(name)
        yield ctx.diagnostic(
            CODE, SEVERITY, spec.span,
            f"a gap: no role may decide `{name}` {when(hole.render(cur), 'for any request')}",
            notes=[f"for example: {show_request(cc, name, hole.sample())} escalates to nobody"],
            help=f"grant it to the role that should decide it, or say `nobody may decide {name} when …`")
