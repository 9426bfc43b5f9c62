"""A small, obviously correct reference interpreter for charters (spec §9, law 9).

It reads the charter TEXT with a parser of its own (a hand-written tokenizer and
recursive descent below, written from the language reference, not from
`grammar/charter.lark`) and follows the definitions of the language reference
directly: plain recursion over the statements, no indexes, no caching, nothing
shared with `parse.py`, `model.py`, `compile.py`, `evaluate.py` or
`conditions.py` — so a parser bug (say, `not in` read as `in`) cannot hide behind
a shared parser. It is slow on purpose; the engine must agree with it.

It reads the language of Part I (§1–§7): what `decisionrights.testing` generates
and the examples use. Money literals are numbers; one with a currency code must
be in the charter's currency (the generators and examples never write another).
(`benchmarks/reference.py` also reads text on its own, but only the few line
shapes the benchmark writes — no `or`, `not`, dates, obligations or chains — so
it is not shared here.)

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
- Reason, when not allowed, the requester's own first: see `Reference.reason`,
  where the facts are worked out and then ranked in ONE place
  (`REASON_PRECEDENCE`): `forbidden` if a forbid matches the requester; else
  `delegation_inactive` if it would be allowed with delegation dates ignored;
  else `outside_limits` if the role has a way, with forbids and dates ignored,
  whose conditions do not hold; else `forbidden` if it has a way whose
  conditions hold (a forbid on a delegator blocks it, whatever its dates); else
  `not_granted`. (A forbid that binds only a delegator is the reason only when
  nothing nearer to the requester explains the no — issue 13, item 17.)
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

INFINITY = math.inf
KINDS = ("announce", "inform", "consult", "agreement")

Pair = tuple[str, str]


# -- reading the text ---------------------------------------------------------------

class ReadError(ValueError):
    """The reference cannot read the text (it reads only valid charters)."""


_TOKENS = re.compile(r"""
    (?P<skip>\s+|\#[^\n]*)
  | (?P<date>\d{4}-\d{2}-\d{2})(?![\w-])
  | (?P<number>-?\d[\d_]*(?:\.\d+)?[kM]?)(?![\w.])
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<op><=|>=|==|!=|<|>)
  | (?P<punct>[,:={}()\[\]])
  | (?P<word>[^\W\d]\w*)
