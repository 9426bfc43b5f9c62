"""Text → model. The only module that imports lark; its errors become diagnostics here."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Callable

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from . import model as m
from ..diagnostics import Diagnostic, Label, Severity
from ..errors import ParseError
from ..source import Source, Span, make_span
from ..values import BadValue, foreign_digit, parse_date, parse_money, parse_number

SYNTAX = "DR001"
LIMIT = "DR002"
BAD_LITERAL = "DR003"
NO_HEADER = "DR004"
RESERVED = "DR006"
HIDDEN_TEXT = "DR007"

MAX_SYNTAX_ERRORS = 100
"""After this many syntax errors in one file, the parser stops looking for more."""


@dataclass(frozen=True)
class Limits:
    """Bounds on what the parser accepts, so hostile input fails fast and clearly (docs/limits.md).

    `max_bytes`: the size of the text, in UTF-8 bytes. `max_nesting`: how deep
    a condition may nest — parentheses, and `not`/`and`/`or` inside each
    other; at most `MAX_NESTING` (100) takes effect. `max_line_length`: the
    longest line, in characters.
    """

    max_bytes: int = 1024 * 1024  # 250 times the largest example; docs/limits.md has load times
    max_nesting: int = 64
    max_line_length: int = 10_000


DEFAULT_LIMITS = Limits()

MAX_NESTING = 100
"""The deepest condition this library answers, whatever `Limits.max_nesting` says.

