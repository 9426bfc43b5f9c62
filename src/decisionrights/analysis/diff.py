"""`diff(old, new)`: whose authority widened or narrowed, for exactly which requests.

Computed with the region algebra, not by sampling: for every role and
decision present in both charters, the requests gained and lost, and where
both allow, the obligations added or dropped. Delegation dates make
authority change over time, so the diff is taken on each date range between
the charters' delegation dates from `on` onward, and a change that holds only
on some dates says so. A reordering or reformatting changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Callable, Literal

from pydantic import BaseModel, ConfigDict

from .. import markdown as md
from .authority import Analysis, bounded_analysis
from ..compile.ir import CompiledCharter
from ..words import IN_A_SENTENCE, KEYWORD, Obligations, request_text
from .regions import Region

if TYPE_CHECKING:
    from ..charter import Charter

ChangeKind = Literal["widened", "narrowed", "obligations", "role_added", "role_removed", "decision_added",
                     "decision_removed", "decision_changed"]


class Place(BaseModel):
    model_config = ConfigDict(frozen=True)

    file: str
    line: int
    text: str


class Change(BaseModel):
    """One change of authority. `when` is the region as a readable condition."""

    model_config = ConfigDict(frozen=True)

    kind: ChangeKind
    role: str | None = None
    decision: str | None = None
    when: str | None = None
    example: dict[str, Any] | None = None
    example_text: str | None = None
    obligations_added: tuple[str, ...] = ()
    obligations_removed: tuple[str, ...] = ()
    from_date: date | None = None
    until_date: date | None = None
    old: tuple[Place, ...] = ()
    new: tuple[Place, ...] = ()
    detail: str | None = None

    def dates(self) -> str:
        if self.from_date and self.until_date:
            return f"from {self.from_date} until {self.until_date}"
        if self.from_date:
            return f"from {self.from_date}"
        if self.until_date:
            return f"until {self.until_date}"
        return ""


class Changes(BaseModel):
    """All changes from one charter to another, in role, then decision order."""

    model_config = ConfigDict(frozen=True)

    old: str
    new: str
    on: date
    changes: tuple[Change, ...]

    def __bool__(self) -> bool:
        return bool(self.changes)

    def __len__(self) -> int:
        return len(self.changes)

    def __iter__(self):  # type: ignore[override]
        return iter(self.changes)

    @property
    def widened(self) -> bool:
        """Did anyone gain authority (or lose an obligation)? A changed decision may have widened too."""
        return any(c.kind in ("widened", "role_added", "decision_added", "decision_changed") or
                   (c.kind == "obligations" and c.obligations_removed) for c in self.changes)

    @property
    def narrowed(self) -> bool:
        """Did anyone lose authority (or gain an obligation)? A changed decision may have narrowed too."""
        return any(c.kind in ("narrowed", "role_removed", "decision_removed", "decision_changed") or
                   (c.kind == "obligations" and c.obligations_added) for c in self.changes)

    def to_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), indent=2)


# -- computing ---------------------------------------------------------------------

def _obligation_words(obligations: frozenset) -> tuple[str, ...]:
    """Obligations as the charter writes them: `inform cfo`, `with agreement of controller`."""
    return Obligations(obligations).written()


def _as_verbs(words: tuple[str, ...], name: Callable[[str], str] = str) -> str:
    """`with agreement of controller` → `get the agreement of controller`, for a sentence (each role
    shown by `name`: as it is, or as a Markdown code span)."""
    out = []
    for word in words:
        for kind, keyword in KEYWORD.items():
            if word.startswith(keyword + " "):
                out.append(f"{IN_A_SENTENCE[kind]} {name(word[len(keyword) + 1:])}")
                break
    return ", ".join(out)


def _schema(cc: CompiledCharter, decision: str) -> dict:
    """What a decision's requests are, in no particular order: names, types, choices, defaults, currency."""
    return {n: (s.kind, frozenset(s.members), s.has_default, s.default, s.currency)
            for n, s in cc.decisions[decision].attrs.items()}


def _same_schema(a: CompiledCharter, b: CompiledCharter, decision: str) -> bool:
    return _schema(a, decision) == _schema(b, decision)


def _into(region: Region, attrs) -> Region:
    """The same requests over the other charter's attribute list (declared in another order)."""
    if tuple(region.attrs.items()) == tuple(attrs.items()):
        return region
    return Region.from_cond(region.to_cond(), attrs)


def _fingerprint(cc: CompiledCharter, role: str, decision: str) -> tuple:
    """Everything a role's authority over a decision depends on, without spans or order."""
    paths = []
    roles = {role}
    for p in cc.ways.get((role, decision), ()):
        paths.append((repr(p.cond), p.start, p.end, tuple(sorted(p.obligations)), p.chain))
        roles.update(p.chain)
    forbids = sorted((r, repr(f.cond)) for r in roles for f in cc.forbids_of.get((r, decision), ()))
    return tuple(sorted(paths, key=repr)), tuple(forbids)


