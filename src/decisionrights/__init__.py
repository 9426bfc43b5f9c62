"""decisionrights: who may decide what, within which limits — checked like code.

    import decisionrights as dr
    charter = dr.load("org.charter")
    answer = charter.may("controller", "purchase", amount=20_000, category="software")
    if answer: ...
    print(answer.explain())
"""

from .decide.answer import Answer, Reason
from .charter import Charter, load, loads
from .diagnostics import Diagnostic, Severity
from .errors import CharterError, CompileError, DecisionRightsError, InvalidRequest, ParseError, TooComplex
from .analysis.diff import diff
from .analysis.lint import lint
from .syntax.parse import Limits
from .compile.ir import Rule
from .source import Span

from .version import __version__

__all__ = [
    "Answer", "Charter", "diff", "CharterError", "CompileError", "DecisionRightsError", "Diagnostic",
    "InvalidRequest", "Limits", "ParseError", "Reason", "Rule", "Severity", "Span", "TooComplex", "lint", "load",
    "loads",
]
