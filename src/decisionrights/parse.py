"""Text → model. The only module that imports lark; its errors become diagnostics here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from . import model as m
from .diagnostics import Diagnostic, Severity
from .errors import ParseError
from .source import Source, Span
from .values import BadValue, parse_date, parse_money, parse_number

SYNTAX = "DR001"
LIMIT = "DR002"
BAD_LITERAL = "DR003"
NO_HEADER = "DR004"


@dataclass(frozen=True)
class Limits:
    """Bounds on what the parser accepts, so hostile input fails fast and clearly."""

    max_bytes: int = 8 * 1024 * 1024
    max_nesting: int = 64
    max_line_length: int = 10_000


DEFAULT_LIMITS = Limits()


def _grammar_text() -> str:
    packaged = resources.files("decisionrights").joinpath("grammar/charter.lark")
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    # A source checkout (editable install): the grammar sits at the repository root.
    return (Path(__file__).resolve().parents[2] / "grammar" / "charter.lark").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(_grammar_text(), parser="lalr", lexer="contextual", propagate_positions=True,
                maybe_placeholders=False)


def _span_of(obj: Any) -> Span:
    if isinstance(obj, Token):
        return Span(obj.line, obj.column, obj.end_line, obj.end_column)
    meta = obj
    return Span(meta.line, meta.column, meta.end_line, meta.end_column)


class _LiteralError(Exception):
    def __init__(self, message: str, span: Span):
        super().__init__(message)
        self.message = message
        self.span = span


_OBLIGATIONS = {"announce", "inform", "consult", "agreement"}


@v_args(meta=True)
class _ToModel(Transformer):
    """lark parse tree → model nodes (built unvalidated: the grammar already shaped them)."""

    # -- names and literals -------------------------------------------------
    def name(self, meta, children):
        tok = children[0]
        return m.Name.model_construct(span=_span_of(tok), value=str(tok))

    def name_list(self, meta, children):
        return tuple(children)

    def _lit(self, tok: Token, kind: str, value: Any, currency: str | None = None) -> m.Literal:
        return m.Literal.model_construct(span=_span_of(tok), kind=kind, value=value, currency=currency,
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
        return m.Literal.model_construct(span=_span_of(meta), kind="bool", value=True, currency=None, text="true")

    def false(self, meta, children):
        return m.Literal.model_construct(span=_span_of(meta), kind="bool", value=False, currency=None, text="false")

    def bare(self, meta, children):
        name = children[0]
        return m.Literal.model_construct(span=name.span, kind="name", value=name.value, currency=None,
                                         text=name.value)

    def value_list(self, meta, children):
        return tuple(children)

    # -- conditions ---------------------------------------------------------
    def compare(self, meta, children):
        attr, op, value = children
        return m.Compare.model_construct(span=_span_of(meta), attr=attr, op=str(op), value=value)

    def member(self, meta, children):
        attr, values = children
        return m.Membership.model_construct(span=_span_of(meta), attr=attr, values=values, negated=False)

    def not_member(self, meta, children):
        attr, values = children
        return m.Membership.model_construct(span=_span_of(meta), attr=attr, values=values, negated=True)

    def truth(self, meta, children):
        return m.Truth.model_construct(span=_span_of(meta), attr=children[0])

    def or_cond(self, meta, children):
        return m.Or.model_construct(span=_span_of(meta), items=tuple(children))

    def and_cond(self, meta, children):
        return m.And.model_construct(span=_span_of(meta), items=tuple(children))

    def not_(self, meta, children):
        return m.Not.model_construct(span=_span_of(meta), item=children[0])

    def when(self, meta, children):
        return ("when", children[0])

    # -- obligations --------------------------------------------------------
    def _obligation(self, kind: str, meta, children) -> m.Obligation:
        return m.Obligation.model_construct(span=_span_of(meta), kind=kind, roles=children[0])

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
        return m.Header.model_construct(span=_span_of(meta), title=_unquote(str(children[0])))

    def version(self, meta, children):
        tok = children[0]
        return m.Version.model_construct(span=_span_of(meta), value=self.number(meta, [tok]))

    def currency(self, meta, children):
        return m.Currency.model_construct(span=_span_of(meta), code=children[0])

    def flows_up(self, meta, children):
        return m.FlowsUp.model_construct(span=_span_of(meta))

    def reports_to(self, meta, children):
        return children[0]

    def role_decl(self, meta, children):
        names = children[0]
        boss = children[1] if len(children) > 1 else None
        return m.RoleDecl.model_construct(span=_span_of(meta), names=names, reports_to=boss)

    def simple_type(self, meta, children):
        return m.AttrType.model_construct(span=_span_of(meta), kind=str(children[0]), members=())

    def enum_type(self, meta, children):
        return m.AttrType.model_construct(span=_span_of(meta), kind="enum", members=children[0])

    def default(self, meta, children):
        return children[0]

    def attribute(self, meta, children):
        name, typ = children[0], children[1]
        default = children[2] if len(children) > 2 else None
        return m.AttributeDecl.model_construct(span=_span_of(meta), name=name, type=typ, default=default)

    def decision_decl(self, meta, children):
        name = children[0]
        rest = children[1:]
        title = None
        if rest and isinstance(rest[0], Token):
            title = _unquote(str(rest[0]))
            rest = rest[1:]
        return m.DecisionDecl.model_construct(span=_span_of(meta), name=name, title=title,
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
        return m.Grant.model_construct(span=_span_of(meta), role=role, decision=decision, propose=propose,
                                       condition=condition, obligations=tuple(obligations))

    def grant_decide(self, meta, children):
        return self._grant(meta, children, False)

    def grant_propose(self, meta, children):
        return self._grant(meta, children, True)

    def forbid_role(self, meta, children):
        role, decision, *rest = children
        return m.Forbid.model_construct(span=_span_of(meta), role=role, decision=decision,
                                        condition=rest[0][1] if rest else None)

    def forbid_all(self, meta, children):
        decision, *rest = children
        return m.Forbid.model_construct(span=_span_of(meta), role=None, decision=decision,
                                        condition=rest[0][1] if rest else None)

    def start_date(self, meta, children):
        return ("from", self.date(meta, children))

    def end_date(self, meta, children):
        return ("until", self.date(meta, children))

    def subdelegate(self, meta, children):
        levels = None
        if children:
            levels = parse_number(str(children[0]))
            if not isinstance(levels, int) or levels < 0:
                raise _LiteralError("the number of levels must be a whole number, 0 or more",
                                    _span_of(children[0]))
        return m.Subdelegate.model_construct(span=_span_of(meta), levels=levels)

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
        return m.Delegation.model_construct(span=_span_of(meta), delegator=delegator, decision=decision,
                                            delegate=delegate, obligations=tuple(obligations), **fields)

    def escalate(self, meta, children):
        return m.Escalate.model_construct(span=_span_of(meta), decision=children[0], role=children[1])

    def assignment(self, meta, children):
        return m.Assignment.model_construct(span=_span_of(meta), attr=children[0], value=children[1])

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
        return m.Expect.model_construct(span=_span_of(meta), role=role, allowed=allowed, decision=decision,
                                        obligations=tuple(obligations), **fields)

    def start(self, meta, children):
        span = _span_of(meta) if not meta.empty else Span(1, 1, 1, 1)
        return m.CharterModel.model_construct(span=span, statements=tuple(children))


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


def _error_to_diagnostic(err: UnexpectedInput, source: Source) -> Diagnostic:
    help_text = None
    if isinstance(err, UnexpectedToken) and err.token.type == "$END":
        span = Span.point(err.line if err.line > 0 else source.line_count(), max(err.column, 1))
        message = f"the charter ends in the middle of a statement; expected {_describe_expected(err.expected)}"
    elif isinstance(err, UnexpectedToken):
        tok = err.token
        span = _span_of(tok)
        shown = str(tok)
        message = f"unexpected `{shown}`; expected {_describe_expected(err.expected)}"
        if "NAME" in err.expected and tok.type not in ("NAME", "$END") and shown.isidentifier():
            help_text = f"`{shown}` is a reserved word of the language; choose another name"
        elif tok.type == "NAME" and err.expected & _STATEMENT_STARTS:
            help_text = "each statement starts on its own line; did you misspell a keyword?"
        elif tok.type == "NUMBER" and "MONEY" in err.expected:
            help_text = "money takes a three-letter currency code: `250k EUR`"
    elif isinstance(err, UnexpectedCharacters):
        span = Span.point(err.line, err.column)
        char = source.text[err.pos_in_stream] if err.pos_in_stream < len(source.text) else ""
        shown = repr(char)[1:-1] if not char.isprintable() else char
        message = f"unexpected character `{shown}`"
        allowed = getattr(err, "allowed", None) or set()
        if allowed:
            message += f"; expected {_describe_expected(set(allowed))}"
        if char == "'":
            help_text = 'texts are written in double quotes: "like this"'
    elif isinstance(err, UnexpectedEOF):
        span = Span.point(source.line_count(), 1)
        message = "the charter ends in the middle of a statement"
    else:  # pragma: no cover - lark has no other kinds
        span = Span.point(1, 1)
        message = "the text is not a charter"
    return Diagnostic(code=SYNTAX, severity=Severity.ERROR, message=message, path=source.path, span=span,
                      help=help_text, source=source)


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


def _check_limits(source: Source, limits: Limits) -> list[Diagnostic]:
    text = source.text
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > limits.max_bytes:
        return [Diagnostic(code=LIMIT, severity=Severity.ERROR, path=source.path, span=Span.point(1, 1),
                           message=f"the charter is {size:,} bytes, over the limit of {limits.max_bytes:,}",
                           help="split it, or raise the limit: decisionrights.Limits(max_bytes=…)")]
    found: list[Diagnostic] = []
    depth = 0
    line, col = 1, 0
    in_string = in_comment = False
    for ch in text:
        col += 1
        if ch == "\n":
            line, col = line + 1, 0
            in_string = in_comment = False
            continue
        if in_comment:
            continue
        if in_string:
            if ch == '"':
                in_string = False
            continue
        if ch == "#":
            in_comment = True
        elif ch == '"':
            in_string = True
        elif ch == "(":
            depth += 1
            if depth > limits.max_nesting:
                return [Diagnostic(code=LIMIT, severity=Severity.ERROR, path=source.path,
                                   span=Span.point(line, col), source=source,
                                   message=f"parentheses nested deeper than {limits.max_nesting} levels",
                                   help="simplify the condition, or raise decisionrights.Limits(max_nesting=…)")]
        elif ch == ")":
            depth = max(depth - 1, 0)
    for number, text_line in enumerate(text.split("\n"), start=1):
        if len(text_line) > limits.max_line_length:
            found.append(Diagnostic(code=LIMIT, severity=Severity.ERROR, path=source.path,
                                    span=Span.point(number, limits.max_line_length + 1),
                                    message=f"line {number} is {len(text_line):,} characters long, over the "
                                            f"limit of {limits.max_line_length:,}",
                                    help="break it over several indented lines"))
    return found


def _parse_piece(text: str) -> m.CharterModel:
    tree = _parser().parse(text)
    return _ToModel().transform(tree)


def parse(source: Source, limits: Limits = DEFAULT_LIMITS) -> m.CharterModel:
    """Parse a charter's text into its model, or raise `ParseError` with every syntax error found."""
    problems = _check_limits(source, limits)
    if problems:
        raise ParseError(problems)
    try:
        charter = _parse_piece(source.text)
    except UnexpectedInput as err:
        raise ParseError(_all_syntax_errors(source, err)) from None
    except VisitError as err:
        raise ParseError([_literal_diagnostic(err, source)]) from None
    _require_header(charter, source)
    return charter


def _literal_diagnostic(err: VisitError, source: Source) -> Diagnostic:
    orig = err.orig_exc
    if isinstance(orig, _LiteralError):
        return Diagnostic(code=BAD_LITERAL, severity=Severity.ERROR, message=orig.message, path=source.path,
                          span=orig.span, source=source)
    raise orig  # pragma: no cover - a bug in the transformer, not the user's mistake


def _all_syntax_errors(source: Source, first: UnexpectedInput) -> list[Diagnostic]:
    diags = [_error_to_diagnostic(first, source)]
    seen = {(diags[0].span.line, diags[0].span.column)} if diags[0].span else set()
    first_line = diags[0].span.line if diags[0].span else 0
    for start, piece in _chunks(source.text):
        if start + piece.count("\n") < first_line:
            continue
        try:
            _parse_piece("\n" * (start - 1) + piece)
        except UnexpectedInput as err:
            diag = _error_to_diagnostic(err, source)
            key = (diag.span.line, diag.span.column) if diag.span else None
            if key not in seen and (diag.span is None or diag.span.line > first_line):
                seen.add(key)
                diags.append(diag)
        except VisitError as err:
            diags.append(_literal_diagnostic(err, source))
    return diags


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
