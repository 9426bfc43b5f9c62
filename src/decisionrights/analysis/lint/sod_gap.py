"""A separation-of-duties gap: a person's own request that only the `is me` rule keeps from being decided.

Why it matters: `nobody may decide expense when claimant is me` keeps people
from approving their own claims, but when nobody else may decide a claim,
it escalates to nobody. The classic case is the top role's own claim.
Example:

    board may decide expense
    cfo may decide expense when amount <= 20k
    nobody may decide expense when claimant is me   # the board's own claim above 20k: nobody

Exactly: for each person attribute `X` that a forbid compares with `me`
(`X is me`), and each person `p` holding a role on the lint date, the
requests naming `p` as `X` that `p` would be allowed in a role they hold
were it not for the forbids speaking of `X is me`, and that no other person
may decide in any role they hold that day (each with the facts about `me`
as they are for that person and role: `X reports to me`, `X under me`).
Persons with the same roles are judged once. A charter without people is
read as if each role had a holder of its own. The finding is located at
the `is me` forbid, names the persons, the region and an example request.

Fix: grant the region to a role somebody else holds (the board's own claim
to an audit committee), or accept it explicitly with a `nobody may` rule
that does not speak of `me`.
"""

from __future__ import annotations

from ...compile.conditions import All, AnyOf, Cmp, In, Not
from ...diagnostics import Severity
from ...words import request_text

CODE = "DR214"
NAME = "separation-of-duties-gap"
SEVERITY = Severity.INFO

_TRUE, _FALSE = All(()), AnyOf(())


def _and(region_text: str) -> str:
    """` and amount > 20k`, or nothing for the region that holds everything."""
    if region_text == "true":
        return ""
    return f" and ({region_text})" if " or " in region_text else f" and {region_text}"


def _reads(cond, attr: str) -> bool:
    """Does the condition read the attribute `attr` anywhere?"""
    if isinstance(cond, (Cmp, In)):
        return cond.attr == attr
    if isinstance(cond, Not):
        return _reads(cond.item, attr)
    return any(_reads(c, attr) for c in cond.items)


def _fix(cond, facts: dict[str, bool]):
    """The condition with each fact about `me` replaced by its value: what it says for one person and role."""
    if isinstance(cond, Cmp) and cond.attr in facts:
        same = facts[cond.attr] == cond.value
        return _TRUE if same == (cond.op == "==") else _FALSE
    if isinstance(cond, In) and cond.attr in facts:
        return _TRUE if (facts[cond.attr] in cond.values) != cond.negated else _FALSE
    if isinstance(cond, Not):
        return Not(_fix(cond.item, facts))
    if isinstance(cond, (All, AnyOf)):
        return type(cond)(tuple(_fix(c, facts) for c in cond.items))
    return cond


def _facts(cc, spec, claimant_roles: frozenset, role: str, is_me: bool) -> dict[str, bool]:
    """The facts about `me` for a request whose person attributes name a person holding `claimant_roles`,
    decided as `role` by that person (`is_me`) or somebody else (as decide.people.facts works them out)."""
    out = {}
    for name, a in spec.attrs.items():
        if a.derived is None:
            continue
        relation = a.derived[1]
        if relation == "is":
            out[name] = is_me
        elif relation == "reports_to":
            out[name] = any(cc.manager.get(r) == role for r in claimant_roles)
        else:
            out[name] = any(role in cc.line_up(r) for r in claimant_roles)
    return out


def _groups(cc, on) -> dict[frozenset, list[str]]:
    """Persons by the roles they hold on `on`; without people, each role held by a holder of its own."""
    people = cc.people
    if not people.holdings:
        return {frozenset((r,)): [f"the holder of {r}"] for r in cc.roles}
    out: dict[frozenset, list[str]] = {}
    for person in people.persons:
        held = frozenset(people.roles_of(person, on))
        if held:
            out.setdefault(held, []).append(person)
    return out


