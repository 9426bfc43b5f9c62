"""What every view shares: the facts of a charter on one date, gathered once, and the words they are told in.

`Facts` holds each role's exact authority (from `Charter.authority_of`), so a
view can never say more (or less) than `may()` answers; the helpers here turn
obligations, conditions and charter-derived words into text that matrix, graph
and card show the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from .. import markdown as md
from ..analysis.authority import Analysis, DecisionAuthority
from ..analysis.regions import Region
from ..compile.ir import CompiledCharter
from ..decide.request import request_date
from ..words import ALPHABETICAL, IN_TIME_ORDER, WHILE_DECIDING

if TYPE_CHECKING:
    from ..charter import Charter

# -- words shared by every view -----------------------------------------------------

KIND_ORDER = ALPHABETICAL
"""Obligation kinds, most demanding first: a card files a part under the first it carries."""


def and_list(names: Iterable[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def roles_of(obligations: Iterable[tuple[str, str]], kind: str) -> list[str]:
    """The roles named by obligations of one kind, sorted."""
    return sorted({r for k, r in obligations if k == kind})


def obligation_words(obligations: Iterable[tuple[str, str]]) -> str:
    """`announce board; inform cfo` in plain words: `announcing it to board first, informing cfo`."""
    obligations = list(obligations)
    out = []
    for kind in IN_TIME_ORDER:
        roles = roles_of(obligations, kind)
        if roles:
            out.append(WHILE_DECIDING[kind].format(and_list(roles)))
    return ", ".join(out)


# -- gathering the facts once -------------------------------------------------------

class Facts:
    """Every role's authority on one date, plus what a role holds without delegations."""

    def __init__(self, charter: Charter, on: date | str | None):
        self.charter = charter
        self.cc: CompiledCharter = charter.compiled
        self.on = request_date(on)
        self.held: dict[str, dict[str, DecisionAuthority]] = {
            role: charter.authority_of(role, on=self.on) for role in self.cc.roles}
        self.analysis = Analysis(self.cc, self.on)

    def currency(self) -> str | None:
        return self.cc.currency

    def own(self, role: str, decision: str) -> Region:
        """What `role` decides through grants (its own or inherited), leaving delegations out."""
        out = self.analysis.nothing(decision)
        for path in self.cc.ways.get((role, decision), ()):
            if not path.links:
                out = out | self.analysis.way_region(path)
        return out

    def delegated(self, role: str, decision: str) -> list[tuple[str, date | None, date | None]]:
        """(delegator, from, until) of the delegations that give `role` something on this date.

        `DecisionAuthority.delegated` also lists delegations outside their dates;
        a view on one date shows only those in effect.
        """
        out = []
        for path in self.cc.ways.get((role, decision), ()):
            if path.links and path.active_on(self.on) and not self.analysis.way_region(path).is_empty():
                link = path.links[-1]
                if (link.delegator, link.start, link.end) not in out:
                    out.append((link.delegator, link.start, link.end))
        return out

    def named_in(self, role: str, decision: str) -> dict[str, list[str]]:
        """Per obligation kind, the roles whose authority on `decision` obliges them to involve `role`."""
        out: dict[str, list[str]] = {k: [] for k in KIND_ORDER}
        for other in self.cc.roles:
            if other == role or decision not in self.held[other]:
                continue
            for part in self.held[other][decision].parts:
                for kind, named in part.obligations:
                    if named == role and other not in out[kind]:
                        out[kind].append(other)
        return out


def condition_words(region: Region, currency: str | None) -> str | None:
    """The region as a condition, or None when it is every request."""
    return None if region.is_everything() else region.render(currency)


_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")


def md_text(text: str) -> str:
    """Our prose with charter-derived words in it, safe inside a Markdown table cell: pipes and
    line breaks escaped, nothing read as an HTML tag or entity, a link or image (`[`, `]`), or a
    mention (`@` gets a word joiner); the rest stays readable in the raw text."""
    text = text.replace("\\", "\\\\").replace("&", "&amp;").replace("|", "\\|")
    text = text.replace("[", "\\[").replace("]", "\\]").replace("@", "@\u2060")
    return _TAG_START.sub("&lt;", text).replace("\n", " ")


def md_code(text: str) -> str:
    """A charter-derived condition or name as a code span, safe in a table cell."""
    return md.code(text)
