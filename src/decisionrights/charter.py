"""`Charter`: a loaded, compiled charter and the questions it answers."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Literal, Mapping, NoReturn, overload

from .decide.answer import Answer
from .compile.ir import CompiledCharter
from .compile.resolve import suggest
from .compile.stages import compile_charter, errors_beside
from .errors import InvalidRequest, ParseError
from .decide.deciders import Deciders
from .syntax.parse import DEFAULT_LIMITS, Limits, parse
from .decide.request import Validator, request_date, show as _show, today
from .decide.people import able
from .syntax.directory import Directory, read_directory
from .source import NotUTF8, Source, decode as decode_source, without_bom

if TYPE_CHECKING:
    from .analysis.authority import DecisionAuthority


_ANY_ROLE: Any = object()
"""Passed for the role when a question names none (`who_may`); `None` is a wrong role like any other."""


class Charter:
    """A compiled charter. Immutable once loaded, so one instance serves many threads."""

    __slots__ = ("compiled", "deciders", "_asks", "__weakref__")

    def __init__(self, compiled: CompiledCharter):
        self.compiled = compiled
        self.deciders = Deciders(compiled)
        """The charter's one cache for deciding: each decision's validator, each asked pair's generated code."""
        self._asks: dict[str, dict[str, tuple]] = self.deciders.asks
        """The same cache, one lookup nearer (`may` is asked millions of times): per decision, per role asked
        about, the generated `ask` function's constants (`ask` is the first)."""

    # -- facts --------------------------------------------------------------------
    @property
    def title(self) -> str:
        return self.compiled.title

    @property
    def path(self) -> str:
        return self.compiled.source.path

    @property
    def source(self) -> Source:
        return self.compiled.source

    @property
    def roles(self) -> tuple[str, ...]:
        return self.compiled.roles

    @property
    def decisions(self) -> tuple[str, ...]:
        return tuple(self.compiled.decisions)

    def __repr__(self) -> str:
        return f"<Charter {self.title!r} from {self.path}: {len(self.roles)} roles, {len(self.decisions)} decisions>"

    # -- questions ----------------------------------------------------------------
    def _check_names(self, role: str | None, decision: str) -> Validator:
        """The decision's validator, once role and decision are known names; else `InvalidRequest`."""
        validate = self.deciders.validators.get(decision) if type(decision) is str else None
        if validate is None:
            raise InvalidRequest(f"{_show(decision)} is not a decision of this charter"
                                 f"{_guess(decision, self.decisions)}; it has {', '.join(self.decisions) or 'none'}")
        if role is not _ANY_ROLE and (type(role) is not str or role not in self.compiled.manager):
            if type(role) is str and role in self.compiled.people.by_person:
                return validate
            known = (*self.roles, *self.compiled.people.persons)
            what = "a role or a person" if self.compiled.people.persons else "a role"
            raise InvalidRequest(f"{_show(role)} is not {what} of this charter{_guess(role, known)}")
        return validate

    def _check(self, role: str | None, decision: str, attributes: Mapping[str, Any]) -> dict:
        """Validate the names and the request's attributes; raise `InvalidRequest`."""
        return self._check_names(role, decision)(attributes)

    def _fast(self, role: Any, decision: Any) -> tuple:
        """The generated `ask`'s constants for a known role and decision (`ask` first), kept per pair.

        A person is asked the general way (`decide.people`): `(ask, validator, deciders, person, decision)`."""
        validate = self._check_names(role, decision)
        if role not in self.compiled.manager:  # a person (Part II §11)
            return (_ask_as_person, validate, self.deciders, role, decision)
        return self.deciders.k(role, decision)

    def may(self, role: str, decision: str, /, *, on: date | str | None = None, **attributes: Any) -> Answer:
        """May `role` decide `decision` for this request (on date `on`, today by default)?

        Raises `InvalidRequest` for an unknown role or decision, a missing or
        undeclared attribute, or a value of the wrong type; never answers
        `allowed` to a bad request. `role` and `decision` are positional, so
        every other name (`self` too) is an attribute of the request.
        """
        # Only an exact `str` is looked up: a str subclass or an object with its own `__eq__`/`__hash__`
        # would otherwise find the answers kept for the plain name (and could raise from inside the lookup).
        if type(role) is str and type(decision) is str:
            try:
                k = self._asks[decision][role]
            except KeyError:
                k = self._fast(role, decision)
        else:
            k = self._fast(role, decision)  # raises InvalidRequest: not a name
        return k[0](attributes, on, k)  # the date is fixed now, once for the whole answer

    def may_many(self, requests: Iterable[tuple[str, str, Mapping[str, Any]]], *,
                 on: date | str | None = None) -> list[Answer]:
        """Answer many `(role, decision, attributes)` requests, e.g. to replay an audit log.

        The answers come in the order of the requests, all for one date (`on`,
        today by default). A bad request raises `InvalidRequest`.
        """
        day = today() if on is None else request_date(on)  # one date for the whole answer, fixed now
        asks = self._asks
        out = []
        append = out.append
        for request in requests:
            try:
                role, decision, attributes = request
            except (TypeError, ValueError):
                _not_a_request(request)
            if type(request) is not tuple or (type(attributes) is not dict and not isinstance(attributes, Mapping)):
                _not_a_request(request)
            if type(role) is str and type(decision) is str:  # as in `may`: only an exact str is looked up
                try:
                    k = asks[decision][role]
                except KeyError:
                    k = self._fast(role, decision)
            else:
                k = self._fast(role, decision)  # raises InvalidRequest: not a name
            try:
                given = dict(attributes)  # a copy: the answer keeps it, the caller may change theirs
            except Exception:  # noqa: BLE001 - a caller's mapping or key that fails is only a bad request
                _not_a_request(request)
            append(k[0](given, day, k))
        return out

    @overload
    def who_may(self, decision: str, /, *, on: date | str | None = None, people: Literal[False] = False,
                **attributes: Any) -> tuple[str, ...]: ...

    @overload
    def who_may(self, decision: str, /, *, on: date | str | None = None, people: Literal[True],
                **attributes: Any) -> dict[str, tuple[str, ...]]: ...

    def who_may(self, decision: str, /, *, on: date | str | None = None, people: bool = False,
                **attributes: Any) -> tuple[str, ...] | dict[str, tuple[str, ...]]:
        """Every role allowed this request, in the order the charter declares them (`decision` is positional).

        With `people=True`: per role, the persons holding it on that date who may decide it in that role
        (roles nobody allowed holds are left out) — the only way to ask when the rules speak of `me`.
        """
        attrs = self._check(_ANY_ROLE, decision, attributes)
        day = today() if on is None else request_date(on)  # one date for the whole answer, fixed now
        if people:
            able_in = able(self.deciders, decision, attrs, day)
            found = {r: able_in(r) for r in self.compiled.roles}
            return {r: ps for r, ps in found.items() if ps}
        is_allowed = self.deciders.is_allowed
        return tuple(r for r in self.compiled.roles if is_allowed(r, decision, attrs, day))

    @property
    def persons(self) -> tuple[str, ...]:
        """Every person of the charter and its directory file, in the order first stated."""
        return self.compiled.people.persons

    def roles_of(self, person: str, *, on: date | str | None = None) -> tuple[str, ...]:
        """The roles `person` holds on date `on` (today by default), acting cover included."""
        if type(person) is not str or person not in self.compiled.people.by_person:
            raise InvalidRequest(f"{_show(person)} is not a person of this charter"
                                 f"{_guess(person, self.compiled.people.persons)}")
        return self.compiled.people.roles_of(person, request_date(on))

    def holders(self, role: str, *, on: date | str | None = None) -> tuple[str, ...]:
        """The persons holding `role` on date `on` (today by default)."""
        if type(role) is not str or role not in self.compiled.manager:
            raise InvalidRequest(f"{_show(role)} is not a role of this charter{_guess(role, self.roles)}")
        return self.compiled.people.holders(role, request_date(on))

    def with_people(self, people: str | Path | bytes, *, path: str | None = None) -> "Charter":
        """A new charter: this one with the persons of a directory file (CSV or JSON) added (Part II §11).

        `people` is the file's path, or its bytes (then `path` names it in messages). Raises `CharterError`
        with every bad row, and every clash with the charter's own `person` lines, located.
        """
        return Charter(_compiled(self.source.text, self.path, DEFAULT_LIMITS, read_people(people, path)))


    def authority_of(self, role: str, *, on: date | str | None = None) -> dict[str, "DecisionAuthority"]:
        """What `role` may decide, per decision, on date `on` (today by default): exact regions.

        Each value's `text` is the region as a readable condition, `parts` splits
        it by the obligations that apply, `propose` is where it may only
        propose, `delegated` names the delegations it holds. Raises
        `TooComplex` (a `CharterError` with one located `DR200`) when the
        conditions are too complex to analyse exactly within a work budget in
        proportion to the charter.
        """
        from .analysis.authority import Analysis, bounded

        if type(role) is not str or role not in self.compiled.manager:
            raise InvalidRequest(f"`{role}` is not a role of this charter")
        analysis = Analysis(self.compiled, request_date(on))
        out = {}
        with bounded(self.compiled):  # time in proportion to the charter, or `TooComplex`
            for decision in self.compiled.decisions:
                held = analysis.authority(role, decision)
                if not held.region.is_empty() or not held.propose.is_empty():
                    out[decision] = held
        return out


