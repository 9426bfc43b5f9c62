"""How fast a directory file loads: `read_directory` on a 10,000-person CSV, beside plain `csv.DictReader`.

Generates, from a seed, a directory of N persons (default 10,000) with two
roles each (one row per person, `role_a;role_b`) and, for one person in ten,
an acting row with its dates; writes it as CSV (and JSON); times
`read_directory` (median of several runs) and, in the same run, the peer:
`csv.DictReader` reading the same bytes into dicts (decoding included). Prints
both and their ratio. Run from the repository root:

    PYTHONPATH=src python benchmarks/people.py [--persons 10000] [--runs 7] [--seed 15]

Then it loads a charter with the directory's roles beside the file (`dr.loads(..., people=...)`), alone and
with the directory, and times a person's question against a role's on the same charter.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import statistics
import time
from datetime import date, timedelta

import decisionrights as dr
from decisionrights.syntax.directory import read_directory


def generate(persons: int, seed: int) -> tuple[bytes, bytes, int]:
    """The directory as CSV and JSON bytes, and how many holdings it states."""
    rng = random.Random(seed)
    roles = [f"role_{i}" for i in range(max(persons // 5, 2))]
    rows: list[dict[str, object]] = []
    for i in range(persons):
        a, b = rng.sample(roles, 2)
        rows.append({"person": f"person_{i}", "roles": [a, b], "from": None, "until": None})
        if i % 10 == 0:
            start = date(2027, 1, 1) + timedelta(days=rng.randrange(300))
            acting = rng.choice([r for r in roles if r not in (a, b)])
            rows.append({"person": f"person_{i}", "roles": [acting], "from": start.isoformat(),
                         "until": (start + timedelta(days=rng.randrange(1, 30))).isoformat()})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["person", "roles", "from", "until"])
    for row in rows:
        writer.writerow([row["person"], ";".join(row["roles"]), row["from"] or "", row["until"] or ""])  # type: ignore[arg-type]
    holdings = sum(len(r["roles"]) for r in rows)  # type: ignore[arg-type]
    return out.getvalue().encode("utf-8"), json.dumps(rows).encode("utf-8"), holdings


def charter_for(persons: int) -> str:
    """A charter with the directory's roles (in a reporting line of ten per manager), two decisions,
    a grant per role and a `me` rule, so a person's question walks roles, holdings and facts about `me`."""
    roles = [f"role_{i}" for i in range(max(persons // 5, 2))]
    lines = ['charter "people benchmark"', "currency EUR", f"role {roles[0]}"]
    lines += [f"role {r} reports to {roles[i // 10]}" for i, r in enumerate(roles) if i]
    lines += ["incompatible role_1, role_2",
              "decision claim {", "  amount: money", "  claimant: person", "}",
              "decision buy {", "  amount: money", "}",
              "nobody may decide claim when claimant is me"]
    lines += [f"{r} may decide claim when claimant reports to me and amount <= {1 + i % 9}k" for i, r in enumerate(roles)]
    lines += [f"{r} may decide buy when amount <= {1 + i % 9}k" for i, r in enumerate(roles)]
    return "\n".join(lines) + "\n"


def dict_reader(raw: bytes) -> list[dict[str, str]]:
    """The peer: the standard library's reading of the same file, nothing checked."""
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))


def median_time(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--persons", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    csv_bytes, json_bytes, holdings = generate(args.persons, args.seed)
    got = read_directory(csv_bytes, "people.csv")
    assert len(got.holdings) == holdings, (len(got.holdings), holdings)
    assert read_directory(json_bytes, "people.json").holdings == got.holdings
    ours = median_time(lambda: read_directory(csv_bytes, "people.csv"), args.runs)
    ours_json = median_time(lambda: read_directory(json_bytes, "people.json"), args.runs)
    peer = median_time(lambda: dict_reader(csv_bytes), args.runs)
    text = charter_for(args.persons)
    bare = median_time(lambda: dr.loads(text, "people.charter"), args.runs)
    charter = dr.loads(text, "people.charter", people=csv_bytes)
    with_people = median_time(lambda: dr.loads(text, "people.charter", people=csv_bytes), args.runs)
    asks = [(f"person_{i}", f"person_{(i * 7 + 1) % args.persons}") for i in range(0, args.persons, 7)][:1000]
    ask = median_time(lambda: [charter.may(p, "claim", amount=500, claimant=c, on="2027-03-01") for p, c in asks],
                      args.runs) / len(asks)
    buy = median_time(lambda: [charter.may(p, "buy", amount=500, on="2027-03-01") for p, _ in asks],
                      args.runs) / len(asks)
    role_ask = median_time(lambda: [charter.may("role_3", "buy", amount=500) for _ in asks], args.runs) / len(asks)
    rows = csv_bytes.count(b"\n") - 1
    print(f"directory: {args.persons:,} persons, {rows:,} rows, {holdings:,} holdings, "
          f"{len(csv_bytes) / 1024:.0f} KiB CSV (seed {args.seed}, median of {args.runs})")
    print(f"  read_directory (CSV)   {ours * 1000:8.1f} ms")
    print(f"  read_directory (JSON)  {ours_json * 1000:8.1f} ms")
    print(f"  csv.DictReader (peer)  {peer * 1000:8.1f} ms")
    print(f"  ratio CSV / peer       {ours / peer:8.1f}x")
    print(f"charter with {len(charter.roles):,} roles: loads in {bare * 1000:.1f} ms alone, "
          f"{with_people * 1000:.1f} ms with the directory (its rows read and checked: +{(with_people - bare) * 1000:.1f} ms)")
    print(f"  a person's claim (roles held that day, facts about me)     {ask * 1e6:8.1f} µs")
    print(f"  a person's purchase (no fact about me)                     {buy * 1e6:8.1f} µs")
    print(f"  a role's question (the generated fast path)                {role_ask * 1e6:8.1f} µs "
          f"(ratio {ask / role_ask:.0f}x)")


if __name__ == "__main__":
    main()