The generated fast path (`_codegen`) nests one Python expression per level,
and Python's own parser refuses about 200; the analyses walk conditions
recursively. Up to here everything works, with room to spare; a deeper
condition is the located `DR002` limit error, never a `SyntaxError` or a
`RecursionError`.
"""


def _nesting_bound(limits: Limits) -> tuple[int, str]:
    """The nesting bound in force, and the help line for a condition over it."""
    if limits.max_nesting < MAX_NESTING:
        return limits.max_nesting, "simplify the condition, or raise decisionrights.Limits(max_nesting=…)"
    return MAX_NESTING, f"simplify the condition: {MAX_NESTING} levels is the most any charter may nest, " \
                        f"whatever Limits(max_nesting=…) says"


def _grammar_text() -> str:
    packaged = resources.files("decisionrights").joinpath("grammar/charter.lark")
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    # A source checkout (editable install): the grammar sits at the repository root.
    return (Path(__file__).resolve().parents[3] / "grammar" / "charter.lark").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _parser() -> Lark:
    # Every token stays in the tree (`keep_all_tokens`): `_build` works out each node's span from its
    # first and last token, keywords included, cheaper than lark's `propagate_positions`.
    return Lark(_grammar_text(), parser="lalr", lexer="contextual", keep_all_tokens=True,
                maybe_placeholders=False)


_new_object = object.__new__
_set = object.__setattr__
_FIELDS_SET = {cls: set(cls.model_fields) for cls in vars(m).values()
               if isinstance(cls, type) and issubclass(cls, m.Node)}


def _node(cls: type[m.Node], **fields: Any) -> Any:
    """A model node from every one of its fields, which the grammar already shaped.

    What pydantic's `model_construct` does, without its per-field lookups of
    aliases and defaults (measured: 0.9 µs a node instead of 3.1 µs; a
    2,000-role charter builds 130,000 nodes): each caller passes every field
    (a test checks it on every example), and nodes share their class's set of
    fields set, which a frozen node never changes.
    """
    node = _new_object(cls)
    _set(node, "__dict__", fields)
    _set(node, "__pydantic_fields_set__", _FIELDS_SET[cls])
    _set(node, "__pydantic_extra__", None)
    _set(node, "__pydantic_private__", None)
    return node


def _span_of(obj: Any) -> Span:
    """The span of a token, or of a node (whose `meta` is its span already: see `_build`)."""
    if type(obj) is Span:
        return obj
    return make_span(obj.line, obj.column, obj.end_line, obj.end_column)


class _LiteralError(Exception):
    def __init__(self, message: str, span: Span, help: str | None = None, code: str = BAD_LITERAL):
        super().__init__(message)
        self.message = message
        self.span = span
        self.help = help
        self.code = code


_FREE_WORDS = frozenset({"money", "number", "bool", "text", "date", "level", "levels"})
"""Words of the language that may still name things: the contextual lexer tells them apart."""


@lru_cache(maxsize=1)
def reserved_words() -> frozenset[str]:
    """The reserved words: every word of the grammar but the type names and `level(s)`."""
    words = {t.pattern.value for t in _parser().terminals
             if t.pattern.type == "str" and t.pattern.value.isidentifier()}
    return frozenset(words - _FREE_WORDS)


def _check_declared(name: m.Name, what: str) -> None:
    """A declared name may not be a keyword: `role nobody` would turn its grants into forbids."""
    if name.value in reserved_words():
        raise _LiteralError(f"`{name.value}` is a keyword of the charter language, so it cannot name {what}",
                            name.span, "choose another name; keywords are reserved wherever a name is expected",
                            RESERVED)
    keyword = name.value.casefold()
    if keyword in reserved_words():  # `role Nobody`: `Nobody may decide …` would read as a forbid, but is a grant
        raise _LiteralError(f"`{name.value}` is the keyword `{keyword}` in other letters, so it cannot name {what}",
                            name.span, "choose another name; keywords are reserved in every case "
                                       "(`Nobody`, `NOBODY` and `nobody` alike)", RESERVED)


_OBLIGATIONS = {"announce", "inform", "consult", "agreement"}


class _ToModel:
    """lark parse tree → model nodes (built unvalidated: the grammar already shaped them).

    One method per rule of the grammar, called with the node's `meta` and its
    children already turned into model nodes (tokens stay tokens); `_build`
    walks the tree.
    """

    # -- names and literals (a NAME token reaches its parent as a Name: see _build) ----
    def name_list(self, meta, children):
        return tuple(children)

    def _lit(self, tok: Token, kind: str, value: Any, currency: str | None = None) -> m.Literal:
        return _node(m.Literal, span=_span_of(tok), kind=kind, value=value, currency=currency,
                     text=str(tok))

    def number(self, meta, children):
        tok = children[0]
        try:
            return self._lit(tok, "number", parse_number(str(tok)))
        except BadValue as exc:
            raise _LiteralError(str(exc), _span_of(tok)) from None

    def money(self, meta, children):
        tok = children[0]
        try:
            value, currency = parse_money(str(tok))
        except BadValue as exc:
            raise _LiteralError(str(exc), _span_of(tok)) from None
        return self._lit(tok, "money", value, currency)

    def date(self, meta, children):
        tok = children[0]
        try:
            return self._lit(tok, "date", parse_date(str(tok)))
        except BadValue as exc:
            raise _LiteralError(str(exc), _span_of(tok)) from None

    def text(self, meta, children):
        tok = children[0]
        return self._lit(tok, "text", _unquote(str(tok)))

    def true(self, meta, children):
        return _node(m.Literal, span=_span_of(meta), kind="bool", value=True, currency=None, text="true")

    def false(self, meta, children):
        return _node(m.Literal, span=_span_of(meta), kind="bool", value=False, currency=None, text="false")

    def bare(self, meta, children):
        name = children[0]
        return _node(m.Literal, span=name.span, kind="name", value=name.value, currency=None,
                     text=name.value)

    def value_list(self, meta, children):
        return tuple(children)

    # -- conditions ---------------------------------------------------------
    def compare(self, meta, children):
        attr, op, value = children
        return _node(m.Compare, span=_span_of(meta), attr=attr, op=str(op), value=value)

    def member(self, meta, children):
        attr, values = children
        return _node(m.Membership, span=_span_of(meta), attr=attr, values=values, negated=False)

    def not_member(self, meta, children):
        attr, values = children
        return _node(m.Membership, span=_span_of(meta), attr=attr, values=values, negated=True)

    def truth(self, meta, children):
        return _node(m.Truth, span=_span_of(meta), attr=children[0])

    def or_cond(self, meta, children):
        return _node(m.Or, span=_span_of(meta), items=tuple(children))

    def and_cond(self, meta, children):
        return _node(m.And, span=_span_of(meta), items=tuple(children))

    def not_(self, meta, children):
        return _node(m.Not, span=_span_of(meta), item=children[0])

    def when(self, meta, children):
        return ("when", children[0])

    # -- obligations --------------------------------------------------------
    def _obligation(self, kind: str, meta, children) -> m.Obligation:
        return _node(m.Obligation, span=_span_of(meta), kind=kind, roles=children[0])

    def announce(self, meta, children):
        return self._obligation("announce", meta, children)

    def inform(self, meta, children):
        return self._obligation("inform", meta, children)

    def consult(self, meta, children):
        return self._obligation("consult", meta, children)

    def agreement(self, meta, children):
        return self._obligation("agreement", meta, children)

    # -- statements ---------------------------------------------------------
    def header(self, meta, children):
        return _node(m.Header, span=_span_of(meta), title=_unquote(str(children[0])))

    def version(self, meta, children):
        tok = children[0]
        value = self.number(meta, [tok])
        if not isinstance(value.value, int) or value.value < 0:
            raise _LiteralError(f"`{tok}` is not a version: a version is a whole number, like `version 3`",
                                _span_of(tok))
        return _node(m.Version, span=_span_of(meta), value=value)

    def currency(self, meta, children):
        return _node(m.Currency, span=_span_of(meta), code=children[0])

    def flows_up(self, meta, children):
        return _node(m.FlowsUp, span=_span_of(meta))

    def reports_to(self, meta, children):
        return children[0]

    def role_decl(self, meta, children):
        names = children[0]
        for name in names:
            _check_declared(name, "a role")
        boss = children[1] if len(children) > 1 else None
        return _node(m.RoleDecl, span=_span_of(meta), names=names, reports_to=boss)

    def simple_type(self, meta, children):
        return _node(m.AttrType, span=_span_of(meta), kind=str(children[0]), members=())

    def enum_type(self, meta, children):
        for member in children[0]:
            _check_declared(member, "a choice")
        return _node(m.AttrType, span=_span_of(meta), kind="enum", members=children[0])

    def default(self, meta, children):
        return children[0]

    def attribute(self, meta, children):
        name, typ = children[0], children[1]
        _check_declared(name, "an attribute")
        default = children[2] if len(children) > 2 else None
        return _node(m.AttributeDecl, span=_span_of(meta), name=name, type=typ, default=default)

    def decision_decl(self, meta, children):
        name = children[0]
        _check_declared(name, "a decision")
        rest = children[1:]
        title = None
        if rest and isinstance(rest[0], Token):
            title = _unquote(str(rest[0]))
            rest = rest[1:]
        return _node(m.DecisionDecl, span=_span_of(meta), name=name, title=title,
                     attributes=tuple(rest))

    def _grant(self, meta, children, propose: bool) -> m.Grant:
        role, decision, *rest = children
        condition = None
        obligations = []
        for item in rest:
            if isinstance(item, tuple) and item[0] == "when":
                condition = item[1]
            else:
                obligations.append(item)
        return _node(m.Grant, span=_span_of(meta), role=role, decision=decision, propose=propose,
                     condition=condition, obligations=tuple(obligations))

    def grant_decide(self, meta, children):
        return self._grant(meta, children, False)

    def grant_propose(self, meta, children):
        return self._grant(meta, children, True)

    def forbid_role(self, meta, children):
        role, decision, *rest = children
        return _node(m.Forbid, span=_span_of(meta), role=role, decision=decision,
                     condition=rest[0][1] if rest else None)

    def forbid_all(self, meta, children):
        decision, *rest = children
        return _node(m.Forbid, span=_span_of(meta), role=None, decision=decision,
                     condition=rest[0][1] if rest else None)

    def start_date(self, meta, children):
        return ("from", self.date(meta, children))

    def end_date(self, meta, children):
        return ("until", self.date(meta, children))

    def subdelegate(self, meta, children):
        levels = None
        if children:
            levels = self.number(meta, [children[0]]).value  # a bad number is a located error, as everywhere
            if not isinstance(levels, int) or levels < 0:
                raise _LiteralError("the number of levels must be a whole number, 0 or more",
                                    _span_of(children[0]))
        return _node(m.Subdelegate, span=_span_of(meta), levels=levels)

    def delegation(self, meta, children):
        delegator, decision, delegate, *clauses = children
        fields: dict[str, Any] = {"condition": None, "start": None, "end": None, "subdelegate": None}
        obligations = []
        labels = {"when": "condition", "from": "start", "until": "end"}
        for clause in clauses:
            if isinstance(clause, tuple):
                key = labels[clause[0]]
                value = clause[1]
                if fields[key] is not None:
                    span = value.span
                    raise _LiteralError(f"this delegation already has a `{clause[0]}` clause", span)
                fields[key] = value
            elif isinstance(clause, m.Subdelegate):
                if fields["subdelegate"] is not None:
                    raise _LiteralError("this delegation already says `may subdelegate`", clause.span)
                fields["subdelegate"] = clause
            else:
                obligations.append(clause)
        return _node(m.Delegation, span=_span_of(meta), delegator=delegator, decision=decision,
                     delegate=delegate, obligations=tuple(obligations), **fields)

    def escalate(self, meta, children):
        return _node(m.Escalate, span=_span_of(meta), decision=children[0], role=children[1])

    def assignment(self, meta, children):
        return _node(m.Assignment, span=_span_of(meta), attr=children[0], value=children[1])

    def expect_with(self, meta, children):
        return ("with", tuple(children))

    def expect_on(self, meta, children):
        return ("on", self.date(meta, children))

    def escalates_nobody(self, meta, children):
        return ("escalates", ())

    def escalates_roles(self, meta, children):
        return ("escalates", children[0])

    def negation_word(self, meta, children):
        return ("not", True)

    def expect(self, meta, children):
        role, *rest = children
        allowed = True
        if rest and isinstance(rest[0], tuple) and rest[0][0] == "not":
            allowed = False
            rest = rest[1:]
        decision, *rest = rest
        fields: dict[str, Any] = {"attributes": (), "on": None, "escalates_to": None}
        obligations = []
        given: set[str] = set()
        for item in rest:
            if isinstance(item, tuple):
                key = {"with": "attributes", "on": "on", "escalates": "escalates_to"}[item[0]]
                if key in given:
                    word = {"on": "`on DATE`", "escalates_to": "`escalates to`"}.get(key, "`with`")
                    raise _LiteralError(f"this expectation already has {word}", _span_of(meta))
                given.add(key)
                fields[key] = item[1]
            else:
                obligations.append(item)
        return _node(m.Expect, span=_span_of(meta), role=role, allowed=allowed, decision=decision,
                     obligations=tuple(obligations), **fields)

    def atom(self, meta, children):  # `( condition )`: the condition (a statement's span takes in the brackets)
        return children[0]

    def start(self, meta, children):
        span = meta if meta is not None else Span(1, 1, 1, 1)
        return _node(m.CharterModel, span=span, statements=tuple(children))


def _unquote(text: str) -> str:
    body = text[1:-1]
    return re.sub(r"\\(.)", lambda mt: {"n": "\n", "t": "\t"}.get(mt.group(1), mt.group(1)), body)


# -- errors -------------------------------------------------------------------

_WORDS = {
    "NAME": "a name",
    "NUMBER": "a number",
    "MONEY": "an amount with a currency",
    "DATE": "a date (YYYY-MM-DD)",
    "STRING": 'a quoted text ("…")',
    "COMPARATOR": "a comparison (<, <=, >, >=, ==, !=)",
    "TYPE_NAME": "a type (money, number, bool, text, date or `one of …`)",
    "LEVEL_WORD": "`level` or `levels`",
    "$END": "the end of the file",
}


def _describe_terminal(name: str) -> str:
    if name in _WORDS:
        return _WORDS[name]
    for term in _parser().terminals:
        if term.name == name and term.pattern.type == "str":
            return f"`{term.pattern.value}`"
    return name.lower()


def _describe_expected(expected: set[str]) -> str:
    if "TYPE_NAME" in expected:
        expected = expected - {"ONE"}  # the type's description names `one of …`
    words = sorted({_describe_terminal(t) for t in expected if not t.startswith("__")})
    if not words:
        return "something else"
    if len(words) > 8:
        return "a new statement or the rest of this one"
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


_STATEMENT_STARTS = {"CHARTER", "VERSION", "CURRENCY", "AUTHORITY", "ROLE", "DECISION", "NOBODY",
                     "ESCALATE", "EXPECT"}


_STATEMENT_WORDS = ("charter", "version", "currency", "authority", "role", "decision", "nobody", "escalate",
                    "expect")
_PUNCTUATION = set('"#(),:=<>![]{}-._')
_OPENERS = {"(": ")", "[": "]", "{": "}"}
_SCAN = re.compile(r'"(?:[^"\\\n]|\\.)*"?|#[^\n]*|[()\[\]{}\n]')


def _offset(text: str, line: int, column: int) -> int:
    """The index into `text` of a 1-based line and column."""
    pos = 0
    for _ in range(line - 1):
        nxt = text.find("\n", pos)
        if nxt < 0:
            return len(text)
        pos = nxt + 1
    return min(pos + column - 1, len(text))


def _words_before(text: str, pos: int, count: int = 2) -> list[str]:
    """The last `count` words (or symbols) before `pos`, comments left out, nearest last."""
    lines = text[:pos].split("\n")
    words: list[str] = []
    for line in reversed(lines[-20:]):
        if "#" in line and '"' not in line:
            line = line.split("#", 1)[0]
        words[:0] = re.findall(r'"[^"\n]*"?|[^\W\d]\w*|[\w.\-]+|\S', line)
        if len(words) >= count:
            break
    return words[-count:]


def _unclosed(text: str, pos: int) -> tuple[str, int] | None:
    """The innermost bracket opened before `pos` and never closed in the whole text: (bracket, offset)."""
    stack: list[tuple[str, int]] = []
    for found in _SCAN.finditer(text):
        ch = found.group()
        if ch in _OPENERS:
            stack.append((ch, found.start()))
        elif ch in (")", "]", "}") and stack and _OPENERS[stack[-1][0]] == ch:
            stack.pop()
    before = [item for item in stack if item[1] < pos]
    return before[-1] if before else None


def _position(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


def _char_name(char: str) -> str:
    return f"U+{ord(char):04X}" + (f" {unicodedata.name(char)}" if unicodedata.name(char, "") else "")


def _close_keyword(word: str, among: Any = None) -> str | None:
    """The keyword `word` most likely misspells (never `word` itself), among `among` or all of them."""
    words = sorted(set(among if among is not None else reserved_words()) - {word})
    close = difflib.get_close_matches(word.lower(), words, n=1, cutoff=0.6)
    return close[0] if close else None


def _expected_keywords(expected: set[str]) -> list[str]:
    """The keywords among lark's expected terminals (`DECIDE` → `decide`)."""
    found = []
    for term in _parser().terminals:
        if term.name in expected and term.pattern.type == "str" and term.pattern.value.isidentifier():
            found.append(term.pattern.value)
    return found


