"""Engine adapters: ours, the peers (Cedar, Casbin, Rego), plain Python and the floor.

Each ``*_adapter(workload)`` does its translation up front (untimed) and
returns an ``Adapter`` whose ``load()`` is what gets timed as load/compile
time: parsing the policy, building indexes, one first call where the engine
defers work to it. ``load()`` returns a ``Loaded`` with ``decide(query) ->
bool`` and, where the engine has one, a batch call.

An engine whose package is missing raises ``Unavailable`` with the reason.
Every import of a third-party package happens inside an adapter, so this
module imports with none of them installed.

How the charter maps onto each peer (no peer has delegation with
attenuation built in, so each gets the most natural encoding it allows):

* Cedar: roles are entities whose parent is their manager; a forbid on a
  subtree is one ``forbid(principal in Role::"X", ...)``; a delegation is a
  ``permit`` for the delegate whose condition is the delegation's limits AND
  the delegator's grant limits AND NOT the delegator's forbidden categories.
* Casbin (FastEnforcer, policy filtered on role, decision, category): the
  hierarchy and attenuation are flattened into policy lines, one per
  (role, decision, category) with the effective EUR ceiling, and one deny
  line per forbidden (role, decision, category).
* Rego: one data-driven module; the data holds grants, delegations and the
  per-role forbidden categories, and the rules check the delegator's own
  grant and forbids at query time, as the spec says.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workload import CATEGORIES, Query, Workload


class Unavailable(Exception):
    """The engine cannot run here (package not installed, API missing, ...)."""


@dataclass(frozen=True)
class Loaded:
    """A loaded engine: one decision at a time, and optionally a batch call.

    ``prepare_batch`` turns queries into the engine's batch input (untimed);
    ``run_batch`` answers that input (timed), one bool per query.
    """

    decide: Callable[[Query], bool]
    prepare_batch: Callable[[Sequence[Query]], Any] | None = None
    run_batch: Callable[[Any], list[bool]] | None = None
    handle: Any = None  # the engine's own loaded object (our Charter, for lint and diff)


@dataclass(frozen=True)
class Adapter:
    """An engine ready to load: ``load()`` is the timed load/compile step."""

    name: str
    version: str
    load: Callable[[], Loaded]
    native: bool = False  # memory mostly outside the Python heap (tracemalloc cannot see it)


def dist_version(*dists: str) -> str:
    """``name version`` of the first of these distributions installed, or raise Unavailable."""
    for dist in dists:
        try:
            return f"{dist} {importlib.metadata.version(dist)}"
        except importlib.metadata.PackageNotFoundError:
            continue
    raise Unavailable(f"{dists[-1]} is not installed (pip install {dists[-1]})")


def effective_regions(w: Workload) -> dict[tuple[str, str], list[tuple[int, frozenset[str]]]]:
    """(role, decision) -> the (ceiling, categories) regions that allow it, forbids not applied.

    A delegation's region is clipped to the delegator's own grant and loses
    the delegator's forbidden categories (attenuation).
    """
    every = frozenset(CATEGORIES)
    forbidden = w.forbidden_categories()
    own: dict[tuple[str, str], list[tuple[int, frozenset[str]]]] = {}
    for g in w.grants:
        own.setdefault((g.role, g.decision), []).append((g.ceiling, g.categories or every))
    regions = {key: list(value) for key, value in own.items()}
    for d in w.delegations:
        lost = forbidden.get((d.source, d.decision), frozenset())
        for ceiling, cats in own.get((d.source, d.decision), ()):
            clipped = ((d.categories or every) & cats) - lost
            if clipped:
                regions.setdefault((d.target, d.decision), []).append((min(ceiling, d.ceiling), clipped))
    return regions


# ---------------------------------------------------------------- ours


def ours_adapter(w: Workload) -> Adapter:
    """decisionrights itself: ``loads(text)``, ``may``, and ``may_many`` when it exists."""
    src = Path(__file__).resolve().parents[1] / "src"
    if importlib.util.find_spec("decisionrights") is None and src.is_dir():
        sys.path.insert(0, str(src))  # run from a checkout without `pip install -e .`
    try:
        import decisionrights as dr
    except ImportError as exc:
        raise Unavailable(f"decisionrights does not import yet ({exc})") from exc
    if not callable(getattr(dr, "loads", None)):
        raise Unavailable("decisionrights.loads is not implemented yet")
    text = w.text

    limits = dr.Limits(max_bytes=256 * 1024 * 1024)  # the 20,000-role charter is ~6 MB, over the default

    def load() -> Loaded:
        charter = dr.loads(text, limits=limits)
        may = charter.may

        def decide(q: Query) -> bool:
            return bool(may(q.role, q.decision, amount=q.amount, category=q.category))

        may_many = getattr(charter, "may_many", None)
        if may_many is None:
            return Loaded(decide, handle=charter)

        def prepare(queries: Sequence[Query]) -> list[tuple[str, str, dict[str, Any]]]:
            return [(q.role, q.decision, {"amount": q.amount, "category": q.category}) for q in queries]

        def run(requests: list[tuple[str, str, dict[str, Any]]]) -> list[bool]:
            return [bool(a) for a in may_many(requests)]

        return Loaded(decide, prepare, run, handle=charter)

    return Adapter("decisionrights", _ours_version(), load)


def _ours_version() -> str:
    """decisionrights' installed version, or 'source tree' when run from src/."""
    try:
        return dist_version("decisionrights")
    except Unavailable:
        return "source tree"