def _not_a_request(request: Any) -> NoReturn:
    raise InvalidRequest(f"each request is a (role, decision, attributes) tuple, not {_show(request)}")


def _guess(name: Any, known: Iterable[str]) -> str:
    """` (did you mean `controller`?)` for a near miss of a known name, else nothing."""
    found = suggest(name, known) if type(name) is str else None
    return f" (did you mean `{found}`?)" if found else ""


def _ask_as_person(a: Mapping[str, Any], on: Any, k: tuple[Any, ...]) -> Answer:
    """The `ask` of a person's request: validate, fix the date, decide as each role they hold."""
    _, validate, deciders, person, decision = k
    found: Answer = deciders.decide(person, decision, validate(a), today() if on is None else request_date(on))
    return found


def read_people(people: str | Path | bytes, path: str | None = None) -> Directory:
    """A directory file of people, read and checked line by line (`syntax.directory`)."""
    if isinstance(people, bytes):
        return read_directory(people, path or "<people>")
    return read_directory(Path(people).read_bytes(), path or str(people))


def loads(text: str, path: str = "<string>", *, limits: Limits = DEFAULT_LIMITS,
          cache: str | Path | None = None, people: str | Path | bytes | None = None) -> Charter:
    """Parse and compile a charter from its text. Raises `CharterError` listing every problem.

    `cache` names a folder where compiled charters are kept, keyed by a hash of
    the text, its path, the limits and this library's code, so loading the
    same text again skips parsing (see docs/api.md). The environment variable
    DECISIONRIGHTS_CACHE_DIR sets it when `cache` is None. An entry is used only
    when this user wrote it (an HMAC under a per-user key, checked before it is
    unpickled); a folder or file someone else owns or may write is not used, and
    a `decisionrights.cache.CacheWarning` says why.

    `people` names a directory file of people (CSV or JSON, Part II §11) read beside the charter; the cache
    is not used then.
    """
    if people is not None:
        if not isinstance(text, str):
            return _compile(text, path, limits)  # the TypeError that says how to decode
        return Charter(_compiled(without_bom(str(text)), path, limits, read_people(people)))
    folder = cache if cache is not None else os.environ.get("DECISIONRIGHTS_CACHE_DIR") or None
    if folder is not None and isinstance(text, str):
        from .cache import load_cached

        text = without_bom(str(text))  # the same entry as the text without it
        return Charter(load_cached(text, path, limits, Path(folder), lambda: _compiled(text, path, limits)))
    return _compile(text, path, limits)