def _error_to_diagnostic(err: UnexpectedInput, source: Source) -> Diagnostic:
    text = source.text
    help_text = None
    labels: tuple[Label, ...] = ()
    if isinstance(err, UnexpectedToken):
        tok = err.token
        at_end = tok.type == "$END"
        if at_end:
            line = err.line if err.line > 0 else source.line_count()
            span = Span.point(line, max(err.column, 1))
            pos = len(text)
            shown = "the end of the file"
            message = f"the charter ends in the middle of a statement; expected {_describe_expected(err.expected)}"
        else:
            span = _span_of(tok)
            pos = tok.start_pos if tok.start_pos is not None else _offset(text, span.line, span.column)
            shown = str(tok)
            message = f"unexpected `{shown}`; expected {_describe_expected(err.expected)}"
        before = _words_before(text, pos, 3)
        prev = before[-1] if before else ""
        line_words = source.line(span.line).split()
        opened = _unclosed(text, pos)
        if prev == "nobody" and err.expected and err.expected <= {"MAY", "DELEGATES"}:
            help_text = "`nobody` starts a rule for every role: `nobody may decide DECISION when …`"
        elif err.expected and err.expected <= {"MAY", "DELEGATES"} and prev.isidentifier():
            # The statement began with a word that is not a keyword, so it reads as a role's name.
            amount = len(before) >= 2 and re.fullmatch(r"-?\d[\d_]*(\.\d+)?[kM]?", before[-2])
            if amount and re.fullmatch(r"[^\W\d_]+", prev):
                message = (f"`{before[-2]} {prev}` is not an amount: money takes a currency code of three "
                           f"capital letters")
                code = prev.upper() if len(prev) == 3 else "EUR"
                help_text = f"write `{before[-2]} {code}`"
                start = text.rfind(prev, 0, pos)
                if start >= 0:
                    line, column = _position(text, start)
                    span = Span(line, column, line, column + len(prev))
            else:
                where = "the file ends" if at_end else f"`{shown}` follows"
                message = (f"`{prev}` is not a keyword, so this reads as a rule for a role named `{prev}`, "
                           f"but {where} where `may` or `delegates` should")
                guess = _close_keyword(prev)
                help_text = (f"did you mean `{guess}`?" if guess else
                             "a statement starts with a keyword (`role`, `decision`, `expect`, …) or with a "
                             "role's name and `may` or `delegates`")
        elif (len(line_words) >= 2 and line_words[0] in _STATEMENT_WORDS
              and line_words[1] in ("may", "delegates")):
            help_text = (f"`{line_words[0]}` starts a statement of its own, so it cannot be a role's name; "
                         f"rename the role")
        elif shown == "=" and "COMPARATOR" in err.expected:
            message = "unexpected `=`: a condition compares with `==`, `!=`, `<`, `<=`, `>` or `>=`"
            help_text = "write `==` to test for a value"
        elif "DATE" in err.expected and not at_end and re.match(r"\d+-\d+-\d+", text[pos:pos + 12]):
            word = re.match(r"[\w\-]+", text[pos:pos + 40]).group()  # type: ignore[union-attr]
            message = f"`{word}` is not a date"
            span = Span(span.line, span.column, span.line, span.column + len(word))
            help_text = "write dates as YYYY-MM-DD, with two-digit months and days: 2027-03-01"
            foreign = foreign_digit(word)
            if foreign is not None:
                message += f": only the digits 0-9 make a date, and `{foreign}` is {_char_name(foreign)}"
        elif err.expected == {"STRING"} and not at_end:
            help_text = 'texts are written in double quotes: `charter "Acme Finance"`'
        elif prev == "of" and "NAME" in err.expected:
            help_text = "list the choices after `one of`, separated by commas: `one of hardware, software`"
        elif (tok.type == "NAME" and "NAME" not in err.expected
              and (guess := _close_keyword(shown, _expected_keywords(err.expected)))):
            help_text = f"did you mean `{guess}`?"
        elif "NAME" in err.expected and tok.type not in ("NAME", "$END") and shown.isidentifier():
            help_text = f"`{shown}` is a reserved word of the language; choose another name"
        elif tok.type == "NAME" and err.expected & _STATEMENT_STARTS:
            help_text = "each statement starts on its own line; did you misspell a keyword?"
        elif tok.type == "NUMBER" and "MONEY" in err.expected:
            help_text = "money takes a three-letter currency code: `250k EUR`"
        if opened is not None and help_text is None:
            bracket, where = opened
            closer = _OPENERS[bracket]
            line, column = _position(text, where)
            if line < span.line:
                labels = (Label(span=Span(line, column, line, column + 1), message=f"this `{bracket}` is not closed"),)
                help_text = f"close the `{bracket}` of line {line} with `{closer}`"
            else:
                help_text = f"close the `{bracket}` of column {column} with `{closer}`"
    elif isinstance(err, UnexpectedCharacters):
        span = Span.point(err.line, err.column)
        pos = err.pos_in_stream
        char = text[pos] if pos < len(text) else ""
        shown = repr(char)[1:-1] if not char.isprintable() else char
        message = f"unexpected character `{shown}`"
        allowed = getattr(err, "allowed", None) or set()
        if allowed:
            message += f"; expected {_describe_expected(set(allowed))}"
        word = re.match(r"-?[\w.\-]+", text[pos:pos + 200]) if char.isdigit() or char == "-" else None
        if char == "'":
            help_text = 'texts are written in double quotes: "like this"'
        elif char == '"':
            end = text.find("\n", pos)
            end = len(text) if end < 0 else end
            message = "this quoted text is not closed before the end of its line"
            span = Span(err.line, err.column, err.line, err.column + len(text[pos:end].rstrip("\r")))
            help_text = 'end it with `"` on the same line'
        elif word is not None and any(c.isdigit() for c in word.group()):
            shown = word.group()
            message = f"`{shown}` is not a number, an amount or a date"
            span = Span(err.line, err.column, err.line, err.column + len(shown))
            help_text = "numbers look like 250, 10_000, 2.5k or 1.5M; amounts like 250k EUR; dates like 2027-03-31"
            foreign = foreign_digit(shown)
            if foreign is not None:
                message += f": only the digits 0-9 make a number, and `{foreign}` is {_char_name(foreign)}"
                help_text = "type the number with the digits 0-9"
        elif char and (char.isspace() or not char.isprintable() or unicodedata.category(char).startswith("C")):
            message = f"unexpected invisible character {_char_name(char)}"
            help_text = "delete it (and type an ordinary space if one is needed)"
        elif char and not char.isalnum() and char not in _PUNCTUATION:
            message = f"unexpected character `{shown}`: it has no meaning in a charter"
            help_text = "remove it, or write it inside a quoted text"
    elif isinstance(err, UnexpectedEOF):
        span = Span.point(source.line_count(), 1)
        message = "the charter ends in the middle of a statement"
    else:  # pragma: no cover - lark has no other kinds
        span = Span.point(1, 1)
        message = "the text is not a charter"
    return Diagnostic(code=SYNTAX, severity=Severity.ERROR, message=message, path=source.path, span=span,
                      help=help_text, labels=labels, source=source)


