"""A name that looks like another one but is spelled with other characters (Cyrillic `с` for Latin `c`).

Why it matters: `сfo` and `cfo` read the same to a person and are two
different roles to the engine, so a grant meant for one silently goes to
the other — the charter says something else than it shows. Names that mix
scripts are reported too. Example:

    role cfo
    role сfo          # the first letter is Cyrillic

Fix: rename it using letters of one script (plain Latin letters, digits
and `_`).
"""

from __future__ import annotations

from ..confusables import find_confusables
from ...diagnostics import Severity

CODE = "DR211"
NAME = "confusable-names"
SEVERITY = Severity.WARNING


def check(ctx):
    cc = ctx.compiled
    names = [*cc.role_spans.items(), *((d.name, d.span) for d in cc.decisions.values())]
    for found in find_confusables(names):
        labels = [(found.like_span, f"`{found.like}` declared here")] if found.like_span else []
        yield ctx.diagnostic(CODE, SEVERITY, found.span, found.message,
                             help="rename it using letters of one script (plain Latin letters)", labels=labels)
