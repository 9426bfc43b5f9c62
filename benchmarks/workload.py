"""Seeded generator of the benchmark workload: an organisation's charter.

The workload is a 6-level reporting tree of ``n_roles`` roles, 20 decisions
``d00``..``d19`` (each with ``amount: money`` and ``category: one of c0..c7``),
grants whose EUR ceilings shrink with depth, delegations from managers to a
direct report, and forbids on (role subtree, decision, category).

``make_workload`` returns both the structured statements (which the peer
adapters translate) and the charter text in the decisionrights language
(which our engine and the reference interpreter parse). ``make_queries``
draws the requests that every engine must answer identically.

Meaning (no ``authority flows up``, no ``may subdelegate``): role R may decide
D for (amount, category) iff no forbid on R matches, and either a grant of R
for D matches, or a delegation M→R for D matches and M itself may decide the
same request through its own grants (M's forbids included).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import NamedTuple

LEVELS = 6
N_DECISIONS = 20
CATEGORIES: tuple[str, ...] = tuple(f"c{i}" for i in range(8))
DECISIONS: tuple[str, ...] = tuple(f"d{i:02d}" for i in range(N_DECISIONS))

# Base EUR ceiling of a grant held by a role at each level (root first).
LEVEL_CEILING: tuple[int, ...] = (5_000_000, 1_000_000, 250_000, 50_000, 10_000, 2_000)
GRANT_CEILING_FACTORS: tuple[float, ...] = (0.5, 1.0, 1.0, 2.0)
GRANT_DENSITY = 0.25  # chance that a role holds a grant for a given decision
GRANT_LIMITED_SHARE = 0.35  # share of grants limited to a subset of categories
DELEGATION_RATE_WITH_GRANT = 0.6  # manager with a grant delegates the decision
DELEGATION_RATE_WITHOUT_GRANT = 0.05  # "dead" delegation: the manager holds nothing
DELEGATION_LOWER_FACTORS: tuple[float, ...] = (0.1, 0.2, 0.25, 0.5)
DELEGATION_HIGHER_FACTORS: tuple[float, ...] = (1.5, 2.0, 4.0)  # engine must clip
DELEGATION_HIGHER_SHARE = 0.2
DELEGATION_LIMITED_SHARE = 0.5
FORBIDS_PER_ROLE = 0.1  # forbid triples per role; roots sit at level 2 or deeper


class Query(NamedTuple):
    """One request: may ``role`` decide ``decision`` for this amount and category?"""

    role: str
    decision: str
    amount: int
    category: str


@dataclass(frozen=True)
class Grant:
    """``role may decide decision when amount <= ceiling [and category in categories]``."""

    role: str
    decision: str
    ceiling: int
    categories: frozenset[str] | None  # None: any category


@dataclass(frozen=True)
class Delegation:
    """``source delegates decision to target when amount <= ceiling [and category in ...]``."""

    source: str
    target: str
    decision: str
    ceiling: int
    categories: frozenset[str] | None


@dataclass(frozen=True)
class Forbid:
    """Nobody in ``root``'s subtree may decide ``decision`` when ``category`` matches."""

    root: str
    decision: str
    category: str


@dataclass
class Workload:
    """A generated charter: its structure, its derived indexes and its text."""

    n_roles: int
    seed: int
    roles: tuple[str, ...]
    parent: dict[str, str | None]
    level: dict[str, int]
    grants: list[Grant]
    delegations: list[Delegation]
    forbids: list[Forbid]
    text: str = ""
    children: dict[str, list[str]] = field(default_factory=dict)

    @property
    def statement_count(self) -> int:
        """Statements in the text: header, role lines, decisions, grants, delegations, forbid lines."""
        return sum(1 for line in self.text.splitlines() if line and not line[0].isspace() and line != "}")

    def subtree(self, root: str) -> list[str]:
        """``root`` and every role that reports to it, directly or indirectly."""
        out, stack = [], [root]
        while stack:
            role = stack.pop()
            out.append(role)
            stack.extend(self.children.get(role, ()))
        return out

    def forbid_lines(self) -> list[tuple[str, str, str]]:
        """Forbids expanded to one (role, decision, category) per role of each subtree."""
        seen: dict[tuple[str, str, str], None] = {}
        for f in self.forbids:
            for role in self.subtree(f.root):
                seen[(role, f.decision, f.category)] = None
        return list(seen)

    def forbidden_categories(self) -> dict[tuple[str, str], frozenset[str]]:
        """(role, decision) -> the categories forbidden to that role for that decision."""
        acc: dict[tuple[str, str], set[str]] = {}
        for role, decision, category in self.forbid_lines():
            acc.setdefault((role, decision), set()).add(category)
        return {key: frozenset(cats) for key, cats in acc.items()}