def _chunks(text: str) -> list[tuple[int, str]]:
    """Split into statement-sized pieces: a piece starts at a line that is not indented.

    Used only after a syntax error, to find the errors in the rest of the file too.
    """
    pieces: list[tuple[int, list[str]]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        starts = line[:1] not in ("", " ", "\t", "#", "}")
        if starts or not pieces:
            pieces.append((number, [line]))
        else:
            pieces[-1][1].append(line)
    return [(start, "\n".join(lines)) for start, lines in pieces]


_HIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]|\r(?!\n)")
"""Characters that can make a charter display otherwise than it parses (CVE-2021-42574 and kin)."""


def _hidden_text(source: Source) -> list[Diagnostic]:
    found = []
    for hit in _HIDDEN.finditer(source.text):
        char = hit.group()
        line, column = _position(source.text, hit.start())
        if char == "\r":
            message = "a line ends with a lone carriage return (CR): some editors show a line break there, " \
                      "the charter does not"
            help_text = "save the file with LF (or CRLF) line endings"
        elif char == "\x00":
            message = "the charter contains a NUL character (U+0000)"
            help_text = "the file is probably not text, or was saved as UTF-16; save it as UTF-8 text"
        elif char in "\x0b\x0c\x85\u2028\u2029":
            message = f"{_char_name(char)} shows as a line break in some editors but is not one in a charter"
            help_text = "replace it with an ordinary line break"
        elif "\u202a" <= char <= "\u202e" or "\u2066" <= char <= "\u2069":
            message = f"the bidirectional control character {_char_name(char)} can make the charter display " \
                      f"differently from how it is read"
            help_text = "remove it; right-to-left names and texts need no control characters"
        else:
            message = f"the control character {_char_name(char)} has no place in a charter"
            help_text = "remove it"
        found.append(Diagnostic(code=HIDDEN_TEXT, severity=Severity.ERROR, path=source.path,
                                span=Span.point(line, column), message=message, help=help_text))
        if len(found) >= 10:
            break
    return found


