"""Spec §9 law 10 for `diff`, and the laws it owes to order and layout, one test per law.

Each case is a generated charter (`decisionrights.testing.charters()`) and a
mutation of it: a grant, delegation or forbid added, a rule removed, a limit
changed, a delegation's date moved, `authority flows up` switched, the
statements reordered — one or two of these. Then:

- the diff of a charter with itself, or with a reordering of itself, is empty;
- the diff of a charter with its `fmt` output is empty;
- every change's example request really flips between the two charters, on
  every date of the change's range, and so does every other sampled request
  inside the change's region (the `when` text read back as a region);
- every flip found by sampling requests (and dates from `on` on) lies inside a
  reported change: its region holds the request and its range the date.

Select how hard Hypothesis tries with HYPOTHESIS_PROFILE=dev|ci|thorough.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from hypothesis import assume, event, given, note
from hypothesis import strategies as st

import decisionrights as dr
from decisionrights import testing as dt
from decisionrights.analysis.diff import Change, Changes, diff
from decisionrights.syntax.fmt import format_text
from decisionrights.analysis.regions import Region
from helpers import condition_from_text

DAYS_ON = (dt.DATE_ANCHOR - timedelta(days=45), dt.DATE_ANCHOR, dt.DATE_ANCHOR + timedelta(days=100))
"""`on` for the diffs: before, at and after the anchor the generators put delegation dates around."""

WORDS = {"announce": "announce", "inform": "inform", "consult": "consult", "agreement": "with agreement of"}
RULES = ("grant", "propose", "forbid", "delegation", "escalate")


# -- mutations ------------------------------------------------------------------------------

def load(text: str) -> dr.Charter:
    """`dr.loads` takes a plain `str`; the generators hand out `CharterText`, a subclass."""
    return dr.loads(str(text))


def _compiles(text: str) -> bool:
    try:
        load(text)
    except dr.CharterError:
        return False
    return True


_NUMBER = re.compile(r"(?<=[<>=] )(\d[\d_]*(?:\.\d+)?[kM]?)(?![\w.\-])")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@st.composite
def _change_literal(draw: Any, text: str, pattern: re.Pattern[str], new_value: st.SearchStrategy[str],
                    ) -> dt.CharterText:
    """One literal of a rule (a limit, or a date) rewritten; the text unchanged if it has none."""
    stmts = dt.split_statements(text)
    spots = [(i, m.span()) for i, s in enumerate(stmts) if dt.statement_kind(s) in RULES
             for m in pattern.finditer(s)]
    if not spots:
        return dt.CharterText(text)
    i, (start, end) = draw(st.sampled_from(spots))
    stmts[i] = stmts[i][:start] + draw(new_value) + stmts[i][end:]
    changed = dt.join_statements(stmts)
    return changed if _compiles(changed) else dt.CharterText(text)


_LIMITS = st.one_of(st.sampled_from(("0", "1", "2", "5", "10", "25k", "30k", "1k", "2.5", "250k")),
                    st.integers(0, 2_000_000).map(str))
_DAYS = st.integers(-400, 400).map(lambda k: (dt.DATE_ANCHOR + timedelta(days=k)).isoformat())


@st.composite
def _remove_rule(draw: Any, text: str) -> dt.CharterText:
    stmts = dt.split_statements(text)
    rules = [i for i, s in enumerate(stmts) if dt.statement_kind(s) in RULES]
    if not rules:
        return dt.CharterText(text)
    return dt.remove_statement(text, draw(st.sampled_from(rules)))


def _toggle_flows_up(text: str) -> dt.CharterText:
    stmts = dt.split_statements(text)
    kept = [s for s in stmts if dt.statement_kind(s) != "flows_up"]
    if len(kept) == len(stmts):
        kept.insert(1, "authority flows up")
    return dt.join_statements(kept)


@st.composite
def _mutation(draw: Any, text: str) -> dt.CharterText:
    kind = draw(st.sampled_from(("add grant", "add delegation", "add forbid", "remove", "limit", "date",
                                 "flows up", "reorder")))
    event(f"mutation: {kind}")
    if kind == "add grant":
        return dt.add_statement(text, draw(dt.grant_statements(text, max_leaves=3)))
    if kind == "add delegation":
        return dt.add_statement(text, draw(dt.delegation_statements(text)))
    if kind == "add forbid":
        return dt.add_statement(text, draw(dt.forbid_statements(text)))
    if kind == "remove":
        return draw(_remove_rule(text))
    if kind == "limit":
        return draw(_change_literal(text, _NUMBER, _LIMITS))
    if kind == "date":
        return draw(_change_literal(text, _DATE, _DAYS))
    if kind == "flows up":
        return _toggle_flows_up(text)
    return draw(dt.reorderings(text))


@st.composite
def pairs(draw: Any) -> tuple[dt.CharterText, dt.CharterText]:
    """A charter and a mutation of it (one or two steps)."""
    old = draw(dt.charters(max_statements=6), label="old")
    new = old
    for _ in range(draw(st.integers(1, 2))):
        new = draw(_mutation(new))
    note(f"new charter:\n{new}")
    return old, new


# -- reading changes back -------------------------------------------------------------------

@lru_cache(maxsize=2048)
def _region(charter: dr.Charter, decision: str, when: str) -> Region:
    """A change's `when` text, parsed back and typed against the decision: the change's region."""
    cc = charter.compiled
    attrs = cc.decisions[decision].attrs
    if when == "true":  # how a region renders every request; not a condition the language reads
        return Region.everything(attrs)
    return Region.from_cond(condition_from_text(when, attrs, cc.currency), attrs)


def _in_range(change: Change, on: date, day: date) -> bool:
    start = change.from_date or on
    return start <= day and (change.until_date is None or day <= change.until_date)


def _words(answer: Any) -> frozenset[str]:
    return frozenset(f"{WORDS[kind]} {role}" for kind in WORDS for role in getattr(answer, kind))


def _attributes(charter: dr.Charter, decision: str, example: dict[str, Any]) -> dict[str, Any]:
    """A change's example (JSON-ready values) as the request it stands for."""
    attrs = charter.compiled.decisions[decision].attrs
    out: dict[str, Any] = {}
    for name, value in example.items():
        kind = attrs[name].kind
        if kind in ("money", "number") and isinstance(value, str):
            value = Decimal(value)
        elif kind == "date" and isinstance(value, str):
            value = date.fromisoformat(value)
        out[name] = value
    return out