def _breakpoints(*charters: CompiledCharter) -> list[date]:
    days = set()
    for cc in charters:
        for d in cc.delegations:
            if d.start:
                days.add(d.start)
            if d.end:
                days.add(d.end + timedelta(days=1))
    return sorted(days)


def _places(cc: CompiledCharter, an: Analysis, role: str, decision: str, region) -> tuple[Place, ...]:
    """The statements whose ways in overlap `region`: the source spans behind a change."""
    out = {}
    for p in cc.ways.get((role, decision), ()):
        if (an.way_region(p) & region).is_empty():
            continue
        for rule in (p.grant.rule, *(link.rule for link in p.links)):
            out[(rule.path, rule.line)] = Place(file=rule.path, line=rule.line, text=rule.text)
    roles = {role} | {r for p in cc.ways.get((role, decision), ()) for r in p.chain}
    for r in roles:
        for f in cc.forbids_of.get((r, decision), ()):
            if not (an.region(f.cond, decision) & region).is_empty():
                out[(f.rule.path, f.rule.line)] = Place(file=f.rule.path, line=f.rule.line, text=f.rule.text)
    return tuple(sorted(out.values(), key=lambda p: p.line))


@dataclass
class _Segment:
    start: date
    end: date | None  # inclusive; None: open-ended
    old: Analysis
    new: Analysis


def _segments(a: CompiledCharter, b: CompiledCharter, on: date) -> list[_Segment]:
    cuts = [d for d in _breakpoints(a, b) if d > on]
    starts = [on, *cuts]
    out = []
    for i, start in enumerate(starts):
        end = starts[i + 1] - timedelta(days=1) if i + 1 < len(starts) else None
        out.append(_Segment(start, end, Analysis(a, start), Analysis(b, start)))
    return out


def _region_changes(a: CompiledCharter, b: CompiledCharter, role: str, decision: str,
                    seg: _Segment) -> list[Change]:
    old = seg.old.authority(role, decision)
    new = seg.new.authority(role, decision)
    space = a.decisions[decision].attrs
    cur = b.currency
    out: list[Change] = []
    new_region = _into(new.region, space)
    gained = new_region - old.region
    lost = old.region - new_region
    for kind, region, shown_by in (("widened", gained, b), ("narrowed", lost, a)):
        if region.is_empty():
            continue
        sample = region.sample()
        out.append(Change(kind=kind, role=role, decision=decision, when=region.render(cur),
                          example={k: _plain(v) for k, v in sample.items()},
                          example_text=request_text(shown_by.decisions[decision].attrs, sample),
                          old=_places(a, seg.old, role, decision, region),
                          new=_places(b, seg.new, role, decision, region)))
    for po in old.parts:
        for pn in new.parts:
            if po.obligations == pn.obligations:
                continue
            both = po.region & _into(pn.region, space)
            if both.is_empty():
                continue
            sample = both.sample()
            out.append(Change(kind="obligations", role=role, decision=decision, when=both.render(cur),
                              example={k: _plain(v) for k, v in sample.items()},
                              example_text=request_text(b.decisions[decision].attrs, sample),
                              obligations_added=_obligation_words(pn.obligations - po.obligations),
                              obligations_removed=_obligation_words(po.obligations - pn.obligations),
                              old=_places(a, seg.old, role, decision, both),
                              new=_places(b, seg.new, role, decision, both)))
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _key(change: Change) -> tuple:
    return (change.kind, change.role, change.decision, change.when, change.obligations_added,
            change.obligations_removed)


@bounded_analysis
def diff(old: Charter, new: Charter, on: date | None = None) -> Changes:
    """Every change of authority from `old` to `new`, from date `on` (today) onward."""
    a, b = old.compiled, new.compiled
    day = on or date.today()
    changes: list[Change] = []
    for role in b.roles:
        if role not in a.manager:
            changes.append(Change(kind="role_added", role=role))
    for role in a.roles:
        if role not in b.manager:
            changes.append(Change(kind="role_removed", role=role))
    for name in b.decisions:
        if name not in a.decisions:
            changes.append(Change(kind="decision_added", decision=name))
    for name in a.decisions:
        if name not in b.decisions:
            changes.append(Change(kind="decision_removed", decision=name))
    common = [d for d in b.decisions if d in a.decisions]
    comparable = []
    for decision in common:
        if _same_schema(a, b, decision):
            comparable.append(decision)
        else:
            changes.append(Change(kind="decision_changed", decision=decision,
                                  detail="its attributes changed, so requests before and after are not the same "
                                         "requests; review every grant of it"))
    segments = None
    for role in b.roles:
        if role not in a.manager:
            continue
        for decision in comparable:
            if _fingerprint(a, role, decision) == _fingerprint(b, role, decision):
                continue
            if segments is None:
                segments = _segments(a, b, day)
            found: dict[tuple, list[Change]] = {}
            for seg in segments:
                for change in _region_changes(a, b, role, decision, seg):
                    runs = found.setdefault(_key(change), [])
                    last = runs[-1] if runs else None
                    if last is not None and last.until_date is not None and \
                            last.until_date + timedelta(days=1) == seg.start:
                        runs[-1] = last.model_copy(update={"until_date": seg.end})  # the same change goes on
                    else:
                        runs.append(change.model_copy(update={"from_date": seg.start, "until_date": seg.end}))
            for change in sorted((c for runs in found.values() for c in runs),
                                 key=lambda c: (c.from_date or day, c.kind)):
                if change.from_date == day:
                    change = change.model_copy(update={"from_date": None})
                changes.append(change)
    return Changes(old=a.source.path, new=b.source.path, on=day, changes=tuple(changes))


