"""A person who holds no role on the lint date: each of their holdings is over, or not yet begun.

Why it matters: a person of the charter or the directory file who holds
nothing that day may decide nothing and is named by no escalation — usually
a leaver left in the directory, or a cover whose dates were mistyped. A
person stated on a charter's `person` line always holds their roles, so
this comes from a directory file whose every row for the person has dates.
Example (a directory file):

    person,roles,from,until
    dee,buyer,2026-01-01,2026-03-31     # over

The finding is located at the person's first holding (the directory
file's row) and says when their holdings run.

Fix: remove the person, or give them the role they hold now (or correct the
dates).
"""

from __future__ import annotations

from ...diagnostics import Severity
from ._common import at_holding

CODE = "DR215"
NAME = "person-without-role"
SEVERITY = Severity.WARNING


def _window(h) -> str:
    start = f"from {h.start.isoformat()}" if h.start else "since always"
    end = f"until {h.end.isoformat()}" if h.end else "until further notice"
    return f"{h.role} {start} {end}"


def check(ctx):
    people = ctx.compiled.people
    for person in people.persons:
        held = people.by_person.get(person, ())
        if not held or people.roles_of(person, ctx.on):
            continue
        windows = "; ".join(_window(h) for h in held)
        yield at_holding(
            ctx, CODE, SEVERITY, held[0],
            f"`{person}` holds no role on {ctx.on.isoformat()}: {windows}",
            help=f"remove {person}, or give them the role they hold now (or correct the dates)")