def _me_forbids(an, decision: str, roles, facts_of, skip: set[int] = frozenset()):
    """What the forbids speaking of `me` (but those in `skip`) refuse a person in any of `roles`: they bind
    the person, not the hat."""
    cc = an.cc
    out = an.nothing(decision)
    attrs = cc.decisions[decision].attrs
    for r in roles:
        for f in cc.forbids_of.get((r, decision), ()):
            if id(f) not in skip and any(_reads(f.cond, a) for a, s in attrs.items() if s.derived):
                out = out | an.region(_fix(f.cond, facts_of(r)), decision)
    return out


def _without(an, role: str, decision: str, skip: set[int]):
    """What `role` would be allowed of `decision` on the lint date if the forbids in `skip` were gone."""
    cc = an.cc
    out = an.nothing(decision)
    for path in cc.ways.get((role, decision), ()):
        if not path.active_on(an.on):
            continue
        region = an.region(path.cond, decision)
        for r in dict.fromkeys(path.chain):
            for f in cc.forbids_of.get((r, decision), ()):
                if id(f) not in skip:
                    region = region - an.region(f.cond, decision)
        out = out | region
    return out


class _Judge:
    """One decision's questions, with the regions per role (and facts about `me`) kept.

    What anybody but the claimant may decide is, for most roles, the same
    region whoever the claimant is (the claimant neither is the decider nor
    reports to them), so those roles' regions are unioned once in a segment
    tree and each claimant asks it for all roles but the few that differ
    for them: O(roles + role sets × (their roles + line) × log roles) unions,
    not role sets × roles.
    """

    def __init__(self, an, decision: str, skip: set[int], groups: dict[frozenset, list[str]]):
        self.an, self.decision, self.skip, self.groups = an, decision, skip, groups
        cc = an.cc
        self.cc, self.spec = cc, cc.decisions[decision]
        derived = [a for a, s in self.spec.attrs.items() if s.derived]
        not_me = an.region(All(tuple(Cmp(a, "==", False) for a in derived if self.spec.attrs[a].derived[1] == "is")),
                           decision)
        self.binding = {r for r in cc.roles for f in cc.forbids_of.get((r, decision), ())
                        if any(_reads(f.cond, a) for a in derived)}
        """The roles a forbid speaking of `me` binds: they refuse the person in every role."""
        self.binding_others = {r for r in self.binding for f in cc.forbids_of.get((r, decision), ())
                               if any(_reads(f.cond, a) for a in derived)
                               and not (an.region(f.cond, decision) & not_me).is_empty()}
        """Those whose forbid can refuse somebody deciding another person's request."""
        self.deciding = {r for r in cc.roles if not an.authority(r, decision).region.is_empty()}
        self._role: dict[tuple, object] = {}
        self.count: dict[str, int] = {}
        for held, persons in groups.items():
            if not held & self.binding_others:
                for r in held & self.deciding:
                    self.count[r] = self.count.get(r, 0) + len(persons)
        self.plain = [r for r in cc.roles if r in self.count]
        self.far = self.facts(frozenset(), "", False)
        self._tree = self._build([self.role(r, self.far) for r in self.plain])

    def _build(self, leaves: list) -> list:
        size = 1
        while size < max(len(leaves), 1):
            size *= 2
        tree = [self.an.nothing(self.decision)] * (2 * size)
        tree[size:size + len(leaves)] = leaves
        for i in range(size - 1, 0, -1):
            tree[i] = tree[2 * i] | tree[2 * i + 1]
        self._size = size
        return tree

    def _range(self, lo: int, hi: int):
        """The union of the far regions of `plain[lo:hi]`."""
        out = self.an.nothing(self.decision)
        lo += self._size
        hi += self._size
        while lo < hi:
            if lo & 1:
                out = out | self._tree[lo]
                lo += 1
            if hi & 1:
                hi -= 1
                out = out | self._tree[hi]
            lo //= 2
            hi //= 2
        return out

    def facts(self, mine: frozenset, role: str, is_me: bool) -> tuple:
        return tuple(_facts(self.cc, self.spec, mine, role, is_me).items())

    def role(self, role: str, facts: tuple):
        key = (role, facts)
        found = self._role.get(key)
        if found is None:
            found = self.an.region(_fix(self.an.authority(role, self.decision).region.to_cond(), dict(facts)),
                                   self.decision)
            self._role[key] = found
        return found

    def person(self, held: frozenset, mine: frozenset, is_me: bool):
        """What a person holding `held` may decide of a request naming a person holding `mine` (`is_me`: the
        same person), with the facts about `me` worked out per role and the `me` forbids binding the person."""
        an = self.an
        allowed = an.nothing(self.decision)
        for r in held & self.deciding:
            allowed = allowed | self.role(r, self.facts(mine, r, is_me))
        refused = _me_forbids(an, self.decision, held & self.binding,
                              lambda r: _facts(self.cc, self.spec, mine, r, is_me))
        return allowed - refused

    def others(self, mine: frozenset, alone: bool):
        """What anybody but a person holding `mine` (the only one, when `alone`) may decide of their request."""
        cc = self.cc
        found = self.an.nothing(self.decision)
        for held in self.groups:
            if held & self.binding_others and not (held == mine and alone):
                found = found | self.person(held, mine, False)
        near = {cc.manager.get(m) for m in mine} | {r for m in mine for r in cc.line_up(m)}
        mine_plain = alone and not mine & self.binding_others
        left_out = set()
        for i, r in enumerate(self.plain):
            if r in near or (mine_plain and r in mine and self.count[r] == 1):
                left_out.add(i)
        lo = 0
        for i in sorted(left_out):
            found = found | self._range(lo, i)
            lo = i + 1
            r = self.plain[i]
            if not (mine_plain and r in mine and self.count[r] == 1):
                found = found | self.role(r, self.facts(mine, r, False))
        return found | self._range(lo, len(self.plain))

    def gap(self, mine: frozenset, alone: bool):
        """The requests a person holding `mine` would be allowed but for the `is me` rules and is not, and
        that nobody else may decide."""
        an = self.an
        own = an.nothing(self.decision)
        for r in mine:
            own = own | an.region(_fix(_without(an, r, self.decision, self.skip).to_cond(),
                                       _facts(self.cc, self.spec, mine, r, True)), self.decision)
        own = own - _me_forbids(an, self.decision, mine & self.binding,
                                lambda r: _facts(self.cc, self.spec, mine, r, True), self.skip)
        stopped = own - self.person(mine, mine, True)
        if stopped.is_empty():
            return stopped
        return stopped - self.others(mine, alone)