def _check_limits(source: Source, limits: Limits) -> list[Diagnostic]:
    text = source.text
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > limits.max_bytes:
        return [Diagnostic(code=LIMIT, severity=Severity.ERROR, path=source.path, span=Span.point(1, 1),
                           message=f"the charter is {size:,} bytes, over the limit of {limits.max_bytes:,}",
                           help="split it, or raise the limit: decisionrights.Limits(max_bytes=…)")]
    hidden = _hidden_text(source)
    if hidden:
        return hidden
    found: list[Diagnostic] = []
    depth = 0
    bound, bound_help = _nesting_bound(limits)
    line, line_start = 1, 0
    for hit in _SCAN.finditer(text):  # strings and comments are matched whole, so their brackets don't count
        ch = hit.group()
        if ch == "\n":
            line, line_start = line + 1, hit.end()
        elif ch == "(":
            depth += 1
            if depth > bound:
                return [Diagnostic(code=LIMIT, severity=Severity.ERROR, path=source.path,
                                   span=Span.point(line, hit.start() - line_start + 1), source=source,
                                   message=f"parentheses nested deeper than {bound} levels", help=bound_help)]
        elif ch == ")":
            depth = max(depth - 1, 0)
    if max(map(len, text.split("\n"))) > limits.max_line_length:
        for number, text_line in enumerate(text.split("\n"), start=1):
            if len(text_line) > limits.max_line_length:
                found.append(Diagnostic(code=LIMIT, severity=Severity.ERROR, path=source.path,
                                        span=Span.point(number, limits.max_line_length + 1),
                                        message=f"line {number} is {len(text_line):,} characters long, over the "
                                                f"limit of {limits.max_line_length:,}",
                                        help="break it over several indented lines"))
    return found


