"""A small, obviously correct reference interpreter for charters (spec §9, law 9).

It reads the parsed model (`decisionrights.parse`) and follows the definitions of
the language reference directly: plain recursion over the statements, no indexes,
no caching, nothing shared with `compile.py`, `evaluate.py` or `conditions.py`.
It is slow on purpose; the engine must agree with it.

The meaning, as the engine's contract states it:

- A *way* for a role to decide a request is an obligation set (a frozenset of
  (kind, role) pairs) with the number of further delegation links it still
  permits (`remaining`; a grant gives infinity). Here a way also remembers the
  grant it is rooted in and the delegations it went through, for the laws.
- A role has no way if a forbid matches it (its own `R may not decide D when …`,
  or `nobody may decide D when …`; no `when` always matches). Otherwise its ways
  are: each matching `may decide` grant of its own; with `authority flows up`,
  each matching `may decide` grant of a role reporting to it, directly or not
  (that role's forbids do not apply: forbids are personal); and for each
  delegation `A delegates D to role` whose condition matches and whose dates
  include the request date, each way w of A (A not yet in the chain) with
  remaining(w) >= 1 gives a way with w's obligations plus the delegation's and
  remaining min(remaining(w) - 1, sub), sub being 0 without `may subdelegate`,
  N with `up to N levels`, infinity with `may subdelegate` alone.
- Allowed iff at least one way. The answer's obligations are those of the way
  with the fewest pairs; ties go to the smallest sorted tuple of pairs.
- Escalation, when not allowed: up the requester's reporting line from its
  manager (or from R itself with `escalate D to R`), the first role allowed the
  same request; else every allowed role in declaration order; else nobody.
- Reason, when not allowed, the requester's own first: `forbidden` if a forbid
  matches the requester; else `delegation_inactive` if it would be allowed with
  delegation dates ignored; else `outside_limits` if the role has a way, with
  forbids and dates ignored, whose conditions do not hold; else `forbidden` if
  it has a way whose conditions hold (a forbid on a delegator blocks it,
  whatever its dates); else `not_granted`.

  (Earlier drafts put a delegator's forbid before the rest, so a requester whose
  own grant the request missed, and whose other way in ran through a forbidden
  delegator, heard `forbidden` — another role's rule — and not its own limit
  (issue 13, item 17). A forbid that binds only a delegator is the reason only
  when nothing nearer to the requester explains the no; a way both out of its
  dates and through a forbidden delegator is still `forbidden`: no date helps.)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from decisionrights import model as m
from decisionrights.parse import parse
from decisionrights.source import Source

INFINITY = math.inf
KINDS = ("announce", "inform", "consult", "agreement")

Pair = tuple[str, str]


@dataclass(frozen=True)
class Way:
    """One way for a role to decide: what it must do, and how much further it may pass on."""

    obligations: frozenset[Pair]
    remaining: float
    root: int
    """Index (in the model's statements) of the grant this way rests on."""
    chain: tuple[int, ...] = ()
    """Indexes of the delegations used, outermost first."""


@dataclass(frozen=True)
class Answer:
    allowed: bool
    reason: str | None
    obligations: frozenset[Pair]
    escalate_to: tuple[str, ...]


@dataclass(frozen=True)
class Mode:
    """Which parts of the rules to ignore (for the `reason` of a no)."""

    forbids: bool = True
    dates: bool = True
    conditions: bool = True


FULL = Mode()


class Reference:
    def __init__(self, charter: m.CharterModel, skip: frozenset[int] = frozenset()):
        """`skip`: indexes of statements to act as if they were not there."""
        self.statements = tuple(charter.statements)
        self.skip = skip

    @classmethod
    def from_text(cls, text: str) -> Reference:
        return cls(parse(Source(str(text), "<reference>")))

    def without(self, index: int) -> Reference:
        """The same charter, acting as if statement `index` were not there."""
        other = Reference.__new__(Reference)
        other.statements, other.skip = self.statements, self.skip | {index}
        return other

    # -- what the charter declares ---------------------------------------------

    def _live(self) -> list[tuple[int, Any]]:
        return [(i, s) for i, s in enumerate(self.statements) if i not in self.skip]

    def roles(self) -> list[str]:
        out = []
        for _, s in self._live():
            if isinstance(s, m.RoleDecl):
                out.extend(n.value for n in s.names)
        return out

    def manager(self, role: str) -> str | None:
        for _, s in self._live():
            if isinstance(s, m.RoleDecl) and any(n.value == role for n in s.names):
                return s.reports_to.value if s.reports_to is not None else None
        return None

    def reports_to(self, role: str, boss: str) -> bool:
        """Does `role` report to `boss`, directly or indirectly?"""
        up = self.manager(role)
        while up is not None:
            if up == boss:
                return True
            up = self.manager(up)
        return False

    def flows_up(self) -> bool:
        return any(isinstance(s, m.FlowsUp) for _, s in self._live())

    def decision(self, name: str) -> m.DecisionDecl:
        for _, s in self._live():
            if isinstance(s, m.DecisionDecl) and s.name.value == name:
                return s
        raise KeyError(name)

    def complete(self, decision: str, attributes: Mapping[str, Any]) -> dict[str, Any]:
        """The request's attributes with defaults filled in."""
        values = dict(attributes)
        for attr in self.decision(decision).attributes:
            if attr.name.value not in values and attr.default is not None:
                values[attr.name.value] = attr.default.value
        return values

    def escalation_start(self, decision: str) -> str | None:
        for _, s in self._live():
            if isinstance(s, m.Escalate) and s.decision.value == decision:
                return s.role.value
        return None

    # -- conditions --------------------------------------------------------------

    def holds(self, cond: m.Condition | None, values: Mapping[str, Any]) -> bool:
        if cond is None:
            return True
        if isinstance(cond, m.Compare):
            left, right = values[cond.attr.value], cond.value.value
            return {
                "<": lambda: left < right, "<=": lambda: left <= right,
                ">": lambda: left > right, ">=": lambda: left >= right,
                "==": lambda: left == right, "!=": lambda: left != right,
            }[cond.op]()
        if isinstance(cond, m.Membership):
            inside = any(values[cond.attr.value] == v.value for v in cond.values)
            return inside != cond.negated
        if isinstance(cond, m.Truth):
            return values[cond.attr.value] is True
        if isinstance(cond, m.And):
            return all(self.holds(c, values) for c in cond.items)
        if isinstance(cond, m.Or):
            return any(self.holds(c, values) for c in cond.items)
        if isinstance(cond, m.Not):
            return not self.holds(cond.item, values)
        raise TypeError(cond)

    @staticmethod
    def obligations_of(stmt: m.Grant | m.Delegation) -> frozenset[Pair]:
        return frozenset((ob.kind, n.value) for ob in stmt.obligations for n in ob.roles)

    @staticmethod
    def in_dates(d: m.Delegation, on: date) -> bool:
        after_start = d.start is None or d.start.value <= on
        before_end = d.end is None or on <= d.end.value
        return after_start and before_end

    @staticmethod
    def sub(d: m.Delegation) -> float:
        if d.subdelegate is None:
            return 0
        if d.subdelegate.levels is None:
            return INFINITY
        return d.subdelegate.levels

    # -- the definitions ---------------------------------------------------------

    def forbidden(self, role: str, decision: str, values: Mapping[str, Any], mode: Mode = FULL) -> bool:
        """Does a forbid match `role` for this request?"""
        if not mode.forbids:
            return False
        for _, s in self._live():
            if (isinstance(s, m.Forbid) and s.decision.value == decision
                    and (s.role is None or s.role.value == role) and self.holds(s.condition, values)):
                return True
        return False

    def ways(self, role: str, decision: str, values: Mapping[str, Any], on: date,
             chain: frozenset[str] | None = None, mode: Mode = FULL) -> set[Way]:
        """Every way `role` may decide the request; `chain` holds the roles already in it."""
        chain = frozenset({role}) if chain is None else chain
        if self.forbidden(role, decision, values, mode):
            return set()
        cond_ok = (lambda c: self.holds(c, values)) if mode.conditions else (lambda c: True)
        flows_up = self.flows_up()
        out: set[Way] = set()
        for i, s in self._live():
            if not isinstance(s, m.Grant) or s.propose or s.decision.value != decision:
                continue
            holder = s.role.value
            mine = holder == role or (flows_up and self.reports_to(holder, role))
            if mine and cond_ok(s.condition):
                out.add(Way(self.obligations_of(s), INFINITY, i))
        for i, s in self._live():
            if not isinstance(s, m.Delegation) or s.decision.value != decision or s.delegate.value != role:
                continue
            giver = s.delegator.value
            if giver in chain or not cond_ok(s.condition):
                continue
            if mode.dates and not self.in_dates(s, on):
                continue
            for w in self.ways(giver, decision, values, on, chain | {giver}, mode):
                if w.remaining >= 1:
                    out.add(Way(w.obligations | self.obligations_of(s), min(w.remaining - 1, self.sub(s)),
                                w.root, w.chain + (i,)))
        return out

    # -- the answer ---------------------------------------------------------------

    def best(self, ways: set[Way]) -> frozenset[Pair]:
        return min((w.obligations for w in ways), key=lambda o: (len(o), tuple(sorted(o))))

    def allowed(self, role: str, decision: str, values: Mapping[str, Any], on: date) -> bool:
        return bool(self.ways(role, decision, values, on))

    def may(self, role: str, decision: str, attributes: Mapping[str, Any], on: date) -> Answer:
        values = self.complete(decision, attributes)
        found = self.ways(role, decision, values, on)
        if found:
            return Answer(True, None, self.best(found), ())
        return Answer(False, self.reason(role, decision, values, on), frozenset(),
                      self.escalate_to(role, decision, values, on))

    def who_may(self, decision: str, attributes: Mapping[str, Any], on: date) -> tuple[str, ...]:
        values = self.complete(decision, attributes)
        return tuple(r for r in self.roles() if self.allowed(r, decision, values, on))

    def escalate_to(self, role: str, decision: str, values: Mapping[str, Any], on: date) -> tuple[str, ...]:
        start = self.escalation_start(decision)
        up = start if start is not None else self.manager(role)
        seen: set[str] = set()
        while up is not None and up not in seen:
            seen.add(up)
            if self.allowed(up, decision, values, on):
                return (up,)
            up = self.manager(up)
        return tuple(r for r in self.roles() if self.allowed(r, decision, values, on))

    def reason(self, role: str, decision: str, values: Mapping[str, Any], on: date) -> str:
        if self.forbidden(role, decision, values):
            return "forbidden"  # a forbid binds the request itself
        if self.ways(role, decision, values, on, mode=Mode(dates=False)):
            return "delegation_inactive"  # a way only its dates block
        # Ways whose conditions hold, with forbids and dates ignored; and every way at all.
        loose = self.ways(role, decision, values, on, mode=Mode(forbids=False, dates=False))
        every = self.ways(role, decision, values, on, mode=Mode(forbids=False, dates=False, conditions=False))
        if every != loose:
            return "outside_limits"  # a way whose limits the request is beyond
        if loose:
            return "forbidden"  # a forbid on a delegator blocks every way whose limits hold
        return "not_granted"


def expect_request(ref: Reference, expect: m.Expect, today: date) -> tuple[str, str, dict[str, Any], date]:
    """The request an `expect` line asks, its literals read as the decision's attribute types."""
    attrs = {a.attr.value: a.value.value for a in expect.attributes}
    on = expect.on.value if expect.on is not None else today
    return expect.role.value, expect.decision.value, attrs, on