def check(ctx):
    cc = ctx.compiled
    an = ctx.analysis
    groups = _groups(cc, ctx.on)
    for name, spec in cc.decisions.items():
        for attr, aspec in spec.attrs.items():
            if aspec.derived is None or aspec.derived[1] != "is":
                continue
            me_rules = [f for f in cc.forbids if f.decision == name and _reads(f.cond, attr)]
            if not me_rules:
                continue
            skip = {id(f) for f in me_rules}
            given = {k: s for k, s in spec.attrs.items() if s.derived is None}
            judge = _Judge(an, name, skip, groups)
            for mine, persons in groups.items():
                hole = judge.gap(mine, alone=len(persons) == 1)
                if hole.is_empty():
                    continue
                who = ", ".join(f"`{p}`" if cc.people.holdings else p for p in persons[:3])
                who += f" and {len(persons) - 3} more" if len(persons) > 3 else ""
                roles = ", ".join(r for r in cc.roles if r in mine)
                sample = dict(hole.sample())
                sample[aspec.derived[0]] = persons[0]
                example = request_text(given, sample) if cc.people.holdings else \
                    request_text({k: s for k, s in given.items() if k != aspec.derived[0]}, sample)
                whose = f"{who} ({roles})" if cc.people.holdings else who
                yield ctx.diagnostic(
                    CODE, SEVERITY, me_rules[0].rule.span,
                    f"a separation-of-duties gap: nobody may decide `{name}` when `{aspec.derived[0]}` is "
                    f"{whose}{_and(hole.render(an.currency(name)))}: the `{attr}` rule "
                    f"(line {me_rules[0].rule.span.line}) stops them, and nobody else may",
                    notes=[f"for example: {example or 'any request'} escalates to nobody"],
                    help="grant it to a role somebody else holds, or say `nobody may decide "
                         f"{name} when …` without `me` to accept it")
