"""The compiler's driver: the named stages, in the order they run, and the entry points.

Like OPA's compiler, the order is one list (`STAGES`), readable in one place.
Each stage is a function of the `Context` (`compile.context`); every problem
is collected, so one run reports all of them, and `compile_charter` raises
`CompileError` carrying every diagnostic at the checkpoints.
"""

from __future__ import annotations

import gc
import re
import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING, Callable, Iterator

from ..diagnostics import Diagnostic, Severity
from ..errors import CharterError, CompileError
from ..source import Source
from ..syntax import model as m
from . import declare, people, statements, ways
from .context import Context
from .ir import Binding, CompiledCharter, Forbid

if TYPE_CHECKING:
    from ..syntax.directory import Directory

__all__ = ["STAGES", "compile_charter", "compile_partial", "errors_beside"]


def note_dropped(ctx: Context) -> None:
    """Past `MAX_ERRORS`, the last error shown says how many more there were."""
    if ctx.dropped:
        last = ctx.diags[-1]
        ctx.diags[-1] = last.model_copy(update={"notes": (*last.notes, f"and {ctx.dropped:,} more errors "
                                                                          f"after this one, not shown")})


def stop_on_errors(ctx: Context) -> None:
    """A checkpoint: unless compiling partially, raise `CompileError` with every error so far."""
    if ctx.diags and not ctx.partial:
        raise CompileError(ctx.diags)


def build_ways(ctx: Context) -> None:
    ctx.ways = ways.build_ways(ctx, ctx.grants, ctx.delegations)


def build_proposals(ctx: Context) -> None:
    ctx.proposals = ways.proposals(ctx)


STAGES: tuple[tuple[str, Callable[[Context], None]], ...] = (
    ("declare headers, roles and decisions", declare.declare),
    ("reporting line", declare.managers),
    ("reporting cycles", declare.check_cycles),
    ("charter currency", declare.currencies),
    ("people", people.people),
    ("statements", statements.statements),
    ("attribute currencies", declare.settle_currencies),
    ("note dropped errors", note_dropped),
    ("stop on errors", stop_on_errors),
    ("ways in", build_ways),
    ("proposals", build_proposals),
    ("stop on errors again", stop_on_errors),
)
"""The stages in order: declarations before statements, statements before the ways they open."""


def run(ctx: Context) -> CompiledCharter:
    """Run every stage on `ctx`, then put the compiled charter together."""
    for _name, stage in STAGES:
        stage(ctx)
    return assemble(ctx)


def bind_forbids(forbids: list[Forbid]) -> Binding:
    own: dict[tuple[str, str], list[Forbid]] = {}
    nobody: dict[str, list[Forbid]] = {}
    for f in forbids:
        if f.role is None:
            nobody.setdefault(f.decision, []).append(f)
        else:
            own.setdefault((f.role, f.decision), []).append(f)
    return Binding({k: tuple(v) for k, v in own.items()}, {k: tuple(v) for k, v in nobody.items()})


def assemble(ctx: Context) -> CompiledCharter:
    return CompiledCharter(
        source=ctx.source, title=ctx.title, version=ctx.version, currency=ctx.currency,
        flows_up=ctx.flows_up, roles=tuple(ctx.roles), role_spans=dict(ctx.roles),
        manager=dict(ctx.manager), decisions=dict(ctx.decisions), grants=tuple(ctx.grants),
        forbids=tuple(ctx.forbids), delegations=tuple(ctx.delegations), escalations=ctx.escalations,
        expects=tuple(ctx.expects), ways=ctx.ways, proposals=ctx.proposals,
        forbids_of=bind_forbids(ctx.forbids), people=ctx.people)


def compile_charter(tree: m.CharterModel, source: Source, *, bare_money: bool = False,
                    directory: Directory | None = None) -> CompiledCharter:
    """Resolve and check a parsed charter; raise `CompileError` with every problem found.

    With `bare_money`, a bare amount is read in its attribute's own currency,
    as a rendered region writes it (`Region.render`), even without a `currency` line.
    `directory` is a directory file of people read beside the charter (`syntax.directory`).
    """
    with gc_paused():
        return run(Context(source, tree, bare_money=bare_money, directory=directory))


def compile_partial(tree: m.CharterModel, source: Source,
                    directory: Directory | None = None) -> tuple[CompiledCharter, list[Diagnostic]]:
    """Compile what is right and report what is wrong: the charter without its broken statements."""
    ctx = Context(source, tree, partial=True, directory=directory)
    compiled = run(ctx)
    return compiled, ctx.diags


def errors_beside(error: CharterError, source: Source) -> list[Diagnostic]:
    """The compile errors of the statements that parsed, beside the syntax errors of those that did not.

    A `ParseError` carries the model of the statements that are not broken
    (see `parse`). An error about a name that a broken statement mentions is
    left out: the broken statement may well declare it.
    """
    rest = getattr(error, "rest", None)
    if rest is None:
        return []
    _, diags = compile_partial(rest, source)
    written = set(re.findall(r"\w+", getattr(error, "broken", "")))
    out = []
    for d in diags:
        if d.severity is not Severity.ERROR:
            continue
        named = re.findall(r"`(\w+)`", d.message)
        if any(name in written for name in named):
            continue
        out.append(d)
    return out


_gc_lock = threading.Lock()
_gc_holders = 0


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a charter is built (compiled, or read from the cache).

    Loading allocates hundreds of thousands of small objects that all stay
    alive; the collector would rescan them again and again (measured: a
    2,000-role charter compiled in 1.2 s with it, 0.4 s without). Nothing is
    left uncollected: the collector resumes, as it was, when the last load
    in progress ends.
    """
    global _gc_holders
    with _gc_lock:
        if _gc_holders == 0:
            gc_paused.was_enabled = gc.isenabled()  # type: ignore[attr-defined]
            gc.disable()
        _gc_holders += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_holders -= 1
            if _gc_holders == 0 and gc_paused.was_enabled:  # type: ignore[attr-defined]
                gc.enable()
