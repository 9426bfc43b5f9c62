"""Asking as a person (Part II §11–§12): the roles they hold that day, the facts about `me`, the answer.

A person may decide a request when some role they hold on its date is
allowed it (the combining rule, as for that role) and no forbid that speaks
of `me` refuses them in any of their roles. Among several roles the answer
takes the one with the fewest obligations, then the obligations that sort
first, then the role's name; it says which role it was decided `as`. A no
gives the first reason, in the order below, that one of their roles has.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Callable, Mapping

from .answer import Answer, Reason
from .explain import explain as explain_role
from ..compile.conditions import Value, attributes_of, holds
from ..compile.ir import CompiledCharter, Forbid, Rule
from ..errors import InvalidRequest
from ..words import NO_OBLIGATIONS

if TYPE_CHECKING:
    from .deciders import Deciders

REASON_ORDER: tuple[Reason, ...] = ("forbidden", "delegation_inactive", "outside_limits", "not_granted")
"""A person's no gives the first of these that one of their roles has (§11)."""


def facts(cc: CompiledCharter, about_me: tuple[tuple[str, str, str], ...], attrs: Mapping[str, Value],
          person: str, role: str, day: date) -> dict[str, bool]:
    """The facts about `me` (`facts_of` the decision), for `person` deciding as `role` on `day`.

    `X is me`: X names the person; `X reports to me`: a role X's person holds reports directly to
    `role`; `X under me`: a role X's person holds is below `role`, directly or not.
    """
    out: dict[str, bool] = {}
    for name, attr, relation in about_me:
        other = attrs[attr]
        if relation == "is":
            out[name] = other == person
        else:
            held = cc.people.roles_of(str(other), day)
            if relation == "reports_to":
                out[name] = any(cc.manager.get(r) == role for r in held)
            else:
                out[name] = any(role in cc.line_up(r) for r in held)
    return out


def facts_of(cc: CompiledCharter, decision: str) -> tuple[tuple[str, str, str], ...]:
    """`(name, person attribute, relation)` of each fact about `me` that `decision`'s rules read."""
    return tuple((name, *spec.derived) for name, spec in cc.decisions[decision].attrs.items()  # type: ignore[misc]
                 if spec.derived is not None)


def me_forbids(cc: CompiledCharter, role: str, decision: str) -> tuple[Forbid, ...]:
    """The forbids binding `role` that speak of `me`: when one matches, the person is refused in every role."""
    attrs = cc.decisions[decision].attrs
    return tuple(f for f in cc.forbids_of.get((role, decision), ())
                 if any(attrs[a].derived for a in attributes_of(f.cond)))


class Trial:
    """One role a person holds, tried: the request with its facts about `me`, and the answer in that role."""

    __slots__ = ("role", "request", "answer")

    def __init__(self, role: str, request: dict[str, Value], answer: Answer):
        self.role, self.request, self.answer = role, request, answer


def trials(deciders: Deciders, person: str, decision: str, attrs: Mapping[str, Value], day: date) -> list[Trial]:
    """The person's request tried in each role they hold on `day`."""
    cc = deciders.compiled
    out = []
    about_me = deciders.facts_of[decision]
    for role in cc.people.roles_of(person, day):
        request = {**attrs, **facts(cc, about_me, attrs, person, role, day)} if about_me else attrs
        k = deciders.k(role, decision)
        out.append(Trial(role, request, k[1].judge(request, day, k)))
    return out


def refused(deciders: Deciders, decision: str, tried: list[Trial]) -> tuple[Trial, tuple[Rule, ...]] | None:
    """The first role in which a forbid speaking of `me` refuses the person, and its rules."""
    for t in tried:
        forbids = deciders.k(t.role, decision)[1].me_forbids
        rules = tuple(f.rule for f in forbids if holds(f.cond, t.request)) if forbids else ()
        if rules:
            return t, rules
    return None


def allowed_roles(deciders: Deciders, person: str, decision: str, attrs: Mapping[str, Value],
                  day: date) -> frozenset[str]:
    """The roles in which `person` may decide it on `day`: none when a `me` forbid refuses them."""
    tried = trials(deciders, person, decision, attrs, day)
    if refused(deciders, decision, tried) is not None:
        return frozenset()
    return frozenset(t.role for t in tried if t.answer.allowed)


def able(deciders: Deciders, decision: str, attrs: Mapping[str, Value], day: date,
         but: str | None = None) -> Callable[[str], tuple[str, ...]]:
    """`able(role)`: the persons holding `role` on `day` (but `but`) who may decide it in that role.
    Each person's roles are tried once, however many of their roles are asked about."""
    holders = deciders.compiled.people.holders
    known: dict[str, frozenset[str]] = {}

    def able_in(role: str) -> tuple[str, ...]:
        out = []
        for p in holders(role, day):
            if p != but:
                if p not in known:
                    known[p] = allowed_roles(deciders, p, decision, attrs, day)
                if role in known[p]:
                    out.append(p)
        return tuple(out)

    return able_in