""", re.VERBOSE)

_SCALE = {"k": 1_000, "M": 1_000_000}
_ESCAPES = {"n": "\n", "t": "\t"}


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    line: int
    column: int


def tokenize(text: str) -> list[Token]:
    out, pos, line, start_of_line = [], 0, 1, 0
    while pos < len(text):
        found = _TOKENS.match(text, pos)
        if found is None:
            raise ReadError(f"line {line}, column {pos - start_of_line + 1}: cannot read {text[pos:pos + 10]!r}")
        kind, piece = found.lastgroup, found.group()
        if kind != "skip":
            out.append(Token(kind, piece, line, pos - start_of_line + 1))
        newlines = piece.count("\n")
        if newlines:
            line += newlines
            start_of_line = pos + piece.rindex("\n") + 1
        pos = found.end()
    return out


def number_value(text: str) -> Decimal:
    """`250k` → 250000, `1.5M` → 1500000, `10_000` → 10000, `2.5` → 2.5."""
    text = text.replace("_", "")
    scale = _SCALE.get(text[-1], 1)
    return Decimal(text.rstrip("kM")) * scale


# The statements, as the reference keeps them. Conditions are nested tuples:
# ("cmp", attr, op, value) | ("in", attr, values, negated) | ("truth", attr)
# | ("and", items) | ("or", items) | ("not", item).

@dataclass(frozen=True)
class Other:
    """A statement that gives no authority: the header, `version`, `currency`."""

    what: str


@dataclass(frozen=True)
class FlowsUp:
    pass


@dataclass(frozen=True)
class Roles:
    names: tuple[str, ...]
    boss: str | None


@dataclass(frozen=True)
class Attribute:
    name: str
    kind: str  # money, number, bool, text, date or enum
    members: tuple[str, ...] = ()
    default: Any = None


@dataclass(frozen=True)
class Decision:
    name: str
    attributes: tuple[Attribute, ...]


@dataclass(frozen=True)
class Grant:
    role: str
    decision: str
    condition: Any
    obligations: frozenset[Pair]
    propose: bool = False


@dataclass(frozen=True)
class Forbid:
    role: str | None  # None: nobody
    decision: str
    condition: Any


@dataclass(frozen=True)
class Delegation:
    delegator: str
    decision: str
    delegate: str
    condition: Any = None
    start: date | None = None
    end: date | None = None
    obligations: frozenset[Pair] = frozenset()
    further: float = 0
    """Further links it permits: 0 without `may subdelegate`, N with `up to N levels`, else infinity."""


@dataclass(frozen=True)
class Escalate:
    decision: str
    role: str


@dataclass(frozen=True)
class Expect:
    role: str
    allowed: bool
    decision: str
    attributes: dict[str, Any] = field(hash=False)
    on: date | None
    escalates_to: tuple[str, ...] | None
    obligations: frozenset[Pair]
    line: int


class Reader:
    """Recursive descent over the tokens, one method per kind of statement."""

    def __init__(self, text: str):
        self.tokens = tokenize(text)
        self.pos = 0
        self.currency: str | None = None

    # -- tokens
    def peek(self, ahead: int = 0) -> Token | None:
        i = self.pos + ahead
        return self.tokens[i] if i < len(self.tokens) else None

    def at(self, *texts: str, ahead: int = 0) -> bool:
        tok = self.peek(ahead)
        return tok is not None and tok.text in texts and tok.kind in ("word", "op", "punct")

    def take(self, kind: str | None = None, text: str | None = None) -> Token:
        tok = self.peek()
        if tok is None or (kind is not None and tok.kind != kind) or (text is not None and tok.text != text):
            where = f"line {tok.line}, column {tok.column}" if tok else "the end"
            raise ReadError(f"{where}: expected {text or kind}, found {tok.text if tok else 'nothing'!r}")
        self.pos += 1
        return tok

    def word(self) -> str:
        return self.take("word").text

    def words(self) -> tuple[str, ...]:
        out = [self.word()]
        while self.at(","):
            self.take()
            out.append(self.word())
        return tuple(out)

    # -- literals
    def literal(self) -> Any:
        tok = self.take()
        if tok.kind == "number":
            value = number_value(tok.text)
            nxt = self.peek()
            if nxt is not None and nxt.kind == "word" and re.fullmatch(r"[A-Z]{3}", nxt.text) \
                    and nxt.line == tok.line:
                self.take()
                if self.currency is not None and nxt.text != self.currency:
                    raise ReadError(f"line {nxt.line}: money in {nxt.text}, the charter's currency is {self.currency}")
            return value
        if tok.kind == "date":
            return date.fromisoformat(tok.text)
        if tok.kind == "string":
            return re.sub(r"\\(.)", lambda e: _ESCAPES.get(e.group(1), e.group(1)), tok.text[1:-1])
        if tok.kind == "word":
            return {"true": True, "false": False}.get(tok.text, tok.text)
        raise ReadError(f"line {tok.line}, column {tok.column}: not a value: {tok.text!r}")

    def literal_list(self) -> tuple[Any, ...]:
        self.take("punct", "[")
        values = [self.literal()]
        while self.at(","):
            self.take()
            values.append(self.literal())
        self.take("punct", "]")
        return tuple(values)

    # -- conditions: or > and > not > atom
    def condition(self) -> Any:
        items = [self.conjunction()]
        while self.at("or"):
            self.take()
            items.append(self.conjunction())
        return items[0] if len(items) == 1 else ("or", tuple(items))

    def conjunction(self) -> Any:
        items = [self.negation()]
        while self.at("and"):
            self.take()
            items.append(self.negation())
        return items[0] if len(items) == 1 else ("and", tuple(items))

    def negation(self) -> Any:
        if self.at("not"):
            self.take()
            return ("not", self.negation())
        return self.atom()

    def atom(self) -> Any:
        if self.at("("):
            self.take()
            inner = self.condition()
            self.take("punct", ")")
            return inner
        attr = self.word()
        nxt = self.peek()
        if nxt is not None and nxt.kind == "op":
            self.take()
            return ("cmp", attr, nxt.text, self.literal())
        if self.at("in"):
            self.take()
            return ("in", attr, self.literal_list(), False)
        if self.at("not") and self.at("in", ahead=1):
            self.take()
            self.take()
            return ("in", attr, self.literal_list(), True)
        return ("truth", attr)

    # -- clauses
    def when(self) -> Any:
        if self.at("when"):
            self.take()
            return self.condition()
        return None

    def obligation(self) -> list[Pair] | None:
        """One obligation clause, or None if none starts here."""
        if self.at("announce", "inform", "consult"):
            kind = self.word()
            return [(kind, r) for r in self.words()]
        if self.at("with") and self.at("agreement", ahead=1):
            self.take()
            self.take()
            self.take("word", "of")
            return [("agreement", r) for r in self.words()]
        return None

    def obligations(self) -> frozenset[Pair]:
        out: list[Pair] = []
        while (more := self.obligation()) is not None:
            out += more
        return frozenset(out)

    # -- statements
    def statements(self) -> list[Any]:
        out = []
        while self.peek() is not None:
            out.append(self.statement())
        return out

    def statement(self) -> Any:
        tok = self.peek()
        first = tok.text
        if first == "charter":
            self.take()
            self.take("string")
            return Other("header")
        if first == "version":
            self.take()
            self.take("number")
            return Other("version")
        if first == "currency":
            self.take()
            self.currency = self.word()
            return Other("currency")
        if first == "authority":
            for w in ("authority", "flows", "up"):
                self.take("word", w)
            return FlowsUp()
        if first == "role":
            self.take()
            names = self.words()
            boss = None
            if self.at("reports"):
                self.take()
                self.take("word", "to")
                boss = self.word()
            return Roles(names, boss)
        if first == "decision":
            return self.decision()
        if first == "escalate":
            self.take()
            decision = self.word()
            self.take("word", "to")
            return Escalate(decision, self.word())
        if first == "expect":
            return self.expect()
        if first == "nobody":
            self.take()
            self.take("word", "may")
            self.take("word", "decide")
            return Forbid(None, self.word(), self.when())
        role = self.word()
        if self.at("delegates"):
            return self.delegation(role)
        self.take("word", "may")
        if self.at("not"):
            self.take()
            self.take("word", "decide")
            return Forbid(role, self.word(), self.when())
        verb = self.take("word").text
        if verb not in ("decide", "propose"):
            raise ReadError(f"line {tok.line}: `{role} may {verb}` is not a statement")
        decision = self.word()
        condition = self.when()
        return Grant(role, decision, condition, self.obligations(), propose=verb == "propose")

    def decision(self) -> Decision:
        self.take("word", "decision")
        name = self.word()
        if self.peek() is not None and self.peek().kind == "string":
            self.take()
        self.take("punct", "{")
        attrs = []
        while not self.at("}"):
            attr = self.word()
            self.take("punct", ":")
            if self.at("one"):
                self.take()
                self.take("word", "of")
                kind, members = "enum", self.words()
            else:
                kind, members = self.word(), ()
                if kind not in ("money", "number", "bool", "text", "date"):
                    raise ReadError(f"`{attr}`: no type {kind!r}")
            default = None
            if self.at("="):
                self.take()
                default = self.literal()
            attrs.append(Attribute(attr, kind, members, default))
        self.take("punct", "}")
        return Decision(name, tuple(attrs))

    def delegation(self, delegator: str) -> Delegation:
        self.take("word", "delegates")
        decision = self.word()
        self.take("word", "to")
        delegate = self.word()
        condition, start, end, obligations, further = None, None, None, [], 0.0
        while True:
            if self.at("when"):
                condition = self.when()
            elif self.at("from"):
                self.take()
                start = date.fromisoformat(self.take("date").text)
            elif self.at("until"):
                self.take()
                end = date.fromisoformat(self.take("date").text)
            elif self.at("may") and self.at("subdelegate", ahead=1):
                self.take()
                self.take()
                further = INFINITY
                if self.at("up"):
                    self.take()
                    self.take("word", "to")
                    further = int(self.take("number").text.replace("_", ""))
                    self.take("word", "level" if further == 1 else "levels")
            elif (more := self.obligation()) is not None:
                obligations += more
            else:
                break
        return Delegation(delegator, decision, delegate, condition, start, end, frozenset(obligations), further)

    def expect(self) -> Expect:
        line = self.take("word", "expect").line
        role = self.word()
        self.take("word", "may")
        allowed = not self.at("not")
        if not allowed:
            self.take()
        self.take("word", "decide")
        decision = self.word()
        attrs: dict[str, Any] = {}
        if self.at("with") and not self.at("agreement", ahead=1):
            self.take()
            while True:
                name = self.word()
                self.take("punct", "=")
                attrs[name] = self.literal()
                if not self.at(","):
                    break
                self.take()
        on, escalates, obligations = None, None, []
        while True:
            if self.at("on"):
                self.take()
                on = date.fromisoformat(self.take("date").text)
            elif self.at("escalates"):
                self.take()
                self.take("word", "to")
                if self.at("nobody"):
                    self.take()
                    escalates = ()
                else:
                    escalates = self.words()
            elif (more := self.obligation()) is not None:
                obligations += more
            else:
                break
        return Expect(role, allowed, decision, attrs, on, escalates, frozenset(obligations), line)


def read(text: str) -> list[Any]:
    """The statements of a charter's text, in order, as the reference keeps them."""
    return Reader(str(text)).statements()