# ---------------------------------------------------------------- the tree


def level_sizes(n_roles: int) -> list[int]:
    """Roles per level of a 6-level tree with exactly ``n_roles`` roles.

    The fan-out ``f`` solves 1 + f + ... + f^5 = n_roles; the deepest level
    takes whatever the rounding left over.
    """
    if n_roles < LEVELS:
        raise ValueError(f"need at least {LEVELS} roles for a {LEVELS}-level tree")
    lo, hi = 1.0, float(n_roles)
    for _ in range(100):
        mid = (lo + hi) / 2
        if sum(mid**k for k in range(LEVELS)) < n_roles:
            lo = mid
        else:
            hi = mid
    sizes = [max(1, round(lo**k)) for k in range(LEVELS - 1)]
    sizes.append(n_roles - sum(sizes))
    if sizes[-1] < sizes[-2]:
        raise ValueError(f"cannot lay out {n_roles} roles in {LEVELS} levels")
    return sizes


def build_tree(n_roles: int) -> tuple[list[str], dict[str, str | None], dict[str, int]]:
    """Roles ``r0``.. in breadth-first order, each parent's children contiguous."""
    sizes = level_sizes(n_roles)
    roles: list[str] = []
    parent: dict[str, str | None] = {}
    level: dict[str, int] = {}
    previous: list[str] = []
    for depth, size in enumerate(sizes):
        current = [f"r{len(roles) + j}" for j in range(size)]
        for j, role in enumerate(current):
            parent[role] = previous[j * len(previous) // size] if previous else None
            level[role] = depth
        roles.extend(current)
        previous = current
    return roles, parent, level


# ---------------------------------------------------------------- statements


def _categories(rng: random.Random, limited_share: float) -> frozenset[str] | None:
    """None (any category) or a random proper, non-empty subset of the 8 categories."""
    if rng.random() >= limited_share:
        return None
    k = rng.randint(1, len(CATEGORIES) - 1)
    return frozenset(rng.sample(CATEGORIES, k))


def _round_k(value: float) -> int:
    """Round a ceiling to whole thousands, at least 1k."""
    return max(1000, int(round(value / 1000)) * 1000)


def make_grants(rng: random.Random, roles: Sequence[str], level: dict[str, int]) -> list[Grant]:
    """At most one grant per (role, decision); deeper roles get lower ceilings."""
    grants = []
    for role in roles:
        for decision in DECISIONS:
            if rng.random() < GRANT_DENSITY:
                ceiling = _round_k(LEVEL_CEILING[level[role]] * rng.choice(GRANT_CEILING_FACTORS))
                grants.append(Grant(role, decision, ceiling, _categories(rng, GRANT_LIMITED_SHARE)))
    return grants


def make_delegations(
    rng: random.Random,
    roles: Sequence[str],
    children: dict[str, list[str]],
    level: dict[str, int],
    grants: Sequence[Grant],
) -> list[Delegation]:
    """Managers pass part of a decision to one direct report.

    Usually below the manager's own ceiling; sometimes above it (the engine
    must clip to the manager's limit); occasionally from a manager who holds
    no grant at all (the delegation gives nothing).
    """
    own = {(g.role, g.decision): g for g in grants}
    delegations = []
    for manager in roles:
        reports = children.get(manager)
        if not reports:
            continue
        for decision in DECISIONS:
            grant = own.get((manager, decision))
            rate = DELEGATION_RATE_WITH_GRANT if grant else DELEGATION_RATE_WITHOUT_GRANT
            if rng.random() >= rate:
                continue
            base = grant.ceiling if grant else LEVEL_CEILING[level[manager]]
            factors = DELEGATION_HIGHER_FACTORS if rng.random() < DELEGATION_HIGHER_SHARE else DELEGATION_LOWER_FACTORS
            ceiling = _round_k(base * rng.choice(factors))
            target = rng.choice(reports)
            cats = _categories(rng, DELEGATION_LIMITED_SHARE)
            delegations.append(Delegation(manager, target, decision, ceiling, cats))
    return delegations


def make_forbids(rng: random.Random, roles: Sequence[str], level: dict[str, int]) -> list[Forbid]:
    """Forbid triples rooted at level 2 or deeper (so one subtree stays a small share)."""
    candidates = [r for r in roles if level[r] >= 2]
    count = max(1, round(len(roles) * FORBIDS_PER_ROLE))
    triples: dict[Forbid, None] = {}
    for _ in range(count):
        triples[Forbid(rng.choice(candidates), rng.choice(DECISIONS), rng.choice(CATEGORIES))] = None
    return list(triples)


# ---------------------------------------------------------------- text


def money(value: int) -> str:
    """Render EUR as a charter literal: ``5M``, ``250k`` or a bare number."""
    if value % 1_000_000 == 0:
        return f"{value // 1_000_000}M"
    if value % 1000 == 0:
        return f"{value // 1000}k"
    return str(value)


def condition(ceiling: int, categories: frozenset[str] | None) -> str:
    """The ``when`` clause shared by grants and delegations."""
    text = f"amount <= {money(ceiling)}"
    if categories is not None:
        text += f" and category in [{', '.join(sorted(categories))}]"
    return text


def render(w: Workload) -> str:
    """The charter text of a workload."""
    lines = ['charter "Bench"', "currency EUR", "", f"role {w.roles[0]}"]
    for manager in w.roles:
        reports = w.children.get(manager)
        if reports:
            lines.append(f"role {', '.join(reports)} reports to {manager}")
    lines.append("")
    for decision in DECISIONS:
        lines.append(f'decision {decision} "Decision {decision[1:]}" {{')
        lines.append("  amount: money")
        lines.append(f"  category: one of {', '.join(CATEGORIES)}")
        lines.append("}")
    lines.append("")
    for g in w.grants:
        lines.append(f"{g.role} may decide {g.decision} when {condition(g.ceiling, g.categories)}")
    for d in w.delegations:
        lines.append(f"{d.source} delegates {d.decision} to {d.target} when {condition(d.ceiling, d.categories)}")
    for role, decision, category in w.forbid_lines():
        lines.append(f"{role} may not decide {decision} when category == {category}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- public API


def make_workload(n_roles: int, seed: int = 0) -> Workload:
    """Generate the workload for ``n_roles`` roles; the same seed gives the same charter."""
    rng = random.Random(f"{seed}:{n_roles}")
    roles, parent, level = build_tree(n_roles)
    children: dict[str, list[str]] = {}
    for role in roles:
        up = parent[role]
        if up is not None:
            children.setdefault(up, []).append(role)
    grants = make_grants(rng, roles, level)
    delegations = make_delegations(rng, roles, children, level, grants)
    forbids = make_forbids(rng, roles, level)
    w = Workload(n_roles, seed, tuple(roles), parent, level, grants, delegations, forbids, children=children)
    w.text = render(w)
    return w


def changed_copy(w: Workload, seed: int = 1) -> Workload:
    """A slightly changed charter for ``diff``: one grant doubled, one delegation dropped, one forbid added."""
    rng = random.Random(f"changed:{seed}")
    grants = list(w.grants)
    i = rng.randrange(len(grants))
    grants[i] = replace(grants[i], ceiling=grants[i].ceiling * 2)
    delegations = list(w.delegations)
    if delegations:
        delegations.pop(rng.randrange(len(delegations)))
    forbids = list(w.forbids) + [Forbid(rng.choice(w.roles[1:]), rng.choice(DECISIONS), "c0")]
    new = replace(w, grants=grants, delegations=delegations, forbids=forbids)
    new.text = render(new)
    return new


def _log_uniform_amount(rng: random.Random) -> int:
    """An amount between 100 and 10M EUR, spread evenly over orders of magnitude."""
    return int(math.exp(rng.uniform(math.log(100), math.log(10_000_000))))


def make_queries(w: Workload, count: int, seed: int = 0) -> list[Query]:
    """Requests to answer: half aimed at existing grants/delegations (amounts at,
    just over, under and well over a ceiling), half uniformly random."""
    rng = random.Random(f"queries:{seed}:{w.n_roles}")
    own = {(g.role, g.decision): g.ceiling for g in w.grants}
    statements: list[Grant | Delegation] = [*w.grants, *w.delegations]
    queries = []
    for i in range(count):
        if i % 2 == 0 and statements:
            s = rng.choice(statements)
            limits = [s.ceiling]
            if isinstance(s, Delegation) and (s.source, s.decision) in own:
                limits.append(own[(s.source, s.decision)])  # the clip boundary
            limit = rng.choice(limits)
            amount = rng.choice((limit, limit + 1, limit // 2, limit * 2))
            role = s.role if isinstance(s, Grant) else s.target
            queries.append(Query(role, s.decision, amount, rng.choice(CATEGORIES)))
        else:
            queries.append(
                Query(rng.choice(w.roles), rng.choice(DECISIONS), _log_uniform_amount(rng), rng.choice(CATEGORIES))
            )
    return queries
