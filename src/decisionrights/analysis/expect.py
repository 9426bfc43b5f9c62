"""Running a charter's `expect` lines: each one a request and what the engine must answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from ..compile.ir import ExpectC
from ..diagnostics import Diagnostic, Severity
from ..decide.explain import nearest_way
from ..compile.ir import Rule
from ..words import KEYWORD

if TYPE_CHECKING:
    from ..charter import Charter

EXPECTATION_FAILED = "DR301"


@dataclass(frozen=True)
class Outcome:
    expect: ExpectC
    problems: tuple[str, ...]
    answer_text: str
    exercised: frozenset[Rule] = frozenset()
    """The grants, forbids and delegations this expectation put to the test."""

    @property
    def passed(self) -> bool:
        return not self.problems


def _names(roles: tuple[str, ...] | frozenset[str]) -> str:
    return ", ".join(sorted(roles)) if roles else "nobody"


def check(charter: Charter, expect: ExpectC, today: date | None = None) -> Outcome:
    """Ask the engine the expectation's request and compare every part the line states."""
    day = expect.on or today or date.today()
    answer = charter.deciders.decide(expect.role, expect.decision, dict(expect.attrs), day)
    problems: list[str] = []
    if answer.allowed != expect.allowed:
        said = "may" if answer.allowed else f"may not ({answer.reason.replace('_', ' ')})"  # type: ignore[union-attr]
        problems.append(f"the charter says {expect.role} {said} decide it")
    if expect.escalates_to is not None:
        got = answer.escalate_to
        if answer.allowed:
            problems.append(f"it is allowed, so it escalates to nobody; expected {_names(expect.escalates_to)}")
        elif set(got or ()) != set(expect.escalates_to):
            problems.append(f"it escalates to {_names(got or ())}, not {_names(expect.escalates_to)}")
    for kind, roles in expect.obligations.items():
        got_roles = frozenset(getattr(answer, kind))
        if got_roles != roles:
            word = KEYWORD[kind]
            problems.append(f"`{word}` is {_names(got_roles)}, not {_names(roles)}")
    return Outcome(expect, tuple(problems), answer.explain(), _exercised(charter, answer))


def _exercised(charter: Charter, answer) -> frozenset[Rule]:
    """Rules an answer tested: the way in that allowed it, the forbids that denied it, or the
    limit it came nearest to."""
    if answer.allowed or answer.reason in ("forbidden", "delegation_inactive"):
        return frozenset(answer.because)
    if answer.reason == "outside_limits":
        found = nearest_way(charter.compiled, answer.role, answer.decision, answer.request)
        if found is not None:
            path = found[0]
            return frozenset((path.grant.rule, *(link.rule for link in path.links)))
    return frozenset()


@dataclass(frozen=True)
class Coverage:
    """Which grants, forbids and delegations the expectations exercised."""

    rules: tuple[Rule, ...]
    covered: frozenset[Rule]

    @property
    def missed(self) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r not in self.covered)

    @property
    def percent(self) -> float:
        return 100.0 if not self.rules else 100.0 * (len(self.rules) - len(self.missed)) / len(self.rules)


def coverage(charter: Charter, outcomes: list[Outcome]) -> Coverage:
    cc = charter.compiled
    rules = [g.rule for g in cc.grants if not g.propose] + [f.rule for f in cc.forbids] + \
        [d.rule for d in cc.delegations]
    rules.sort(key=lambda r: (r.span.line, r.span.column))
    covered = frozenset().union(*(o.exercised for o in outcomes)) if outcomes else frozenset()
    return Coverage(tuple(rules), covered)


def run(charter: Charter, today: date | None = None) -> list[Outcome]:
    return [check(charter, e, today) for e in charter.compiled.expects]


def to_diagnostic(charter: Charter, outcome: Outcome) -> Diagnostic:
    e = outcome.expect
    return Diagnostic(
        code=EXPECTATION_FAILED, severity=Severity.ERROR, path=charter.path, span=e.span,
        message="expectation not met: " + "; ".join(outcome.problems),
        notes=tuple(f"the engine answered: {line.strip()}" if i == 0 else line.strip()
                    for i, line in enumerate(outcome.answer_text.splitlines())),
        help="fix the charter, or the expectation if the charter is right",
        source=charter.source)