# -- the meaning ---------------------------------------------------------------------

@dataclass(frozen=True)
class Way:
    """One way for a role to decide: what it must do, and how much further it may pass on."""

    obligations: frozenset[Pair]
    remaining: float
    root: int
    """Index (in the charter's statements) of the grant this way rests on."""
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

_COMPARE = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b,
}


class Reference:
    def __init__(self, text: str, skip: frozenset[int] = frozenset()):
        """The charter `text`, read by `read`; `skip`: indexes of statements to act as if not there."""
        self.statements = tuple(read(text))
        self.skip = skip

    @classmethod
    def from_text(cls, text: str) -> Reference:
        return cls(text)

    def without(self, index: int) -> Reference:
        """The same charter, acting as if statement `index` were not there."""
        other = Reference.__new__(Reference)
        other.statements, other.skip = self.statements, self.skip | {index}
        return other

    # -- what the charter declares ---------------------------------------------

    def _live(self) -> list[tuple[int, Any]]:
        return [(i, s) for i, s in enumerate(self.statements) if i not in self.skip]

    def of_kind(self, kind: type) -> list[tuple[int, Any]]:
        """The statements of one kind (`Grant`, `Forbid`, `Delegation`, …) with their indexes."""
        return [(i, s) for i, s in self._live() if isinstance(s, kind)]

    def roles(self) -> list[str]:
        return [n for _, s in self.of_kind(Roles) for n in s.names]

    def manager(self, role: str) -> str | None:
        for _, s in self.of_kind(Roles):
            if role in s.names:
                return s.boss
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
        return bool(self.of_kind(FlowsUp))

    def decision(self, name: str) -> Decision:
        for _, s in self.of_kind(Decision):
            if s.name == name:
                return s
        raise KeyError(name)

    def complete(self, decision: str, attributes: Mapping[str, Any]) -> dict[str, Any]:
        """The request's attributes with defaults filled in."""
        values = dict(attributes)
        for attr in self.decision(decision).attributes:
            if attr.name not in values and attr.default is not None:
                values[attr.name] = attr.default
        return values

    def escalation_start(self, decision: str) -> str | None:
        for _, s in self.of_kind(Escalate):
            if s.decision == decision:
                return s.role
        return None

    def expects(self) -> list[Expect]:
        return [s for _, s in self.of_kind(Expect)]

    # -- conditions --------------------------------------------------------------

    def holds(self, cond: Any, values: Mapping[str, Any]) -> bool:
        if cond is None:
            return True
        kind = cond[0]
        if kind == "cmp":
            _, attr, op, value = cond
            return _COMPARE[op](values[attr], value)
        if kind == "in":
            _, attr, listed, negated = cond
            inside = any(values[attr] == v for v in listed)
            return not inside if negated else inside
        if kind == "truth":
            return values[cond[1]] is True
        if kind == "and":
            return all(self.holds(c, values) for c in cond[1])
        if kind == "or":
            return any(self.holds(c, values) for c in cond[1])
        if kind == "not":
            return not self.holds(cond[1], values)
        raise TypeError(cond)

    @staticmethod
    def in_dates(d: Delegation, on: date) -> bool:
        after_start = d.start is None or d.start <= on
        before_end = d.end is None or on <= d.end
        return after_start and before_end

    @staticmethod
    def sub(d: Delegation) -> float:
        return d.further

    # -- the definitions ---------------------------------------------------------

    def forbidden(self, role: str, decision: str, values: Mapping[str, Any], mode: Mode = FULL) -> bool:
        """Does a forbid match `role` for this request?"""
        if not mode.forbids:
            return False
        return any(s.decision == decision and s.role in (None, role) and self.holds(s.condition, values)
                   for _, s in self.of_kind(Forbid))

    def ways(self, role: str, decision: str, values: Mapping[str, Any], on: date,
             chain: frozenset[str] | None = None, mode: Mode = FULL) -> set[Way]:
        """Every way `role` may decide the request; `chain` holds the roles already in it."""
        chain = frozenset({role}) if chain is None else chain
        if self.forbidden(role, decision, values, mode):
            return set()
        cond_ok = (lambda c: self.holds(c, values)) if mode.conditions else (lambda c: True)
        flows_up = self.flows_up()
        out: set[Way] = set()
        for i, s in self.of_kind(Grant):
            if s.propose or s.decision != decision:
                continue
            mine = s.role == role or (flows_up and self.reports_to(s.role, role))
            if mine and cond_ok(s.condition):
                out.add(Way(s.obligations, INFINITY, i))
        for i, s in self.of_kind(Delegation):
            if s.decision != decision or s.delegate != role:
                continue
            if s.delegator in chain or not cond_ok(s.condition):
                continue
            if mode.dates and not self.in_dates(s, on):
                continue
            for w in self.ways(s.delegator, decision, values, on, chain | {s.delegator}, mode):
                if w.remaining >= 1:
                    out.add(Way(w.obligations | s.obligations, min(w.remaining - 1, s.further),
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

    def reason_facts(self, role: str, decision: str, values: Mapping[str, Any], on: date) -> dict[str, bool]:
        """What is true of a "no", each fact on its own; `reason` ranks them."""
        # Ways whose conditions hold, whatever their dates: with forbids ignored, and kept.
        loose = self.ways(role, decision, values, on, mode=Mode(forbids=False, dates=False))
        kept = self.ways(role, decision, values, on, mode=Mode(dates=False))
        every = self.ways(role, decision, values, on, mode=Mode(forbids=False, dates=False, conditions=False))
        return {
            # A forbid matches the requester itself.
            "own_forbid": self.forbidden(role, decision, values),
            # A way in whose conditions hold and that no forbid blocks, but for its dates.
            "inactive": bool(kept),
            # A way in (forbids and dates ignored) whose conditions this request does not meet.
            "missed_limits": every != loose,
            # A forbid on a delegator blocks a way in whose conditions hold (whatever its dates).
            "delegator_forbid": loose != kept,
        }

    # THE PRECEDENCE of the reasons of a "no" (spec §8, docs/semantics.md step 5), in one place:
    # the first fact that holds gives the reason; none gives `not_granted`. The requester's own
    # reasons come first; a forbid that binds only a delegator is the reason only when nothing
    # nearer to the requester explains the no (issue 13, item 17). A way both out of its dates
    # and through a forbidden delegator is not `inactive` (no date helps): it stays `forbidden`.
    # If the contract changes which reason a corner case gets, change this table and only this.
    REASON_PRECEDENCE: tuple[tuple[str, str], ...] = (
        ("own_forbid", "forbidden"),
        ("inactive", "delegation_inactive"),
        ("missed_limits", "outside_limits"),
        ("delegator_forbid", "forbidden"),
    )

    def reason(self, role: str, decision: str, values: Mapping[str, Any], on: date) -> str:
        facts = self.reason_facts(role, decision, values, on)
        for fact, reason in self.REASON_PRECEDENCE:
            if facts[fact]:
                return reason
        return "not_granted"