def _compile(text: str, path: str, limits: Limits) -> Charter:
    if not isinstance(text, str):
        raise TypeError(f"a charter's text is a str, not {type(text).__name__}; decode bytes with "
                        f"decisionrights.charter.decode(raw, path)")
    return _build(without_bom(str(text)), path, limits)


def _build(text: str, path: str, limits: Limits) -> Charter:
    return Charter(_compiled(text, path, limits))


def _compiled(text: str, path: str, limits: Limits, directory: Directory | None = None) -> CompiledCharter:
    source = Source(text, path)
    try:
        tree = parse(source, limits)
    except ParseError as exc:  # a syntax error hides no compile error of the other statements
        beside = errors_beside(exc, source)
        if beside:
            raise ParseError(sorted([*exc.diagnostics, *beside], key=_line_order)) from None
        raise
    return compile_charter(tree, source, directory=directory)


def _line_order(d: Any) -> tuple[int, int]:
    return (d.span.line, d.span.column) if d.span else (0, 0)


def load(path: str | Path, *, limits: Limits = DEFAULT_LIMITS, cache: str | Path | None = None,
         people: str | Path | bytes | None = None) -> Charter:
    """Read, parse and compile a charter file (`cache`, `people`: see `loads`)."""
    file = Path(path)
    raw = file.read_bytes()
    return loads(decode(raw, str(path)), str(path), limits=limits, cache=cache, people=people)


def decode(raw: bytes, path: str) -> str:
    """A charter file's text: UTF-8 (a BOM is dropped), line endings as written (`source.decode`).

    Bytes that are not UTF-8 raise the located `DR005` `ParseError`.
    """
    from .diagnostics import Diagnostic, Severity
    from .source import Span

    try:
        return decode_source(raw, path)
    except NotUTF8 as bad:
        raise ParseError([Diagnostic(
            code=bad.code, severity=Severity.ERROR, path=bad.path, span=Span.point(bad.line, bad.column),
            message=bad.message, help=bad.help)]) from None
