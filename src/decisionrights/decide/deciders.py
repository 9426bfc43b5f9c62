"""The deciders a `Charter` keeps: per decision its request validator, per pair asked about its `Decider`.

A `Decider` is one (role, decision): the combining rule's plan (`rule.make_plan`),
the same plan generated as Python (`fastpath`), and what an answer of that pair
works out only when asked (why not, whom to escalate to, the explanation).
Answers reach it through their verdict, so `answer` imports none of this.
"""

from __future__ import annotations

from datetime import date
from typing import Mapping

from .answer import LATER, Answer, Reason, Verdict
from .fastpath import build_asker, plan_reads
from .people import ask as ask_as_person, facts_of, me_forbids, not_a_role_request
from .request import Validator, make_validator, today
from .explain import explain
from .rule import Outcome, RulePlan, combine, make_plan, why_not
from ..compile.ir import CompiledCharter, Way
from ..compile.conditions import Value, holds
from ..compile.ir import Rule
from ..words import NO_OBLIGATIONS



class Decider:
    """One role deciding one decision: its plan, its generated `judge`, its constants `k`."""

    __slots__ = ("deciders", "role", "decision", "plan", "judge", "k", "speaks_of_me", "me_forbids")

    def __init__(self, deciders: "Deciders", role: str, decision: str):
        cc = deciders.compiled
        self.deciders = deciders
        self.role = role
        self.decision = decision
        self.plan: RulePlan = make_plan(cc, role, decision)
        # `may propose` depends on the request: a pair with such grants builds its answers the general way.
        general = self._general if (role, decision) in cc.proposals else None
        no = Verdict(self, role, decision, NO_OBLIGATIONS, False, None, ())
        attrs = cc.decisions[decision].attrs
        _, self.judge, self.k = build_asker(self.plan, attrs, deciders.validators[decision],
                                            no, self._yes, general, self)
        self.speaks_of_me = any(attrs[a].derived for a in plan_reads(self.plan))
        """Its rules read a fact about `me`: only a person may ask (as a role, the request is invalid)."""
        if self.speaks_of_me:
            self.k = (_needs_a_person, *self.k[1:])
        self.me_forbids = me_forbids(cc, role, decision)
        """The forbids binding it that speak of `me`: matched in this role, they refuse the person in every role."""

    def _yes(self, path: Way) -> Verdict:
        return Verdict(self, self.role, self.decision, path.obligations, False, path.because, path.via)

    def _general(self, attrs: dict[str, Value], on: date, found: Way | None) -> Answer:
        """The answer through way `found` (None: no), with `may_propose` worked out for this request."""
        cc, role, decision = self.deciders.compiled, self.role, self.decision
        propose = any(holds(g.cond, attrs) for g in cc.proposals.get((role, decision), ()))
        if found is None:
            return Answer(self, role, decision, attrs, on, False, LATER, NO_OBLIGATIONS, propose, None, ())
        return Answer(self, role, decision, attrs, on, True, None, found.obligations, propose, found.because,
                      found.via)

    # -- what an answer works out when asked (see `answer.Decider`) --------------------------------
    def rule(self, attrs: Mapping[str, Value], on: date) -> Outcome:
        """What the readable combining rule says (`rule.combine`)."""
        return combine(self.plan, attrs, on)

    def why_not(self, attrs: Mapping[str, Value], on: date) -> tuple[Reason, tuple[Rule, ...]]:
        return why_not(self.plan, attrs, on)

    def escalate_to(self, attrs: Mapping[str, Value], on: date) -> tuple[str, ...]:
        return self.deciders.escalation(self.role, self.decision, attrs, on)

    def explain(self, answer: Answer) -> str:
        return explain(self.deciders.compiled, answer)

    def __reduce__(self) -> tuple:
        """A pickled answer takes its charter along; its generated code is made again when unpickled."""
        return (_decider, (self.deciders.compiled, self.role, self.decision))


def _needs_a_person(a: Mapping[str, object], on: object, k: tuple) -> Answer:
    """The `ask` of a pair whose rules speak of `me`: a role cannot answer who decides."""
    raise not_a_role_request(k[1].role, k[1].decision)


def _decider(compiled: CompiledCharter, role: str, decision: str) -> Decider:
    return Deciders(compiled).decider(role, decision)


class Deciders:
    """The one cache of a charter's deciding: each decision's validator, and per decision and role
    asked about the generated `ask`'s constants `k` (`k[0]` is `ask`, `k[1]` the pair's `Decider`).

    Built on first use and never changed after, so threads may share it: two threads
    that ask about a new pair at once each build it, and either result is right.
    """

    __slots__ = ("compiled", "validators", "asks", "facts_of")

    def __init__(self, compiled: CompiledCharter):
        self.compiled = compiled
        persons = compiled.people.by_person
        self.validators: dict[str, Validator] = {
            name: make_validator(name, spec.attrs, persons) for name, spec in compiled.decisions.items()}
        self.asks: dict[str, dict[str, tuple]] = {name: {} for name in compiled.decisions}
        self.facts_of = {name: facts_of(compiled, name) for name in compiled.decisions}
        """Per decision, the facts about `me` its rules read (`decide.people.facts_of`); mostly none."""

    def k(self, role: str, decision: str) -> tuple:
        """The pair's constants (`ask` first, its `Decider` second), made once and kept."""
        asked = self.asks[decision]
        found = asked.get(role)
        if found is None:
            found = asked[role] = Decider(self, role, decision).k
        return found

    def decider(self, role: str, decision: str) -> Decider:
        return self.k(role, decision)[1]

    def decide(self, role: str, decision: str, attrs: dict[str, Value], on: date | None) -> Answer:
        """Answer one validated request (`on` None: today), asked as a role or as a person."""
        day = today() if on is None else on
        if role in self.compiled.people.by_person:
            return ask_as_person(self, role, decision, attrs, day)
        k = self.k(role, decision)
        if k[1].speaks_of_me:
            raise not_a_role_request(role, decision)
        return k[1].judge(attrs, day, k)

    def is_allowed(self, role: str, decision: str, attrs: Mapping[str, Value], on: date) -> bool:
        """May `role` decide this validated request on `on`? (A pair whose rules speak of `me`: invalid.)"""
        k = self.k(role, decision)
        if k[1].speaks_of_me:
            raise not_a_role_request(role, decision)
        return k[1].judge(attrs, on, k).allowed

    def escalation(self, role: str, decision: str, attrs: Mapping[str, Value], on: date) -> tuple[str, ...]:
        """Nearest allowed role up the line (from `escalate D to R` if given), else all allowed roles."""
        cc = self.compiled
        start = cc.escalations.get(decision)
        line = [start, *cc.line_up(start)] if start is not None else cc.line_up(role)
        for candidate in line:
            if self.allowed_as_role(candidate, decision, attrs, on):
                return (candidate,)
        return tuple(r for r in cc.roles if r != role and self.allowed_as_role(r, decision, attrs, on))

    def allowed_as_role(self, role: str, decision: str, attrs: Mapping[str, Value], on: date) -> bool:
        """Like `is_allowed`, but a role whose rules speak of `me` is passed over: without a person it
        cannot be allowed (asked as a role, such a request is invalid)."""
        k = self.k(role, decision)
        return not k[1].speaks_of_me and k[1].judge(attrs, on, k).allowed


def validator(cc: CompiledCharter, decision: str) -> Validator:
    """A full request validator for `decision` (made anew: a `Charter` keeps its own in its `Deciders`)."""
    return make_validator(decision, cc.decisions[decision].attrs)


__all__ = ["Decider", "Deciders", "validator"]
