"""The answer to "may this role decide this?": truthy when allowed, and it explains itself."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from .conditions import Value
from .rules import Rule
from .values import format_number


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

    role: str
    decision: str
    request: dict[str, Any]
    on: date
    allowed: bool
    reason: str | None
    announce: tuple[str, ...]
    inform: tuple[str, ...]
    consult: tuple[str, ...]
    agreement: tuple[str, ...]
    may_propose: bool
    escalate_to: tuple[str, ...] | None
    because: tuple[RuleModel, ...]
    via: tuple[RuleModel, ...]
    explanation: str


LATER: Any = "later"
"""Marks a part of a no that is worked out when first asked for (see `Answer.reason`)."""


class Answer:
    """What the charter says about one request.

    `allowed` (also the answer's truth value); the obligations `announce`,
    `inform`, `consult`, `agreement` (sorted tuples of roles); `may_propose`;
    `escalate_to` when not allowed (empty: nobody may decide it); `reason`
    (`forbidden`, `outside_limits`, `not_granted`, `delegation_inactive`, or
    None when allowed); `because`, the rules that decided it; `via`, the
    delegation chain used. `explain()` says it in words.

    An answer is built cheaply; what is not needed to say yes or no (the
    escalation targets, the explanation, today's date) is worked out on first
    access and kept.
    """

    __slots__ = ("_charter", "role", "decision", "request", "_on", "allowed", "_reason", "obligations",
                 "may_propose", "_because", "via", "_escalate_to", "_text")

    def __init__(self, charter: Any, role: str, decision: str, request: dict[str, Value], on: date | None,
                 allowed: bool, reason: str | None, obligations: frozenset[tuple[str, str]], may_propose: bool,
                 because: tuple[Rule, ...] | None, via: tuple[Rule, ...]):
        """`reason` and `because` may be LATER for a no: then they are worked out on first access."""
        self._charter = charter
        self.role = role
        self.decision = decision
        self.request = request
        self._on = on
        self.allowed = allowed
        self._reason = reason
        self.obligations = obligations
        self.may_propose = may_propose
        self._because = because
        self.via = via
        self._escalate_to: tuple[str, ...] | None = None
        self._text: str | None = None

    def __bool__(self) -> bool:
        return self.allowed

    def _why_not(self) -> None:
        from .evaluate import why_not

        self._reason, self._because = why_not(self._charter, self.role, self.decision, self.request, self.on)

    @property
    def reason(self) -> str | None:
        """None when allowed; else `forbidden`, `delegation_inactive`, `outside_limits` or `not_granted`."""
        if self._reason is LATER:
            self._why_not()
        return self._reason

    @property
    def because(self) -> tuple[Rule, ...]:
        """The rules that decided it: the grant and delegations used, or the forbids that denied it,
        or the limits the request is outside of."""
        if self._because is None:
            self._why_not()
        return self._because  # type: ignore[return-value]

    @property
    def on(self) -> date:
        """The request's date (today when the caller gave none)."""
        if self._on is None:
            from .request import today

            self._on = today()
        return self._on

    def _of(self, kind: str) -> tuple[str, ...]:
        return tuple(sorted(r for k, r in self.obligations if k == kind))

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
        if self._escalate_to is None:
            from .evaluate import escalation

            self._escalate_to = escalation(self._charter, self.role, self.decision, self.request, self.on)
        return self._escalate_to

    def explain(self) -> str:
        """The answer in a few lines a team lead can act on."""
        if self._text is None:
            from .evaluate import explain

            self._text = explain(self._charter, self)
        return self._text

    def to_model(self) -> AnswerModel:
        return AnswerModel(
            role=self.role, decision=self.decision, request={k: _jsonable(v) for k, v in self.request.items()},
            on=self.on, allowed=self.allowed, reason=self.reason, announce=self.announce, inform=self.inform,
            consult=self.consult, agreement=self.agreement, may_propose=self.may_propose,
            escalate_to=self.escalate_to,
            because=tuple(RuleModel(**r.to_dict()) for r in self.because),
            via=tuple(RuleModel(**r.to_dict()) for r in self.via), explanation=self.explain())

    def to_dict(self) -> dict[str, Any]:
        return self.to_model().model_dump(mode="json")

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    def __repr__(self) -> str:
        verdict = "allowed" if self.allowed else f"not allowed ({self.reason})"
        return f"<Answer {self.role} · {self.decision}: {verdict}>"


def _jsonable(value: Value) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value
    return str(value)


__all__ = ["Answer", "AnswerModel", "format_number"]
