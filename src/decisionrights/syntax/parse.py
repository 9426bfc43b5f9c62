"""Text → model: the grammar, lark's parsers and `parse()`. The only module that imports lark.

The work is split by job: `limits` checks the input before lark sees it,
`build` turns lark's output into model nodes, and `recover` turns lark's
syntax errors into located diagnostics and finds the other errors of the file.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from lark import Lark
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from . import model as m
from .build import BAD_LITERAL, RESERVED, FAILED, LiteralError, Reductions, ToModel, build_tree
from .limits import DEFAULT_LIMITS, HIDDEN_TEXT, LIMIT, MAX_NESTING, Limits, check_limits, nesting_bound
from .recover import (MAX_SYNTAX_ERRORS, SYNTAX, Grammar, all_syntax_errors, error_to_diagnostic,
                      literal_diagnostic, with_rest)
from ..diagnostics import Diagnostic, Severity
from ..errors import ParseError
from ..source import Source, Span, blank_bom

__all__ = [
    "BAD_LITERAL", "DEFAULT_LIMITS", "HIDDEN_TEXT", "LIMIT", "MAX_NESTING", "MAX_SYNTAX_ERRORS", "NO_HEADER",
    "RESERVED", "SYNTAX", "Limits", "build_from_tree", "grammar_text", "parse", "parse_piece", "reserved_words",
]

NO_HEADER = "DR004"


def grammar_text() -> str:
    """The text of the charter grammar (`grammar/charter.lark`), packaged or from a source checkout."""
    packaged = resources.files("decisionrights").joinpath("grammar/charter.lark")
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    # A source checkout (editable install): the grammar sits at the repository root.
    return (Path(__file__).resolve().parents[3] / "grammar" / "charter.lark").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _parser() -> Lark:
    # Every token stays in the tree (`keep_all_tokens`): `build_tree` works out each node's span from its
    # first and last token, keywords included, cheaper than lark's `propagate_positions`.
    return Lark(grammar_text(), parser="lalr", lexer="contextual", keep_all_tokens=True,
                maybe_placeholders=False)


_FREE_WORDS = frozenset({"money", "number", "bool", "text", "date", "level", "levels"})
"""Words of the language that may still name things: the contextual lexer tells them apart."""


@lru_cache(maxsize=1)
def _keywords() -> dict[str, str]:
    """Each string terminal's name → its text (`DECIDE` → `decide`, `LPAR` → `(`), in the grammar's order."""
    found: dict[str, str] = {}
    for term in _parser().terminals:
        if term.pattern.type == "str":
            found.setdefault(term.name, term.pattern.value)
    return found


@lru_cache(maxsize=1)
def reserved_words() -> frozenset[str]:
    """The reserved words: every word of the grammar but the type names and `level(s)`."""
    words = {word for word in _keywords().values() if word.isidentifier()}
    return frozenset(words - _FREE_WORDS)


@lru_cache(maxsize=1)
def _builder() -> ToModel:
    return ToModel(reserved_words())


@lru_cache(maxsize=1)
def _building_parser() -> Lark:
    """The parser that builds the model as it parses (see `build.Reductions`)."""
    return Lark(grammar_text(), parser="lalr", lexer="contextual", keep_all_tokens=True,
                maybe_placeholders=False, transformer=Reductions(_builder()))


def build_from_tree(text: str, limits: Limits = DEFAULT_LIMITS) -> m.CharterModel:
    """The model of `text` the slow way: lark's parse tree, then `build.build_tree` over it.

    Raises lark's syntax error, or `build.LiteralError`. `parse_piece` gives
    the same model or error (the agreement law in tests/test_laws.py checks it);
    this is the way that finds and reports the error when the fast way cannot.
    """
    return build_tree(_parser().parse(text), limits, _builder())


def parse_piece(text: str, limits: Limits = DEFAULT_LIMITS) -> m.CharterModel:
    """The model of `text`, built while lark parses it (no tree), or raised as `build_from_tree` raises it.

    No limits are checked but nesting, and no header is required: the pieces
    error recovery parses alone go through here.
    """
    built = _building_parser().parse(text)  # a syntax error is raised here, as from the tree's parse
    if built is not FAILED and built[2] <= nesting_bound(limits)[0]:
        return built[0]
    return build_from_tree(text, limits)  # the error of a rule, found and reported as it always was


def _kind(err: Exception) -> str:
    if isinstance(err, UnexpectedToken):
        return "token"
    if isinstance(err, UnexpectedCharacters):
        return "characters"
    if isinstance(err, UnexpectedEOF):
        return "eof"
    return "other"  # pragma: no cover - lark has no other kinds


def _grammar() -> Grammar:
    # `parse_piece` is looked up when called, so a test may count the pieces parsed (tests/test_hostile.py).
    return Grammar(keywords=_keywords(), reserved=reserved_words(), syntax_error=UnexpectedInput, kind=_kind,
                   parse_piece=lambda text, limits: parse_piece(text, limits))


def parse(source: Source, limits: Limits = DEFAULT_LIMITS) -> m.CharterModel:
    """Parse a charter's text into its model, or raise `ParseError` with every syntax error found."""
    problems = check_limits(source, limits)
    if problems:
        raise ParseError(problems)
    text = blank_bom(source.text)  # a byte-order mark is no part of the charter; a space keeps the columns
    try:
        charter = parse_piece(text, limits)
    except UnexpectedInput as err:
        grammar = _grammar()
        first = error_to_diagnostic(err, Source(text, source.path), grammar).model_copy(update={"source": source})
        raise with_rest(ParseError(all_syntax_errors(source, text, first, limits, grammar)), text, limits,
                        grammar) from None
    except LiteralError as err:
        # The whole text parses, so every piece that fails to parse alone is only cut out of context;
        # each statement is still built alone, to report every bad literal (all bad dates), not the first.
        grammar = _grammar()
        first = literal_diagnostic(err, source)
        raise with_rest(ParseError(all_syntax_errors(source, text, first, limits, grammar, parsed=True)), text,
                        limits, grammar) from None
    _require_header(charter, source)
    return charter


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
