"""A small, obviously correct reference interpreter for the benchmark charters.

It reads the charter TEXT (only the subset that ``workload.render`` writes),
not the generator's data structures, so agreeing with it also checks that
the text says what the peers were given. Its ``may`` is the rule of the
spec, case by case, with no precomputation:

1. a forbid on the role for this decision and category -> no;
2. a grant of the role whose limits hold -> yes;
3. a delegation M -> role whose limits hold, where M may decide the same
   request through its own grants and no forbid on M matches -> yes;
4. otherwise -> no (default deny).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ROLE = re.compile(r"role (?P<names>[\w, ]+?)(?: reports to (?P<manager>\w+))?")
_GRANT = re.compile(r"(?P<role>\w+) may decide (?P<decision>\w+)(?: when (?P<cond>.+))?")
_DELEGATION = re.compile(r"(?P<source>\w+) delegates (?P<decision>\w+) to (?P<target>\w+)(?: when (?P<cond>.+))?")
_FORBID = re.compile(r"(?P<role>\w+) may not decide (?P<decision>\w+) when category == (?P<category>\w+)")
_COND = re.compile(r"amount <= (?P<amount>[\d_.]+[kM]?)(?: and category in \[(?P<cats>[\w, ]+)\])?")
_SUFFIX = {"k": 1_000, "M": 1_000_000}


@dataclass(frozen=True)
class Limits:
    """``amount <= ceiling`` and, unless ``categories`` is None, ``category in categories``."""

    ceiling: int | None
    categories: frozenset[str] | None

    def hold(self, amount: int, category: str) -> bool:
        """Whether a request lies within these limits."""
        if self.ceiling is not None and amount > self.ceiling:
            return False
        return self.categories is None or category in self.categories


def parse_money(literal: str) -> int:
    """``250k`` -> 250000, ``5M`` -> 5000000, ``1_500`` -> 1500."""
    literal = literal.replace("_", "")
    factor = _SUFFIX.get(literal[-1], 1)
    number = literal[:-1] if literal[-1] in _SUFFIX else literal
    return round(float(number) * factor)


def parse_limits(cond: str | None) -> Limits:
    """The limits of a ``when`` clause as written by the generator."""
    if cond is None:
        return Limits(None, None)
    m = _COND.fullmatch(cond)
    if m is None:
        raise ValueError(f"reference cannot read condition: {cond!r}")
    cats = m["cats"]
    categories = frozenset(c.strip() for c in cats.split(",")) if cats else None
    return Limits(parse_money(m["amount"]), categories)


class Reference:
    """Statements of one charter, indexed by (role, decision), and the spec's rule."""

    def __init__(self, text: str) -> None:
        self.roles: set[str] = set()
        self.grants: dict[tuple[str, str], list[Limits]] = {}
        self.delegations: dict[tuple[str, str], list[tuple[str, Limits]]] = {}
        self.forbids: dict[tuple[str, str], set[str]] = {}
        self._read(text)

    def _read(self, text: str) -> None:
        """Fill the indexes from the charter text; fail on any line it does not know."""
        in_decision = False
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if in_decision:
                in_decision = line != "}"
            elif not line or line.startswith(("charter ", "currency ")):
                continue
            elif line.startswith("decision "):
                in_decision = True
            elif m := _ROLE.fullmatch(line):
                self.roles.update(n.strip() for n in m["names"].split(","))
            elif m := _FORBID.fullmatch(line):
                self.forbids.setdefault((m["role"], m["decision"]), set()).add(m["category"])
            elif m := _GRANT.fullmatch(line):
                self.grants.setdefault((m["role"], m["decision"]), []).append(parse_limits(m["cond"]))
            elif m := _DELEGATION.fullmatch(line):
                key = (m["target"], m["decision"])
                self.delegations.setdefault(key, []).append((m["source"], parse_limits(m["cond"])))
            else:
                raise ValueError(f"reference cannot read line {number}: {raw!r}")

    def forbidden(self, role: str, decision: str, category: str) -> bool:
        """A forbid on this role matches the request."""
        return category in self.forbids.get((role, decision), ())

    def granted(self, role: str, decision: str, amount: int, category: str) -> bool:
        """One of the role's own grants covers the request."""
        return any(lim.hold(amount, category) for lim in self.grants.get((role, decision), ()))

    def may(self, role: str, decision: str, amount: int, category: str) -> bool:
        """The spec's answer, without ``authority flows up`` or sub-delegation."""
        if self.forbidden(role, decision, category):
            return False
        if self.granted(role, decision, amount, category):
            return True
        for source, limits in self.delegations.get((role, decision), ()):
            if (
                limits.hold(amount, category)
                and not self.forbidden(source, decision, category)
                and self.granted(source, decision, amount, category)
            ):
                return True
        return False