_NESTING = frozenset({"not_", "and_cond", "or_cond"})
_TOKEN, _BUILD = -2, -1


_KEPT = frozenset({"NAME", "NUMBER", "MONEY", "DATE", "STRING", "COMPARATOR", "TYPE_NAME", "LEVEL_WORD"})
"""The tokens a rule's method receives; the others (keywords, punctuation) only mark where a node starts and ends."""
_DROP = object()  # stands in for such a token among the finished children until its parent drops it


def _as_child(token: Token) -> Any:
    """What a rule's method gets for one of its tokens: a NAME as the model's Name (`?name` is inlined),
    a named token as it is, anything else `_DROP` (it only marks where the node starts and ends)."""
    kind = token.type
    if kind == "NAME":
        return _node(m.Name, span=_span_of(token), value=str(token))
    return token if kind in _KEPT else _DROP


def _between(first: Any, last: Any) -> Span:
    """The span from the start of `first` to the end of `last` (tokens or spans)."""
    return make_span(first.line, first.column, last.end_line, last.end_column)


def _build(tree: Tree, limits: Limits) -> m.CharterModel:
    """The model of a parse tree: each rule's `_ToModel` method, children first.

    Each method gets the node's span, from its first token to its last, and
    its children: the model of each sub-node, and the named tokens (a NAME
    already as the model's Name: `?name` is inlined). Iterative, so no tree
    is too deep for it; and it refuses a condition nested deeper than the
    limit on the way down, before anything recursive walks it. An error
    raised by a method comes out as lark's `VisitError`, as from a
    `Transformer`. A charter is usually built while it is parsed
    (`_Reductions`), with the same methods; this walk is the way that finds
    and reports the error when that cannot be done.
    """
    builder = _ToModel()
    bound, bound_help = _nesting_bound(limits)
    done: list[Any] = []  # the finished children, in order, waiting for their parent
    spans: list[Any] = []  # where each of them is: a Span, a Token, or None (no token at all)
    todo: list[tuple[Any, int]] = [(tree, 0)]  # (node, its nesting), or (token, _TOKEN), or (node, _BUILD)
    while todo:
        node, depth = todo.pop()
        if depth == _TOKEN:  # a token carries its place as a span does (line, column, end_line, end_column)
            done.append(_as_child(node))
            spans.append(node)
            continue
        if depth == _BUILD:
            count = len(node.children)
            first = len(done) - count
            children = [c for c in done[first:] if c is not _DROP]
            placed = [x for x in spans[first:] if x is not None]
            del done[first:], spans[first:]
            span = _between(placed[0], placed[-1]) if placed else None
            try:
                done.append(getattr(builder, node.data)(span, children))
            except Exception as exc:  # noqa: BLE001 - handed on whole, as lark's Transformer does
                raise VisitError(node.data, node, exc) from None
            spans.append(span)
            continue
        if node.data in _NESTING:
            depth += 1
            if depth > bound:
                span = _first_token(node)
                exc = _LiteralError(f"the condition is nested deeper than {bound} levels "
                                    f"(`not`, `and`, `or` and parentheses inside each other)",
                                    Span(span.line, span.column, span.line, span.column + 1), bound_help, LIMIT)
                raise VisitError("start", tree, exc)
        todo.append((node, _BUILD))
        todo.extend((child, depth if isinstance(child, Tree) else _TOKEN) for child in reversed(node.children))
    return done[0]