# -- rendering ---------------------------------------------------------------------

_VERB = {"widened": "widened", "narrowed": "narrowed", "obligations": "obligations"}


def _for(when: str | None, name: Callable[[str], str] = str) -> str:
    return "for every request" if when == "true" else f"when {name(when)}"


def _headline(c: Change, name: Callable[[str], str] = str, prose: Callable[[str], str] = str) -> str:
    """One change in words; `name` shows each name, condition and value (as it is, or as a Markdown
    code span), `prose` the free text of a changed decision."""
    if c.kind == "widened":
        return f"now also {_for(c.when, name)}"
    if c.kind == "narrowed":
        return f"no longer {_for(c.when, name)}"
    if c.kind == "obligations":
        parts = []
        if c.obligations_added:
            parts.append("now must " + _as_verbs(c.obligations_added, name))
        if c.obligations_removed:
            parts.append("no longer must " + _as_verbs(c.obligations_removed, name))
        return "; ".join(parts) + f" {_for(c.when, name)}"
    if c.kind in ("role_added", "role_removed"):
        return f"role {name(c.role)} {c.kind.split('_')[1]}"
    if c.kind in ("decision_added", "decision_removed"):
        return f"decision {name(c.decision)} {c.kind.split('_')[1]}"
    return f"decision {name(c.decision)} changed: {prose(c.detail)}"


def _where(c: Change) -> str:
    places = c.new or c.old
    return ", ".join(f"{p.file}:{p.line}" for p in places[:3])


def render_text(changes: Changes) -> str:
    if not changes:
        return f"no change of authority between {changes.old} and {changes.new}"
    rows = []
    for c in changes:
        if c.role and c.decision:
            who = f"{c.role} · {c.decision}"
            rows.append((who, c.kind, _headline(c), c))
        else:
            rows.append(("", c.kind.replace("_", " "), _headline(c), c))
    width = max(len(r[0]) for r in rows)
    verbw = max(len(r[1]) for r in rows)
    out = []
    for who, verb, headline, c in rows:
        dates = f"  ({c.dates()})" if c.dates() else ""
        out.append(f"{who.ljust(width)}   {verb.ljust(verbw)}   {headline}{dates}")
        if c.example_text:
            where = _where(c)
            out.append(f"{'':{width}}   {'':{verbw}}   e.g. {c.example_text}" + (f"   ({where})" if where else ""))
    return "\n".join(out)


def _md_headline(c: Change) -> str:
    """`_headline` for a Markdown table cell: every name, condition and value in a code span."""
    return _headline(c, md.code, lambda detail: md.text(detail or ""))


def render_markdown(changes: Changes) -> str:
    """A pull-request comment: a summary line, then one table row per change.

    Everything that comes from a charter or a file name is in a code span
    (`decisionrights.markdown`): no mention, image, link or HTML from a text
    literal reaches the comment, and no `|` or line break splits the table.
    """
    old, new = md.code(changes.old, table=False), md.code(changes.new, table=False)
    if not changes:
        return f"### Decision rights: no change\n\n{new} grants exactly what {old} did.\n"
    widened = sum(c.kind == "widened" for c in changes)
    narrowed = sum(c.kind == "narrowed" for c in changes)
    other = len(changes) - widened - narrowed
    lines = [f"### Decision rights: {widened} widened, {narrowed} narrowed, {other} other",
             "", f"Comparing {old} → {new}, from {changes.on}.", "",
             "| who | change | for requests | example | where |", "| --- | --- | --- | --- | --- |"]
    icon = {"widened": "⬆️ widened", "narrowed": "⬇️ narrowed", "obligations": "🔁 obligations"}
    for c in changes:
        who = f"{md.code(c.role)} · {md.code(c.decision)}" if c.role and c.decision else ""
        what = icon.get(c.kind, c.kind.replace("_", " "))
        headline = _md_headline(c)
        if c.dates():
            headline += f" ({c.dates()})"
        example = md.code(c.example_text) if c.example_text else ""
        where = ", ".join(md.code(f"{p.file}:{p.line}") for p in (c.new or c.old)[:3])
        lines.append(f"| {who} | {what} | {headline} | {example} | {where} |")
    return "\n".join(lines) + "\n"