def _flip(old: dr.Charter, new: dr.Charter, change: Change, attrs: dict[str, Any], day: date) -> str | None:
    """Why the request does not show the change on `day`; None when it does."""
    before = old.may(change.role, change.decision, on=day, **attrs)
    after = new.may(change.role, change.decision, on=day, **attrs)
    if change.kind == "widened" and not (after.allowed and not before.allowed):
        return f"widened, but old allowed={before.allowed}, new allowed={after.allowed}"
    if change.kind == "narrowed" and not (before.allowed and not after.allowed):
        return f"narrowed, but old allowed={before.allowed}, new allowed={after.allowed}"
    if change.kind == "obligations":
        if not (before.allowed and after.allowed):
            return f"obligations, but old allowed={before.allowed}, new allowed={after.allowed}"
        added, removed = _words(after) - _words(before), _words(before) - _words(after)
        if (added, removed) != (set(change.obligations_added), set(change.obligations_removed)):
            return f"obligations: the answers add {sorted(added)} and drop {sorted(removed)}"
    return None


def _days_of(change: Change, on: date) -> list[date]:
    """The first and last day of the change's range (a year on when it is open)."""
    start = change.from_date or on
    end = change.until_date or start + timedelta(days=365)
    return sorted({start, end, start + (end - start) // 2})


def _authority_changes(changes: Changes) -> list[Change]:
    return [c for c in changes if c.kind in ("widened", "narrowed", "obligations")]


# -- the laws -------------------------------------------------------------------------------

@given(st.data())
def test_diff_of_same_is_empty(data: st.DataObject) -> None:
    """A charter against itself, loaded twice, or with its statements in another order: no change."""
    text = data.draw(dt.charters(), label="charter")
    on = data.draw(st.sampled_from(DAYS_ON), label="on")
    charter = load(text)
    assert not diff(charter, charter, on=on)
    assert not diff(charter, load(text), on=on)
    shuffled = data.draw(dt.reorderings(text), label="reordered")
    changes = diff(charter, load(shuffled), on=on)
    assert not changes, changes.to_json()


@given(st.data())
def test_diff_ignores_formatting(data: st.DataObject) -> None:
    """`fmt` changes the layout, never the authority: diff(fmt(a), a) and diff(a, fmt(a)) are empty."""
    old, new = data.draw(pairs(), label="pair")
    on = data.draw(st.sampled_from(DAYS_ON), label="on")
    for text in (old, new):
        charter = load(text)
        formatted = load(format_text(str(text)))
        assert not diff(formatted, charter, on=on), diff(formatted, charter, on=on).to_json()
        assert not diff(charter, formatted, on=on)


@given(st.data())
def test_diff_is_exact_examples_flip(data: st.DataObject) -> None:
    """Every change's example is a real request that flips, on the first, a middle and the last day
    of the change's range, and lies inside the change's own `when`."""
    old_text, new_text = data.draw(pairs(), label="pair")
    on = data.draw(st.sampled_from(DAYS_ON), label="on")
    old, new = load(old_text), load(new_text)
    changes = _authority_changes(diff(old, new, on=on))
    event(f"changes reported: {min(len(changes), 3)}{'+' if len(changes) >= 3 else ''}")
    for change in changes:
        attrs = _attributes(new, change.decision, change.example)
        assert _region(new, change.decision, change.when).contains(attrs), (change.when, change.example)
        assert change.example_text, change
        for day in _days_of(change, on):
            problem = _flip(old, new, change, attrs, day)
            assert problem is None, f"{change.role} · {change.decision} on {day}: {problem}\n{change}"


@given(st.data())
def test_diff_is_exact_every_request_in_a_region_flips(data: st.DataObject) -> None:
    """Not only the examples: any sampled request inside a change's region, on a date in its range,
    flips the way the change says."""
    old_text, new_text = data.draw(pairs(), label="pair")
    on = data.draw(st.sampled_from(DAYS_ON), label="on")
    old, new = load(old_text), load(new_text)
    changes = _authority_changes(diff(old, new, on=on))
    assume(changes)
    schema = dt.schema_of(new_text)
    for change in changes:
        region = _region(new, change.decision, change.when)
        reqs = data.draw(st.lists(st.one_of(dt.requests(old_text, decision=change.decision),
                                            dt.requests(schema, decision=change.decision)),
                                  min_size=1, max_size=8), label=f"requests for {change.role}")
        for req in reqs:
            day = max(req.on, change.from_date or on)
            if not (region.contains(req.attributes) and _in_range(change, on, day)):
                continue
            event("a sampled request inside a region")
            problem = _flip(old, new, change, req.attributes, day)
            assert problem is None, f"{change.role} · {change.decision} {req.attributes} on {day}: {problem}\n{change}"


@given(st.data())
def test_diff_covers_every_sampled_flip(data: st.DataObject) -> None:
    """Every request whose answer differs (allowed, or the obligations when both allow), for any
    role of both charters, on a date from `on` on, lies in a reported change of that kind."""
    old_text, new_text = data.draw(pairs(), label="pair")
    on = data.draw(st.sampled_from(DAYS_ON), label="on")
    old, new = load(old_text), load(new_text)
    changes = diff(old, new, on=on)
    assert not any(c.kind.startswith("decision") for c in changes), "the mutations never touch declarations"
    reqs = data.draw(st.lists(st.one_of(dt.requests(old_text), dt.requests(new_text)), min_size=4, max_size=16),
                     label="requests")
    roles = [r for r in new.roles if r in old.roles]
    flips = 0
    for req in reqs:
        day = max(req.on, on)
        for role in roles:
            before = old.may(role, req.decision, on=day, **req.attributes)
            after = new.may(role, req.decision, on=day, **req.attributes)
            if before.allowed != after.allowed:
                kind = "widened" if after.allowed else "narrowed"
            elif before.allowed and _words(before) != _words(after):
                kind = "obligations"
            else:
                continue
            flips += 1
            found = [c for c in changes if c.kind == kind and c.role == role and c.decision == req.decision
                     and _in_range(c, on, day) and _region(new, c.decision, c.when).contains(req.attributes)]
            assert found, (f"{role} · {req.decision} {kind} for {req.attributes} on {day}, "
                           f"but no reported change holds it:\n{changes.to_json()}")
            if kind == "obligations":
                added, removed = _words(after) - _words(before), _words(before) - _words(after)
                assert any((set(c.obligations_added), set(c.obligations_removed)) == (added, removed)
                           for c in found), (added, removed, found)
    event(f"sampled flips: {min(flips, 5)}{'+' if flips >= 5 else ''}")


@given(st.data())
def test_diff_backwards_mirrors_forwards(data: st.DataObject) -> None:
    """diff(b, a) reports what diff(a, b) does, turned round: widened ↔ narrowed over the same
    requests and days, obligations added ↔ removed."""
    old_text, new_text = data.draw(pairs(), label="pair")
    on = data.draw(st.sampled_from(DAYS_ON), label="on")
    old, new = load(old_text), load(new_text)
    turn = {"widened": "narrowed", "narrowed": "widened", "obligations": "obligations"}

    def regions(changes: Changes, backwards: bool) -> dict[tuple, Region]:
        out: dict[tuple, Region] = {}
        for c in _authority_changes(changes):
            added, removed = sorted(c.obligations_added), sorted(c.obligations_removed)
            kind = turn[c.kind] if backwards else c.kind
            if backwards:
                added, removed = removed, added
            key = (kind, c.role, c.decision, c.from_date, c.until_date, tuple(added), tuple(removed))
            region = _region(new, c.decision, c.when)
            out[key] = out[key] | region if key in out else region
        return out

    forwards, backwards = regions(diff(old, new, on=on), False), regions(diff(new, old, on=on), True)
    assert set(forwards) == set(backwards)
    for key, region in forwards.items():
        assert region == backwards[key], key
