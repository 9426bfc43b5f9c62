"""The errors the library raises. Each carries diagnostics a user can act on."""

from __future__ import annotations

from .diagnostics import Diagnostic, render_text


class DecisionRightsError(Exception):
    """Base class of every error this library raises on purpose."""


class CharterError(DecisionRightsError):
    """A charter could not be loaded: it does not parse or does not compile.

    `diagnostics` lists every problem found, each with its line and column.
    """

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = list(diagnostics)
        super().__init__(self._summary())

    def _summary(self) -> str:
        if not self.diagnostics:
            return "the charter has errors"
        first = self.diagnostics[0]
        more = len(self.diagnostics) - 1
        where = f"{first.path}:{first.span.line}:{first.span.column}: " if first.span else ""
        tail = f" (and {more} more)" if more else ""
        return f"{where}{first.message}{tail}"

    def render(self, color: bool = False) -> str:
        """All diagnostics, rendered like a compiler does, with source lines and carets."""
        return render_text(self.diagnostics, color=color)


class ParseError(CharterError):
    """The text is not a charter: a syntax error (or an input over a configured limit)."""


class CompileError(CharterError):
    """The charter parses but names something undeclared, mixes types, or has a cycle."""


class TooComplex(CharterError, ValueError):
    """An exact analysis (`authority_of`, the views, `diff`) gave up: the charter's conditions combine
    into too many separate cases, or the analysis would take more work than its budget allows.

    Its one diagnostic, `DR200`, names the statement being analysed when it
    stopped. Answers from `may()` are unaffected; only the exact analysis is.
    """


class InvalidRequest(DecisionRightsError, ValueError):
    """A question the charter cannot answer: unknown role or decision, or a bad attribute.

    A bad request is never answered `allowed`; it raises this instead.
    `attribute` names the attribute at fault, when one is.
    """

    def __init__(self, message: str, attribute: str | None = None):
        super().__init__(message)
        self.attribute = attribute