def ask(deciders: Deciders, person: str, decision: str, attrs: dict[str, Value], day: date) -> Answer:
    """The answer to a validated request asked as `person`."""
    tried = trials(deciders, person, decision, attrs, day)
    judged = PersonDecision(deciders, person, decision, attrs, day)
    no = refused(deciders, decision, tried)
    if no is not None:
        t, rules = no
        judged.reason, judged.because = "forbidden", rules
        return judged.answer(t.role, t.request, None)
    yes = [t for t in tried if t.answer.allowed]
    if yes:
        best = min(yes, key=lambda t: (len(t.answer.obligations), sorted(t.answer.obligations), t.role))
        return judged.answer(best.role, best.request, best.answer)
    if not tried:
        judged.reason, judged.because = "not_granted", ()
        return judged.answer(None, dict(attrs), None)
    first = min(tried, key=lambda t: REASON_ORDER.index(t.answer.reason or "not_granted"))
    judged.reason, judged.because = first.answer.reason, first.answer.because
    judged.role_answer = first.answer
    return judged.answer(first.role, first.request, None)


class PersonDecision:
    """What a person's answer works out when asked (the `answer.Decider` of a person's answer)."""

    def __init__(self, deciders: Deciders, person: str, decision: str, attrs: dict[str, Value], day: date):
        self.deciders, self.person, self.decision, self.attrs, self.day = deciders, person, decision, attrs, day
        self.reason: Reason | None = None
        self.because: tuple[Rule, ...] = ()
        self.role_answer: Answer | None = None
        self._targets: dict[str, tuple[str, ...]] | None = None

    def answer(self, role: str | None, request: dict[str, Value], yes: Answer | None) -> Answer:
        if yes is not None:
            self.role_answer = yes
            return Answer(self, role, self.decision, request, self.day, True, None, yes.obligations,  # type: ignore[arg-type]
                          yes.may_propose, yes.because, yes.via, person=self.person)
        return Answer(self, role, self.decision, request, self.day, False, self.reason,  # type: ignore[arg-type]
                      NO_OBLIGATIONS, False, self.because, (), person=self.person)

    def why_not(self, request: Mapping[str, Value], on: date) -> tuple[Reason, tuple[Rule, ...]]:
        return self.reason, self.because  # type: ignore[return-value]

    def escalate_to(self, request: Mapping[str, Value], on: date) -> tuple[str, ...]:
        return tuple(self.targets())

    def targets(self) -> dict[str, tuple[str, ...]]:
        """Whom to take it to: per role, the persons holding it that day who may decide it (never the requester)."""
        if self._targets is None:
            self._targets = escalation(self.deciders, self.person, self.decision, self.attrs, self.day)
        return self._targets

    def cosigners(self, answer: Answer) -> dict[str, tuple[str, ...]]:
        """Per role whose agreement it needs, the persons who may give it: holding it that day, not the decider."""
        people = self.deciders.compiled.people
        return {role: tuple(p for p in people.holders(role, self.day) if p != self.person)
                for role in answer.agreement}

    def explain(self, answer: Answer) -> str:
        return explain_person(self, answer)


def escalation(deciders: Deciders, person: str, decision: str, attrs: Mapping[str, Value],
               day: date) -> dict[str, tuple[str, ...]]:
    """Up the line from each role the person holds that day (`escalate D to R` starts at R) to the nearest
    role some person holding it that day may decide it in; a role nobody holds is passed over."""
    cc = deciders.compiled
    start = cc.escalations.get(decision)
    held = cc.people.roles_of(person, day)
    out: dict[str, tuple[str, ...]] = {}
    able_in = able(deciders, decision, attrs, day, but=person)
    for role in held or (None,):
        line = [start, *cc.line_up(start)] if start is not None else (cc.line_up(role) if role else [])
        for candidate in line:
            found = able_in(candidate)
            if found:
                out.setdefault(candidate, found)
                break
    if not out:  # nobody up the line: every role in which another person may decide it
        for role in cc.roles:
            found = able_in(role)
            if found:
                out[role] = found
    return out


def explain_person(judged: PersonDecision, answer: Answer) -> str:
    """The person's answer in words: as which role, what it takes, and whom to take it to (with names)."""
    person, decision = judged.person, judged.decision
    if answer.role is None:
        lines = [f"no: {person} may not decide {decision} (not granted).",
                 f"  {person} holds no role on {answer.on.isoformat()}."]
    else:
        role_answer = judged.role_answer
        body = explain_role(judged.deciders.compiled, role_answer, whom=False).splitlines()[1:] if role_answer \
            else [f"  forbidden by {rule.where()}: {rule.text}" for rule in answer.because]
        if answer.allowed:
            head = f"yes: {person} may decide {decision}, as {answer.role}."
            cosign = [f"{role}: {', '.join(names) or f'nobody but {person} holds it that day'}"
                      for role, names in judged.cosigners(answer).items()]
            if cosign:
                body.append("who may co-sign (not the decider): " + "; ".join(cosign) + ".")
        else:
            head = f"no: {person} may not decide {decision} as {answer.role} ({answer.reason.replace('_', ' ')})."  # type: ignore[union-attr]
        lines = [head, *body]
    if not answer.allowed:
        targets = judged.targets()
        if targets:
            lines.append("take it to: " + "; ".join(f"{r} ({', '.join(ps)})" for r, ps in targets.items()) + ".")
        else:
            lines.append("nobody else may decide this request on that date.")
    return "\n".join(lines)


def not_a_role_request(role: str, decision: str) -> InvalidRequest:
    return InvalidRequest(
        f"the rules for `{role}` deciding `{decision}` speak of `me` (who decides), so it cannot be asked as a "
        f"role: ask as a person who holds `{role}` (Part II §12)")
