"""The answer to "may this role decide this?": truthy when allowed, and it explains itself."""

from __future__ import annotations

import json
from datetime import date
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict

from ..compile.conditions import Value
from ..compile.ir import Rule
from ..values import format_number
from ..words import NO_OBLIGATIONS, Obligations, jsonable


Reason = Literal["forbidden", "outside_limits", "not_granted", "delegation_inactive"]
"""Why a no is a no: the four stable reasons (docs/semantics.md), `Answer.reason` of every no."""


class RuleModel(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: str
    decision: str
    role: str | None
    file: str
    line: int
    column: int
    text: str
    delegator: str | None = None
    delegate: str | None = None


class AnswerModel(BaseModel):
    """The JSON shape of an answer (`Answer.to_dict()` / `decisionrights ask --json`)."""

    model_config = ConfigDict(frozen=True)

    role: str | None
    decision: str
    request: dict[str, Any]
    on: date
    allowed: bool
    reason: Reason | None
    announce: tuple[str, ...]
    inform: tuple[str, ...]
    consult: tuple[str, ...]
    agreement: tuple[str, ...]
    may_propose: bool
    escalate_to: tuple[str, ...] | None
    because: tuple[RuleModel, ...]
    via: tuple[RuleModel, ...]
    explanation: str
    person: str | None = None
    """Part II: the person who asked (then `role` is the role it was decided as); these three keys are
    left out of a role's answer in `to_dict()`/`--json`."""
    escalate_persons: dict[str, tuple[str, ...]] | None = None
    cosigners: dict[str, tuple[str, ...]] | None = None


LATER: Any = "later"
"""Marks a part of a no that is worked out when first asked for (see `Answer.reason`)."""


class Decider(Protocol):
    """What works out the parts of a no an answer leaves for later (`decide.deciders.Decider` is one)."""

    def why_not(self, request: dict[str, Value], on: date) -> tuple[Reason, tuple[Rule, ...]]: ...

    def escalate_to(self, request: dict[str, Value], on: date) -> tuple[str, ...]: ...

    def explain(self, answer: "Answer") -> str: ...


class Verdict:
    """What answers through one way share: everything but the request and its date.

    One per way in (a yes) and one per role and decision (a no), made once when
    the pair is first asked about, so an answer costs three slots to build.
    `decider` works out, when asked, what a no leaves for later.
    """

    __slots__ = ("decider", "role", "decision", "obligations", "may_propose", "because", "via", "person")

    def __init__(self, decider: Decider, role: str, decision: str, obligations: frozenset[tuple[str, str]],
                 may_propose: bool, because: tuple[Rule, ...] | None, via: tuple[Rule, ...],
                 person: str | None = None):
        self.person = person
        self.decider = decider
        self.role = role
        self.decision = decision
        self.obligations = obligations if type(obligations) is Obligations else Obligations(obligations)
        self.may_propose = may_propose
        self.because = because
        self.via = via


class Answer:
    """What the charter says about one request.

    `allowed` (also the answer's truth value); the obligations `announce`,
    `inform`, `consult`, `agreement` (sorted tuples of roles); `may_propose`;
    `escalate_to` when not allowed (empty: nobody may decide it); `reason`
    (`forbidden`, `outside_limits`, `not_granted`, `delegation_inactive`, or
    None when allowed); `because`, the rules that decided it; `via`, the
    delegation chain used; `request`, the checked attributes; `on`, the date
    it was decided for (the day it was asked when the caller gave none).
    `explain()` says it in words.

    An answer is built cheaply: what it shares with other answers through the
    same way is kept once, and what is not needed to say yes or no (why not,
    the escalation targets, the explanation) is worked out on first access
    and kept.
    """

    __slots__ = ("verdict", "request", "on", "_reason", "_because", "_escalate_to", "_text")
    verdict: Verdict
    request: dict[str, Value]
    on: date
    allowed: bool
    """May the role decide it (also the answer's truth value): a yes is a `Yes`, a no a `No`."""

    def __new__(cls, *args: Any, **kwargs: Any) -> "Answer":
        if cls is Answer:  # an answer is a yes or a no, and each says so without Python code: see below
            allowed = args[5] if len(args) > 5 else kwargs["allowed"]
            cls = Yes if allowed else No
        return object.__new__(cls)

    def __init__(self, decider: Decider, role: str, decision: str, request: dict[str, Value], on: date,
                 allowed: bool, reason: Reason | None, obligations: frozenset[tuple[str, str]], may_propose: bool,
                 because: tuple[Rule, ...] | None, via: tuple[Rule, ...], *, person: str | None = None):
        """`reason` may be LATER and `because` None for a no: then they are worked out on first access."""
        self.verdict = Verdict(decider, role, decision, obligations, may_propose, because, via, person)
        self.request = request
        self.on = on
        if reason is not LATER:
            self._reason = reason

    # The generated fast path (`fastpath`) builds answers without `__init__`: it makes a `Yes`
    # or a `No` and sets `verdict`, `request` and `on`; the other slots stay empty until first asked for.

    @property
    def role(self) -> str:
        return self.verdict.role

    @property
    def decision(self) -> str:
        return self.verdict.decision

    @property
    def obligations(self) -> Obligations:
        return self.verdict.obligations

    @property
    def may_propose(self) -> bool:
        return self.verdict.may_propose

    @property
    def via(self) -> tuple[Rule, ...]:
        """The delegation chain used, first link first; empty for a grant of the role's own or a no."""
        return self.verdict.via

    def _why_not(self) -> None:
        self._reason, self._because = self.verdict.decider.why_not(self.request, self.on)

    @property
    def reason(self) -> Reason | None:
        """None when allowed; else `forbidden`, `delegation_inactive`, `outside_limits` or `not_granted`."""
        try:
            return self._reason
        except AttributeError:
            pass
        if self.allowed:
            return None
        self._why_not()
        return self._reason

    @property
    def because(self) -> tuple[Rule, ...]:
        """The rules that decided it: the grant and delegations used, or the forbids that denied it,
        or the limits the request is outside of."""
        found = self.verdict.because
        if found is not None:
            return found
        try:
            return self._because
        except AttributeError:
            pass
        self._why_not()
        return self._because

    def _of(self, kind: str) -> tuple[str, ...]:
        return self.verdict.obligations.of(kind)

    @property
    def announce(self) -> tuple[str, ...]:
        return self._of("announce")

    @property
    def inform(self) -> tuple[str, ...]:
        return self._of("inform")

    @property
    def consult(self) -> tuple[str, ...]:
        return self._of("consult")

    @property
    def agreement(self) -> tuple[str, ...]:
        return self._of("agreement")

    @property
    def escalate_to(self) -> tuple[str, ...] | None:
        """Whom to take it to when not allowed: the nearest allowed role up the line, else every
        allowed role; `()` when nobody may decide it; None when the answer is yes."""
        if self.allowed:
            return None
        try:
            return self._escalate_to
        except AttributeError:
            pass
        self._escalate_to = self.verdict.decider.escalate_to(self.request, self.on)
        return self._escalate_to

    @property
    def person(self) -> str | None:
        """The person who asked (Part II §11), or None when a role was asked; `role` is the role it was
        decided as (None when the person holds no role that day)."""
        return self.verdict.person

    @property
    def escalate_persons(self) -> dict[str, tuple[str, ...]] | None:
        """For a person's no: per role to take it to, the persons holding it that day who may decide it
        (never the requester). None for a yes or when a role asked."""
        if self.allowed or self.verdict.person is None:
            return None
        return dict(self.verdict.decider.targets())  # type: ignore[attr-defined]

    @property
    def cosigners(self) -> dict[str, tuple[str, ...]] | None:
        """For a person's yes: per role whose agreement it needs, the persons who may give it on that day —
        anyone holding it but the decider (the two-person rule holds between people). None otherwise."""
        if not self.allowed or self.verdict.person is None:
            return None
        return self.verdict.decider.cosigners(self)  # type: ignore[attr-defined]

    def explain(self) -> str:
        """The answer in a few lines a team lead can act on."""
        try:
            return self._text
        except AttributeError:
            pass
        self._text = self.verdict.decider.explain(self)
        return self._text

    def to_model(self) -> AnswerModel:
        return AnswerModel(
            role=self.role, decision=self.decision, request={k: jsonable(v) for k, v in self.request.items()},
            on=self.on, allowed=self.allowed, reason=self.reason, announce=self.announce, inform=self.inform,
            consult=self.consult, agreement=self.agreement, may_propose=self.may_propose,
            escalate_to=self.escalate_to,
            because=tuple(RuleModel(**r.to_dict()) for r in self.because),
            via=tuple(RuleModel(**r.to_dict()) for r in self.via), explanation=self.explain(),
            person=self.person, escalate_persons=self.escalate_persons, cosigners=self.cosigners)

    def to_dict(self) -> dict[str, Any]:
        out = self.to_model().model_dump(mode="json")
        if self.verdict.person is None:  # a role's answer has the shape it always had
            for key in ("person", "escalate_persons", "cosigners"):
                del out[key]
        return out

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    def __repr__(self) -> str:
        verdict = "allowed" if self.allowed else f"not allowed ({self.reason})"
        return f"<Answer {self.role} · {self.decision}: {verdict}>"


class Yes(Answer):
    """An answer that is yes: true, like any object without `__bool__` (no Python call to find out)."""

    __slots__ = ()
    allowed = True


class No(Answer):
    """An answer that is no: false, because `bool()` with no arguments is False (again no Python call)."""

    __slots__ = ()
    allowed = False
    __bool__ = staticmethod(bool)


__all__ = ["Answer", "AnswerModel", "Decider", "No", "Reason", "Verdict", "Yes", "format_number"]