def _first_token(node: Tree) -> Token:
    while isinstance(node, Tree):
        node = node.children[0]
    return node


_FAILED: Any = object()
"""What a rule's reduction gives when it, or a rule inside it, cannot be built: the tree will say why."""


class _Reductions:
    """The model built while lark parses (its tree-less LALR mode): one callback per rule of the grammar.

    lark calls a rule's callback as it reduces the rule, with the results of
    the rules inside it and the rule's tokens. Each callback does what `_build`
    does for one node — names its NAME tokens, works out its span from its
    first and last token, calls the rule's `_ToModel` method — and gives
    `(node, span, nesting)`, `nesting` being the deepest `not`/`and`/`or`
    nesting inside. No parse tree is made, which saves about a third of a
    large charter's parse. Nothing here raises: a rule that cannot be built
    gives `_FAILED`, and `_parse_piece` then parses the text again into a tree
    and builds it with `_build`, so every error is the one, at the place, it
    always was.
    """

    def __init__(self) -> None:
        builder = _ToModel()
        for rule in dir(builder):
            if not rule.startswith("_"):
                setattr(self, rule, self._reduction(getattr(builder, rule), 1 if rule in _NESTING else 0))

    @staticmethod
    def _reduction(method: Callable[[Any, list], Any], level: int) -> Callable[[list], Any]:
        def reduce(children: list) -> Any:
            kids = []
            first = last = None
            nesting = 0
            for child in children:
                if type(child) is tuple:
                    value, span, deep = child
                    kids.append(value)
                    if span is not None:
                        first = first or span
                        last = span
                    if deep > nesting:
                        nesting = deep
                elif child is _FAILED:
                    return _FAILED
                else:  # a token
                    first = first or child
                    last = child
                    kid = _as_child(child)
                    if kid is not _DROP:
                        kids.append(kid)
            span = None if first is None else _between(first, last)
            try:
                return method(span, kids), span, nesting + level
            except Exception:  # noqa: BLE001 - `_build` on the tree raises it again, where it belongs
                return _FAILED

        return reduce


@lru_cache(maxsize=1)
def _building_parser() -> Lark:
    """The parser that builds the model as it parses (see `_Reductions`)."""
    return Lark(_grammar_text(), parser="lalr", lexer="contextual", keep_all_tokens=True,
                maybe_placeholders=False, transformer=_Reductions())


def _parse_piece(text: str, limits: Limits = DEFAULT_LIMITS) -> m.CharterModel:
    built = _building_parser().parse(text)  # a syntax error is raised here, as from the tree's parse
    if built is not _FAILED and built[2] <= _nesting_bound(limits)[0]:
        return built[0]
    return _build(_parser().parse(text), limits)  # the error of a rule, found and reported as it always was