# ---------------------------------------------------------------- Cedar


def _cedar_limits(ceiling: int, cats: frozenset[str] | None) -> list[str]:
    """Cedar condition terms for ``amount <= ceiling`` and a category set."""
    terms = [f"context.amount <= {ceiling}"]
    if cats is not None:
        terms.append(f"{json.dumps(sorted(cats))}.contains(context.category)")
    return terms


def _cedar_permit(role: str, decision: str, terms: Sequence[str]) -> str:
    """One Cedar permit for a role and decision under a conjunction of terms."""
    return (
        f'permit(principal == Role::"{role}", action == Action::"{decision}", resource)\n'
        f"  when {{ {' && '.join(terms)} }};"
    )


def cedar_policies(w: Workload) -> str:
    """The charter as Cedar policy text (see the module docstring for the mapping)."""
    forbidden = w.forbidden_categories()
    own = {(g.role, g.decision): g for g in w.grants}
    out = [_cedar_permit(g.role, g.decision, _cedar_limits(g.ceiling, g.categories)) for g in w.grants]
    for d in w.delegations:
        grant = own.get((d.source, d.decision))
        if grant is None:
            continue  # the delegator holds nothing: the delegation gives nothing
        terms = _cedar_limits(d.ceiling, d.categories) + _cedar_limits(grant.ceiling, grant.categories)
        lost = forbidden.get((d.source, d.decision))
        if lost:
            terms.append(f"!{json.dumps(sorted(lost))}.contains(context.category)")
        out.append(_cedar_permit(d.target, d.decision, terms))
    for f in w.forbids:
        out.append(
            f'forbid(principal in Role::"{f.root}", action == Action::"{f.decision}", resource)\n'
            f'  when {{ context.category == "{f.category}" }};'
        )
    return "\n".join(out) + "\n"


def cedar_entities(w: Workload) -> str:
    """Roles as Cedar entities, each with its manager as parent."""
    entities = [
        {
            "uid": {"type": "Role", "id": role},
            "attrs": {},
            "parents": [{"type": "Role", "id": w.parent[role]}] if w.parent[role] else [],
        }
        for role in w.roles
    ]
    return json.dumps(entities)


def _cedar_request(q: Query) -> dict[str, Any]:
    """A Cedar request for one query."""
    return {
        "principal": f'Role::"{q.role}"',
        "action": f'Action::"{q.decision}"',
        "resource": 'Charter::"bench"',
        "context": {"amount": q.amount, "category": q.category},
    }


def cedar_adapter(w: Workload) -> Adapter:
    """cedarpy: pre-parsed PolicySet and Entities handles, one is_authorized per query."""
    version = dist_version("cedarpy")
    import cedarpy

    policy_text, entity_json = cedar_policies(w), cedar_entities(w)
    probe = Query(w.roles[0], "d00", 1, CATEGORIES[0])

    def load() -> Loaded:
        policies = cedarpy.PolicySet.from_str(policy_text)
        entities = cedarpy.Entities.from_json_str(entity_json)
        is_authorized, is_authorized_batch = cedarpy.is_authorized, cedarpy.is_authorized_batch

        def decide(q: Query) -> bool:
            return is_authorized(_cedar_request(q), policies, entities).allowed

        def run(requests: list[dict[str, Any]]) -> list[bool]:
            return [r.allowed for r in is_authorized_batch(requests, policies, entities)]

        decide(probe)  # first call
        return Loaded(decide, lambda qs: [_cedar_request(q) for q in qs], run)

    return Adapter("cedarpy", version, load, native=True)


# ---------------------------------------------------------------- Casbin

CASBIN_MODEL = """
[request_definition]
r = sub, act, cat, amount

[policy_definition]
p = sub, act, cat, cap, eft

[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))

[matchers]
m = r.sub == p.sub && r.act == p.act && r.cat == p.cat && r.amount <= num(p.cap)
"""
CASBIN_KEY_ORDER = (0, 1, 2)  # FastEnforcer filters policy lines on sub, act, cat
CASBIN_NO_CAP = 10**15  # a deny line matches whatever the amount


def casbin_policy(w: Workload) -> str:
    """Flattened Casbin policy lines: allow per effective region category, deny per forbid."""
    lines: list[str] = []
    for (role, decision), regions in effective_regions(w).items():
        best: dict[str, int] = {}
        for ceiling, cats in regions:
            for cat in cats:
                best[cat] = max(best.get(cat, 0), ceiling)
        lines.extend(f"p, {role}, {decision}, {cat}, {cap}, allow" for cat, cap in sorted(best.items()))
    for role, decision, category in w.forbid_lines():
        lines.append(f"p, {role}, {decision}, {category}, {CASBIN_NO_CAP}, deny")
    return "\n".join(lines)


