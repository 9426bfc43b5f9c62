"""Two persons cover the same role at overlapping dates (`acts as`, or directory rows with dates).

Why it matters: a cover stands in for one absent holder; two covers of one
role on the same days are usually a copied row or a mistyped date, and
both persons decide as that role on those days. Covers one after another
(back to back) are fine, and so is a cover beside the role's regular
holder — that is what a cover is. Example:

    fay acts as ops_manager from 2027-07-01 until 2027-07-14
    gus acts as ops_manager from 2027-07-10 until 2027-07-21   # 10–14 July: two covers

Exactly: two holdings of one role, both with a date (acting), by two
different persons, whose windows share at least one day (both ends
count). The finding is located at the later-written cover and labels the
first.

Fix: correct the dates so the covers follow one another, or remove one.
"""

from __future__ import annotations

from ...diagnostics import Severity
from ._common import at_holding

CODE = "DR213"
NAME = "acting-overlap"
SEVERITY = Severity.WARNING


def _days(a, b) -> str:
    start = max((d for d in (a.start, b.start) if d is not None), default=None)
    end = min((d for d in (a.end, b.end) if d is not None), default=None)
    left = f"from {start.isoformat()}" if start else "since always"
    right = f"until {end.isoformat()}" if end else "until further notice"
    return f"{left} {right}"


def check(ctx):
    people = ctx.compiled.people
    for role in ctx.compiled.roles:
        covers = [h for h in people.by_role.get(role, ()) if h.acting]
        for i, second in enumerate(covers):
            first = next((a for a in covers[:i] if a.person != second.person and a.overlaps(second)), None)
            if first is None:
                continue
            where = "" if first.path == second.path else f" ({first.path})"
            labels = [(first.span, f"{first.person} covers {role} here{where}", first.path)] if first.span else []
            yield at_holding(
                ctx, CODE, SEVERITY, second,
                f"`{second.person}` and `{first.person}` both cover `{role}` {_days(first, second)}",
                labels=labels,
                help="correct the dates so the covers follow one another, or remove one")