def parse(source: Source, limits: Limits = DEFAULT_LIMITS) -> m.CharterModel:
    """Parse a charter's text into its model, or raise `ParseError` with every syntax error found."""
    problems = _check_limits(source, limits)
    if problems:
        raise ParseError(problems)
    text = source.text
    if text.startswith("\ufeff"):  # a byte-order mark: invisible, and no part of the charter
        text = " " + text[1:]
    try:
        charter = _parse_piece(text, limits)
    except UnexpectedInput as err:
        first = _error_to_diagnostic(err, Source(text, source.path)).model_copy(update={"source": source})
        raise _with_rest(ParseError(_all_syntax_errors(source, text, first, limits)), text, limits) from None
    except VisitError as err:
        # The whole text parses, so every piece that fails to parse alone is only cut out of context;
        # each statement is still built alone, to report every bad literal (all bad dates), not the first.
        first = _literal_diagnostic(err, source)
        raise _with_rest(ParseError(_all_syntax_errors(source, text, first, limits, parsed=True)), text,
                         limits) from None
    _require_header(charter, source)
    return charter


def _with_rest(error: ParseError, text: str, limits: Limits) -> ParseError:
    """The error, carrying the model of the statements that are not broken (`rest`, or None) and the
    text of the broken ones (`broken`), so the compiler can still report the others' errors."""
    lines = text.split("\n")
    bad = {d.span.line for d in error.diagnostics if d.span is not None}
    broken: list[str] = []
    for start, piece in _chunks(text):
        count = piece.count("\n") + 1
        if any(start <= line < start + count for line in bad):
            broken.append(piece)
            lines[start - 1:start - 1 + count] = [""] * count  # blank, so every other line keeps its number
    rest: m.CharterModel | None
    try:
        rest = _parse_piece("\n".join(lines), limits)
    except Exception:  # noqa: BLE001 - the rest does not parse on its own either: nothing more to report
        rest = None
    error.rest = rest  # type: ignore[attr-defined]
    error.broken = "\n".join(broken)  # type: ignore[attr-defined]
    return error


def _literal_diagnostic(err: VisitError, source: Source) -> Diagnostic:
    orig = err.orig_exc
    if isinstance(orig, _LiteralError):
        return Diagnostic(code=orig.code, severity=Severity.ERROR, message=orig.message, path=source.path,
                          span=orig.span, help=orig.help, source=source)
    raise orig  # pragma: no cover - a bug in the transformer, not the user's mistake


def _shifted(diag: Diagnostic, lines: int, source: Source) -> Diagnostic:
    """A diagnostic found in a piece of the text, moved down `lines` lines into the whole `source`."""
    def move(span: Span) -> Span:
        return Span(span.line + lines, span.column, span.end_line + lines, span.end_column)

    return diag.model_copy(update={
        "span": move(diag.span) if diag.span else None, "source": source,
        "labels": tuple(lab.model_copy(update={"span": move(lab.span)}) for lab in diag.labels)})


def _all_syntax_errors(source: Source, text: str, first: Diagnostic, limits: Limits,
                       parsed: bool = False) -> list[Diagnostic]:
    """The first error, then each statement parsed alone to find the other errors.

    Each piece is parsed on its own and its diagnostics moved to their place,
    so the work stays linear in the size of the text. `parsed`: the whole
    text parsed (the first error is a bad literal), so a piece's syntax error
    is only the piece cut out of context.
    """
    diags = [first]
    seen = {(diags[0].span.line, diags[0].span.column)} if diags[0].span else set()
    first_line = float("inf") if parsed else diags[0].span.line if diags[0].span else 0
    for start, piece in _chunks(text):
        if len(diags) >= MAX_SYNTAX_ERRORS:
            last = diags[-1]
            diags[-1] = last.model_copy(update={"notes": (*last.notes, f"stopped after {MAX_SYNTAX_ERRORS} "
                                                                       f"errors; fix these and check again")})
            break
        earlier = start + piece.count("\n") < first_line
        try:
            _parse_piece(piece, limits)
        except UnexpectedInput as err:
            if earlier:
                continue  # the whole text parsed past here: a piece cut out of context, not an error
            diag = _shifted(_error_to_diagnostic(err, Source(piece, source.path)), start - 1, source)
            key = (diag.span.line, diag.span.column) if diag.span else None
            if key not in seen and (diag.span is None or diag.span.line > first_line):
                seen.add(key)
                diags.append(diag)
        except VisitError as err:
            diag = _shifted(_literal_diagnostic(err, Source(piece, source.path)), start - 1, source)
            key = (diag.span.line, diag.span.column) if diag.span else None
            if key not in seen:
                seen.add(key)
                diags.append(diag)
    return sorted(diags, key=lambda d: (d.span.line, d.span.column) if d.span else (0, 0))


def _require_header(charter: m.CharterModel, source: Source) -> None:
    first = charter.statements[0] if charter.statements else None
    if isinstance(first, m.Header):
        return
    span = first.span if first is not None else Span.point(1, 1)
    raise ParseError([Diagnostic(
        code=NO_HEADER, severity=Severity.ERROR, path=source.path, span=Span(span.line, span.column, span.line,
                                                                              span.column + 1),
        message="a charter starts with its name: `charter \"…\"`",
        help='add a first line like `charter "Acme Finance"`', source=source)])