def casbin_adapter(w: Workload) -> Adapter:
    """pycasbin's FastEnforcer over a flattened policy, loaded from a string."""
    version = dist_version("pycasbin", "casbin")  # the project publishes as pycasbin since 1.44
    import casbin
    from casbin.model import FastModel
    from casbin.persist.adapters.string_adapter import StringAdapter

    if not hasattr(casbin, "FastEnforcer"):
        raise Unavailable(f"{version} has no FastEnforcer")
    policy = casbin_policy(w)

    def load() -> Loaded:
        model = FastModel(CASBIN_KEY_ORDER)
        model.load_model_from_text(CASBIN_MODEL)
        enforcer = casbin.FastEnforcer(model, StringAdapter(policy), cache_key_order=CASBIN_KEY_ORDER)
        enforcer.add_function("num", int)
        enforce = enforcer.enforce

        def decide(q: Query) -> bool:
            return enforce(q.role, q.decision, q.category, q.amount) is True

        return Loaded(decide)

    return Adapter("casbin FastEnforcer", version, load)


# ---------------------------------------------------------------- Rego

REGO_MODULE = """
package bench

import rego.v1

default allow := false

# Regions are passed in rather than looked up from a role argument:
# rego-cpp scans every grant when a function indexes data by its argument.
covered(regions) if {
    some region in regions
    input.amount <= region.cap
    input.category in region.cats
}

forbidden(role) if input.category in data.forbids[role][input.decision]

allow if {
    not forbidden(input.role)
    covered(data.grants[input.role][input.decision])
}

allow if {
    not forbidden(input.role)
    some delegation in data.delegations[input.role][input.decision]
    input.amount <= delegation.cap
    input.category in delegation.cats
    not forbidden(delegation.source)
    covered(data.grants[delegation.source][input.decision])
}
"""


def rego_data(w: Workload) -> dict[str, Any]:
    """The charter as Rego base documents: grants, delegations, per-role forbidden categories."""
    every = list(CATEGORIES)
    grants: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for g in w.grants:
        region = {"cap": g.ceiling, "cats": sorted(g.categories) if g.categories else every}
        grants.setdefault(g.role, {}).setdefault(g.decision, []).append(region)
    delegations: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for d in w.delegations:
        entry = {"source": d.source, "cap": d.ceiling, "cats": sorted(d.categories) if d.categories else every}
        delegations.setdefault(d.target, {}).setdefault(d.decision, []).append(entry)
    forbids: dict[str, dict[str, list[str]]] = {}
    for (role, decision), cats in w.forbidden_categories().items():
        forbids.setdefault(role, {})[decision] = sorted(cats)
    return {"grants": grants, "delegations": delegations, "forbids": forbids}


def rego_adapter(w: Workload) -> Adapter:
    """regopy (rego-cpp): module + data compiled into a bundle, one bundle query per request."""
    version = dist_version("regopy")
    import regopy

    data_json = json.dumps(rego_data(w))

    def load() -> Loaded:
        interpreter = regopy.Interpreter()
        interpreter.add_module("bench.rego", REGO_MODULE)
        interpreter.add_data_json(data_json)
        bundle = interpreter.build("x = data.bench.allow")
        if not bundle.ok():
            raise Unavailable(f"regopy could not compile the policy: {bundle.node()}")
        set_input, query_bundle, make_input = interpreter.set_input, interpreter.query_bundle, regopy.Input

        def decide(q: Query) -> bool:
            # Keep the Input and Output alive while their native memory is read.
            request = make_input({"role": q.role, "decision": q.decision, "amount": q.amount, "category": q.category})
            set_input(request)
            output = query_bundle(bundle)
            return output.binding("x").value is True

        return Loaded(decide)

    return Adapter("regopy", version, load, native=True)


# ---------------------------------------------------------------- plain Python and the floor


def plain_adapter(w: Workload) -> Adapter:
    """Hand-written dicts and loops: per (role, decision), forbidden categories and allowed regions."""

    def load() -> Loaded:
        forbidden = w.forbidden_categories()
        table: dict[tuple[str, str], tuple[frozenset[str], tuple[tuple[int, frozenset[str]], ...]]] = {
            key: (forbidden.get(key, frozenset()), tuple(regions)) for key, regions in effective_regions(w).items()
        }

        def decide(q: Query) -> bool:
            entry = table.get((q.role, q.decision))
            if entry is None:
                return False
            forbidden_here, regions = entry
            category = q.category
            if category in forbidden_here:
                return False
            amount = q.amount
            for cap, cats in regions:
                if amount <= cap and category in cats:
                    return True
            return False

        return Loaded(decide)

    return Adapter("plain Python", "dicts and loops", load)


def floor_adapter(answers: dict[Query, bool]) -> Adapter:
    """The floor: every answer precomputed, one dict lookup per query."""

    def load() -> Loaded:
        return Loaded(dict(answers).__getitem__)

    return Adapter("floor", "1 dict lookup", load)
