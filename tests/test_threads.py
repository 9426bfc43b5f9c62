"""Concurrent callers: one loaded charter answers many threads at once, exactly as it answers one.

A `Charter` is immutable once loaded (spec §10, charter.py), so a service may
share one instance across its worker threads. These tests hold that: 8 threads
ask thousands of requests of shared charters (the spec's three examples and a
larger generated one) and every answer matches the single-threaded one —
`allowed`, `reason`, obligations, `escalate_to` and the explanation.
"""

from __future__ import annotations

import random
import threading
import zlib
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

import decisionrights as dr

SPEC_EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "spec" / "examples"
if not SPEC_EXAMPLES.is_dir():  # a checkout without the shared spec: use the repository's copies
    SPEC_EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
EXAMPLE_FILES = [SPEC_EXAMPLES / n for n in ("acme-finance.charter", "oss-governance.charter",
                                               "platform-team.charter")]
THREADS = 8


def generated_charter(roles: int = 60, decisions: int = 6, seed: int = 7) -> str:
    """A larger charter in the spirit of the examples: a reporting tree, limits, forbids, delegations."""
    rng = random.Random(seed)
    lines = ['charter "Generated"', "currency EUR", ""]
    names = [f"r{i}" for i in range(roles)]
    for i, name in enumerate(names):
        lines.append(f"role {name}" + (f" reports to r{(i - 1) // 3}" if i else ""))
    for d in range(decisions):
        lines += ["", f'decision d{d} "Decision {d}" {{', "  amount: money", "  kind: one of a, b, c",
                  "  urgent: bool = false", "  level: number", "  due: date = 2027-06-30", "}"]
    lines.append("")
    for d in range(decisions):
        lines.append(f"r0 may decide d{d}")
        for i in range(1, roles):
            if rng.random() < 0.5:
                continue
            limit = rng.choice([500, 2_000, 10_000, 50_000, 250_000])
            kinds = ", ".join(sorted(rng.sample(["a", "b", "c"], rng.randint(1, 3))))
            cond = f"amount <= {limit} and kind in [{kinds}]"
            if rng.random() < 0.3:
                cond += f" and (level <= {rng.randint(1, 5)} or not urgent)"
            if rng.random() < 0.2:
                cond += f" and due <= 2027-0{rng.randint(1, 9)}-15"
            obligations = ""
            if rng.random() < 0.4:
                kind = rng.choice(["inform", "consult", "announce", "with agreement of"])
                obligations = f"\n    {kind} r{(i - 1) // 3}"
            lines.append(f"r{i} may decide d{d} when {cond}{obligations}")
        if rng.random() < 0.7:
            lines.append(f"nobody may decide d{d} when urgent and amount > {rng.choice([5_000, 100_000])}")
        if rng.random() < 0.5:
            lines.append(f"r{rng.randint(1, roles - 1)} may not decide d{d} when kind == c")
        for _ in range(3):
            a = rng.randint(0, roles // 3)
            b = rng.randint(a + 1, roles - 1)
            lines.append(f"r{a} delegates d{d} to r{b} when amount <= {rng.choice([1_000, 20_000])}\n"
                         f"    from 2026-12-01 until 2027-03-31\n    inform r{a}"
                         + ("\n    may subdelegate up to 1 level" if rng.random() < 0.5 else ""))
        if rng.random() < 0.5:
            lines.append(f"escalate d{d} to r{rng.randint(0, 5)}")
        lines.append(f"r{roles - 1} may propose d{d}")
    return "\n".join(lines) + "\n"


def requests_for(charter: dr.Charter, count: int, seed: int) -> list[tuple[str, str, dict[str, Any], date]]:
    """Valid requests over every role and decision, with values around typical limits."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        decision = rng.choice(charter.decisions)
        spec = charter.compiled.decisions[decision]
        attrs: dict[str, Any] = {}
        for attr in spec.attrs.values():
            if attr.has_default and rng.random() < 0.3:
                continue
            if attr.kind == "money":
                attrs[attr.name] = rng.choice([0, 499, 500, 1_999, 2_000, 9_999, 20_000, 49_999, 60_000,
                                               250_000, 300_000, 900_000, 5_000_000])
            elif attr.kind == "number":
                attrs[attr.name] = rng.randint(0, 100)
            elif attr.kind == "bool":
                attrs[attr.name] = rng.random() < 0.5
            elif attr.kind == "enum":
                attrs[attr.name] = rng.choice(attr.members)
            elif attr.kind == "date":
                attrs[attr.name] = date(2027, 1, 1) + timedelta(days=rng.randint(-200, 400))
            else:
                attrs[attr.name] = rng.choice(["x", "y", ""])
        on = date(2026, 11, 1) + timedelta(days=rng.randint(0, 200))
        out.append((rng.choice(charter.roles), decision, attrs, on))
    return out


def answer_key(charter: dr.Charter, request: tuple[str, str, dict[str, Any], date]) -> tuple:
    role, decision, attrs, on = request
    a = charter.may(role, decision, on=on, **attrs)
    return (a.allowed, a.reason, a.announce, a.inform, a.consult, a.agreement, a.may_propose,
            a.escalate_to, tuple(r.line for r in a.because), tuple(r.line for r in a.via), a.explain())


@pytest.fixture(scope="module")
def charters() -> dict[str, dr.Charter]:
    loaded = {p.name: dr.load(p) for p in EXAMPLE_FILES}
    loaded["generated"] = dr.loads(generated_charter(), "generated.charter")
    return loaded


def test_the_generated_charter_is_sizeable(charters: dict[str, dr.Charter]) -> None:
    big = charters["generated"]
    assert len(big.roles) == 60 and len(big.decisions) == 6
    assert len(big.compiled.grants) > 100 and big.compiled.delegations


@pytest.mark.parametrize("name", ["acme-finance.charter", "oss-governance.charter", "platform-team.charter",
                                  "generated"])
def test_many_threads_answer_as_one_does(charters: dict[str, dr.Charter], name: str) -> None:
    charter = charters[name]
    requests = requests_for(charter, 1_500 if name == "generated" else 800, seed=zlib.crc32(name.encode()))
    expected = [answer_key(charter, r) for r in requests]
    assert any(k[0] for k in expected) and not all(k[0] for k in expected), "a mix of yes and no"

    start = threading.Barrier(THREADS)

    def worker(offset: int) -> list[tuple[int, tuple]]:
        start.wait()  # all threads ask at once
        order = list(range(len(requests)))
        random.Random(offset).shuffle(order)
        return [(i, answer_key(charter, requests[i])) for i in order]

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        results = list(pool.map(worker, range(THREADS)))
    for per_thread in results:
        assert len(per_thread) == len(requests)
        for i, key in per_thread:
            assert key == expected[i], requests[i]


def test_who_may_and_bad_requests_from_many_threads(charters: dict[str, dr.Charter]) -> None:
    """Mixed traffic: `who_may`, `may` and invalid requests interleaved; no thread sees another's error."""
    charter = charters["acme-finance.charter"]
    good = requests_for(charter, 300, seed=3)
    expected_who = [charter.who_may(d, on=on, **attrs) for _, d, attrs, on in good]
    failures: list[str] = []

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        for i in rng.sample(range(len(good)), len(good)):
            _, decision, attrs, on = good[i]
            if charter.who_may(decision, on=on, **attrs) != expected_who[i]:
                failures.append(f"who_may differs for {good[i]}")
            try:
                charter.may("nobody_here", decision, on=on, **attrs)
                failures.append("an unknown role was answered")
            except dr.InvalidRequest:
                pass

    threads = [threading.Thread(target=worker, args=(s,)) for s in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert failures == []


def test_a_loaded_charter_is_immutable(charters: dict[str, dr.Charter]) -> None:
    charter = charters["acme-finance.charter"]
    with pytest.raises(AttributeError):
        charter.compiled.title = "changed"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        charter.new_field = 1  # type: ignore[attr-defined]
    grant = charter.compiled.grants[0]
    with pytest.raises(AttributeError):
        grant.role = "someone"  # type: ignore[misc]
    before = answer_key(charter, ("cfo", "purchase", {"amount": 10_000, "category": "software"}, date(2027, 1, 1)))
    charter.may("cfo", "purchase", amount=10_000, category="software", on=date(2027, 1, 1)).explain()
    after = answer_key(charter, ("cfo", "purchase", {"amount": 10_000, "category": "software"}, date(2027, 1, 1)))
    assert before == after
