"""Benchmark decisionrights against its peers: ``python benchmarks/run.py [--quick]``.

For each size: generate the charter, load every engine (timed), check that
every engine agrees with the reference on every query it will be timed on
(a disagreement aborts and shows the query), then time all engines in
interleaved rounds in this one process and print the median time per
decision, as a multiple of the floor's and of ours. Then memory of a loaded
charter, and lint/diff time on the 2,000-role charter.

The run keeps to a time budget (under 5 minutes on 2 cores): an engine whose
load, projected from a smaller size, would overrun it is skipped and named.
"""

from __future__ import annotations

import argparse
import gc
import math
import multiprocessing
import os
import platform
import re
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import peers  # noqa: E402
from peers import Adapter, Loaded, Unavailable  # noqa: E402
from reference import Reference  # noqa: E402
from workload import Query, Workload, changed_copy, make_queries, make_workload  # noqa: E402

PEER_MAX_ROLES = 2000  # above this only ours, plain Python and the floor run
OURS = "decisionrights"


@dataclass(frozen=True)
class Settings:
    """How much work one run does."""

    sizes: tuple[int, ...]
    queries: int
    rounds: int
    round_seconds: float  # target time of one engine's turn in one round
    check_seconds: float  # budget for a slow engine's agreement check
    seed: int
    analysis_size: int  # the charter size that lint and diff run on
    budget_seconds: float  # whole run; slow loads that would overrun it are skipped


FULL = Settings((50, 2000, 20000), 2000, 7, 0.2, 3.0, 0, 2000, 285.0)
QUICK = Settings((50, 200), 300, 3, 0.03, 0.5, 0, 200, 60.0)
TRACEMALLOC_SLOWDOWN = 2.5  # a load under tracemalloc takes about this much longer
ALWAYS_AFFORDABLE = 6.0  # seconds: a step projected below this runs even when the budget is spent


class Budget:
    """The run's deadline, and each engine's load seconds per statement seen so far."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.perf_counter() + seconds
        self.reserve = 0.2 * seconds  # kept back for the sizes and analysis still to come
        self.load_rate: dict[str, float] = {}

    def remaining(self) -> float:
        """Seconds left before the deadline, less the reserve."""
        return self.deadline - time.perf_counter() - self.reserve

    def affords(self, seconds: float) -> bool:
        """Whether a step of about this many seconds still fits."""
        return seconds < max(self.remaining(), ALWAYS_AFFORDABLE)

    def projected_load(self, name: str, statements: int) -> float | None:
        """Expected load time at this size, from the engine's rate at an earlier size."""
        rate = self.load_rate.get(name)
        return None if rate is None else rate * statements

    def record_load(self, name: str, statements: int, seconds: float) -> None:
        """Remember how fast an engine loaded."""
        self.load_rate[name] = seconds / max(statements, 1)


@dataclass
class Row:
    """One timed line of the table: an engine in one mode (single call or batch)."""

    name: str
    adapter: Adapter
    batch: bool
    queries: list[Query] = field(default_factory=list)  # checked against the reference, timed
    per_query: float = 0.0  # estimate from the agreement check, seconds
    samples: list[float] = field(default_factory=list)  # seconds per decision, one per round
    load_s: float | None = None
    memory: str = ""


# ---------------------------------------------------------------- formatting


def fmt_time(seconds: float) -> str:
    """A duration with a readable unit."""
    if seconds < 1e-6:
        return f"{seconds * 1e9:.0f} ns"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def fmt_ratio(value: float | None) -> str:
    """A ratio like ``1,234×``, ``3.21×`` or ``0.031×``, or n/a."""
    if value is None or not math.isfinite(value):
        return "n/a"
    if value >= 10:
        return f"{value:,.0f}×"
    return f"{value:.2f}×" if value >= 1 else f"{value:.2g}×"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def say(text: str = "") -> None:
    """Print at once (the run is long; show progress)."""
    print(text, flush=True)


# ---------------------------------------------------------------- engines


def make_adapters(w: Workload, answers: dict[Query, bool]) -> list[Adapter]:
    """Every engine that runs at this size; unavailable ones are reported and skipped."""
    builders: list[Callable[[], Adapter]] = [lambda: peers.ours_adapter(w)]
    if w.n_roles <= PEER_MAX_ROLES:
        builders += [lambda: peers.cedar_adapter(w), lambda: peers.casbin_adapter(w), lambda: peers.rego_adapter(w)]
    builders += [lambda: peers.plain_adapter(w), lambda: peers.floor_adapter(answers)]
    adapters = []
    for build in builders:
        try:
            adapters.append(build())
        except Unavailable as exc:
            say(f"skipped: {exc}")
    return adapters


def timed_load(adapter: Adapter) -> tuple[Loaded, float]:
    """Load once; if that was quick, load up to 4 more times and keep the median."""
    times, loaded = [], None
    for _ in range(5):
        gc.collect()
        start = time.perf_counter()
        loaded = adapter.load()
        times.append(time.perf_counter() - start)
        if sum(times) > 0.5:
            break
    assert loaded is not None
    return loaded, statistics.median(times)


def rss_bytes() -> int:
    """Resident memory of this process now (Linux), 0 if unknown."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def measure_memory(adapter: Adapter, load_s: float, budget: Budget) -> str:
    """Peak Python heap while loading (tracemalloc); for native engines the resident growth."""
    if not budget.affords(load_s * TRACEMALLOC_SLOWDOWN):
        return "skipped (time budget)"
    gc.collect()
    if adapter.native:
        before = rss_bytes()
        loaded = adapter.load()
        grown = rss_bytes() - before
        del loaded
        return f"RSS +{grown / 2**20:.1f} MB" if before else "n/a"
    tracemalloc.start()
    try:
        loaded = adapter.load()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del loaded
    return f"{peak / 2**20:.1f} MB"


# ---------------------------------------------------------------- agreement


def show_disagreement(w: Workload, row: Row, q: Query, expected: bool, got: Any) -> None:
    """Abort the run with the query, both answers and the charter lines that bear on it."""
    decision_lines = [line for line in w.text.splitlines() if re.search(rf"\b{q.decision}\b", line)]
    to_role = re.compile(rf"(\w+) delegates {q.decision} to {q.role} ")
    delegators = [m[1] for line in decision_lines if (m := to_role.match(line))]
    names = "|".join([q.role, *delegators])
    lines = [line for line in decision_lines if re.match(rf"({names}) ", line)]
    say(f"\nDISAGREEMENT at {w.n_roles} roles: {row.name}")
    say(f"  query: {q}")
    say(f"  reference says {expected}, {row.name} says {got!r}")
    say("  charter lines of this role and its delegators for this decision:")
    for line in lines[:15]:
        say(f"    {line}")
    raise SystemExit(1)


def answer_all(row: Row, loaded: Loaded, queries: Sequence[Query]) -> list[bool]:
    """The row's answers to ``queries``, single calls or one batch call."""
    if row.batch:
        assert loaded.prepare_batch and loaded.run_batch
        return loaded.run_batch(loaded.prepare_batch(queries))
    return [loaded.decide(q) for q in queries]


def check_agreement(
    w: Workload, row: Row, loaded: Loaded, queries: Sequence[Query], answers: dict[Query, bool], budget: float
) -> None:
    """Agree with the reference on every query this row will be timed on.

    A slow engine gets a prefix of the queries that fits ``budget`` seconds;
    the rest of the table notes how many it checked.
    """
    probe = list(queries[: min(5, len(queries))])
    start = time.perf_counter()
    answer_all(row, loaded, probe)
    per_query = (time.perf_counter() - start) / len(probe)
    count = max(len(probe), min(len(queries), int(budget / max(per_query, 1e-9))))
    chosen = list(queries[:count])
    start = time.perf_counter()
    got = answer_all(row, loaded, chosen)
    row.per_query = (time.perf_counter() - start) / count
    if len(got) != count:
        say(f"{row.name} answered {len(got)} of {count} queries")
        raise SystemExit(1)
    for q, answer in zip(chosen, got, strict=True):
        if answer is not answers[q]:  # engines answer real bools
            show_disagreement(w, row, q, answers[q], answer)
    row.queries = chosen


# ---------------------------------------------------------------- timing


def window(queries: Sequence[Query], size: int, round_no: int) -> list[Query]:
    """``size`` queries starting at a position that moves each round (wrapping)."""
    start = (round_no * size) % len(queries)
    picked = list(queries[start : start + size])
    if len(picked) < size:
        picked += list(queries[: size - len(picked)])
    return picked


def time_turn(row: Row, loaded: Loaded, round_no: int, target: float) -> float:
    """One engine's turn in one round: seconds per decision over about ``target`` seconds."""
    per_query = max(row.per_query, 1e-8)
    size = max(1, min(len(row.queries), math.ceil(target / per_query)))
    repeats = max(1, round(target / (per_query * size)))
    picked = window(row.queries, size, round_no)
    payload = loaded.prepare_batch(picked) if row.batch and loaded.prepare_batch else None
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        if payload is not None:
            run_batch = loaded.run_batch
            assert run_batch is not None
            for _ in range(repeats):
                run_batch(payload)
        else:
            decide = loaded.decide
            for _ in range(repeats):
                for q in picked:
                    decide(q)
        elapsed = time.perf_counter() - start
    finally:
        gc.enable()
    return elapsed / (repeats * size)


def time_interleaved(rows: list[Row], loaded: dict[str, Loaded], s: Settings) -> None:
    """Rounds of every row in turn; the starting row rotates so no one always goes first."""
    for round_no in range(s.rounds):
        shift = round_no % len(rows)
        for row in rows[shift:] + rows[:shift]:
            row.samples.append(time_turn(row, loaded[row.name], round_no, s.round_seconds))


# ---------------------------------------------------------------- one size


def rows_for(adapter: Adapter, loaded: Loaded) -> list[Row]:
    """The single-call row of an engine, plus its batch row if it has one."""
    rows = [Row(adapter.name, adapter, batch=False)]
    if loaded.run_batch is not None:
        rows.append(Row(f"{adapter.name} (batch)", adapter, batch=True))
    return rows


def ratio_rows(rows: list[Row]) -> list[list[str]]:
    """Table cells: per-decision median, × floor, × ours (batch rows against our batch)."""
    median = {r.name: statistics.median(r.samples) for r in rows}
    floor = next((median[r.name] for r in rows if r.name.startswith("floor")), None)
    cells = []
    for r in rows:
        ours = None if r.adapter.name == OURS else median.get(f"{OURS} (batch)" if r.batch else OURS)
        cells.append(
            [
                r.name,
                r.adapter.version,
                fmt_time(r.load_s) if r.load_s is not None else "-",
                r.memory or "-",
                f"{len(r.queries):,}",
                fmt_time(median[r.name]),
                fmt_ratio(median[r.name] / floor if floor else None),
                "-" if r.adapter.name == OURS else fmt_ratio(median[r.name] / ours if ours else None),
            ]
        )
    return cells


def fits_budget(adapter: Adapter, w: Workload, budget: Budget) -> bool:
    """Whether the engine's projected load leaves time for the rest of the run; say so if not."""
    projected = budget.projected_load(adapter.name, w.statement_count)
    if projected is None or budget.affords(projected):
        return True
    say(
        f"skipped: {adapter.name} at {w.n_roles:,} roles: projected load {fmt_time(projected)} "
        f"would overrun the run's time budget "
        f"(measure it alone with --sizes {w.n_roles})"
    )
    return False


def run_size(n_roles: int, s: Settings, budget: Budget) -> tuple[Workload, Any]:
    """Generate, load, check and time every engine at one size; print its table.

    Returns the workload and our loaded charter (None if ours did not run).
    """
    w = make_workload(n_roles, s.seed)
    queries = make_queries(w, s.queries, s.seed)
    reference = Reference(w.text)
    answers = {q: reference.may(*q) for q in queries}
    allowed = sum(answers.values()) / len(answers)
    say(f"\n## {n_roles:,} roles: {w.statement_count:,} statements, {len(queries):,} queries ({allowed:.0%} allowed)\n")
    rows: list[Row] = []
    loaded: dict[str, Loaded] = {}
    ours_charter = None
    for adapter in make_adapters(w, answers):
        if not fits_budget(adapter, w, budget):
            continue
        engine, load_s = timed_load(adapter)
        budget.record_load(adapter.name, w.statement_count, load_s)
        if adapter.name == OURS:
            ours_charter = engine.handle
        engine_rows = rows_for(adapter, engine)
        engine_rows[0].load_s = load_s
        for row in engine_rows:
            check_budget = s.check_seconds if adapter.name != OURS else 10 * s.check_seconds
            check_agreement(w, row, engine, queries, answers, check_budget)
            loaded[row.name] = engine
            rows.append(row)
        say(f"  loaded and checked {adapter.name} ({fmt_time(load_s)})")
    if not rows:
        return w, None
    time_interleaved(rows, loaded, s)
    for row in sorted(rows, key=lambda r: r.load_s or 0.0):  # cheapest first
        if row.load_s is not None:
            row.memory = measure_memory(row.adapter, row.load_s, budget)
    header = ["engine", "package", "load", "memory", "queries checked", "per decision (median)", "× floor", "× ours"]
    say()
    say(table(header, ratio_rows(rows)))
    return w, ours_charter


# ---------------------------------------------------------------- lint and diff


ANALYSIS_TIMEOUT = 30.0  # seconds; a lint or diff call running longer is stopped and reported


def _timed_call(call: Callable[..., Any], args: tuple[Any, ...], conn: Any) -> None:
    """Child process: time one call and send back its seconds, or the error it raised."""
    try:
        start = time.perf_counter()
        call(*args)
        conn.send(("ok", time.perf_counter() - start))
    except NotImplementedError:
        conn.send(("n/a", "not implemented yet"))
    except Exception as exc:  # noqa: BLE001 - the engine is in progress: report, do not crash
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))


def time_with_timeout(call: Callable[..., Any], args: tuple[Any, ...], timeout: float) -> str:
    """Time ``call(*args)`` in a forked child (it inherits the loaded charter) and stop it after ``timeout`` s."""
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_timed_call, args=(call, args, send), daemon=True)
    child.start()
    try:
        if not receive.poll(timeout):
            return f"over {timeout:.0f} s (stopped)"
        status, value = receive.recv()
    finally:
        if child.is_alive():
            child.terminate()
        child.join()
    if status == "ok":
        return fmt_time(value)
    return f"n/a ({value})" if status == "n/a" else f"failed: {value}"


def analysis_times(w: Workload, old: Any, budget: Budget) -> list[list[str]]:
    """Time ``dr.lint(old)`` and ``dr.diff(old, changed copy)``, or say why they could not run.

    ``old`` is our charter already loaded from ``w`` (None if ours did not run);
    loading the changed copy for diff is not part of the time.
    """
    try:
        import decisionrights as dr
    except ImportError:
        return [[name, "n/a (decisionrights not importable)"] for name in ("lint", "diff")]
    if old is None:
        return [[name, "n/a (decisionrights did not run at this size)"] for name in ("lint", "diff")]
    cells = []
    for name in ("diff", "lint"):  # diff first: its changed copy must be loaded while budget is left
        call = getattr(dr, name, None)
        if not callable(call):
            cells.append([name, "n/a (not implemented yet)"])
            continue
        projected = budget.projected_load(OURS, w.statement_count) or 0.0
        if name == "diff" and not budget.affords(projected):
            cells.append([name, f"skipped (time budget: loading the changed copy takes ~{fmt_time(projected)})"])
            continue
        try:
            args = (old,) if name == "lint" else (old, dr.loads(changed_copy(w, 1).text))
        except Exception as exc:  # noqa: BLE001 - the engine is in progress: report, do not crash
            cells.append([name, f"failed to load the changed copy: {type(exc).__name__}: {exc}"])
            continue
        timeout = max(5.0, min(ANALYSIS_TIMEOUT, budget.remaining()))
        cells.append([name, time_with_timeout(call, args, timeout)])
    return cells


# ---------------------------------------------------------------- main


def source_revision() -> str:
    """The checkout's commit (read-only git), marked when the tree has local changes."""
    root = Path(__file__).resolve().parents[1]
    git = ["git", "--no-optional-locks", "-C", str(root)]  # --no-optional-locks: never touch the index
    try:
        head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True)
        dirty = subprocess.run([*git, "status", "--porcelain", "--", "src"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    revision = head.stdout.strip()
    return f"{revision} + local changes in src/" if dirty.stdout.strip() else revision


def parse_args(argv: Sequence[str] | None) -> Settings:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run (50 and 200 roles)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--sizes", help="comma-separated role counts, e.g. 50,2000")
    args = parser.parse_args(argv)
    s = QUICK if args.quick else FULL
    sizes = tuple(int(x) for x in args.sizes.split(",")) if args.sizes else s.sizes
    analysis = s.analysis_size if s.analysis_size in sizes else max(sizes)
    return Settings(sizes, s.queries, s.rounds, s.round_seconds, s.check_seconds, args.seed, analysis, s.budget_seconds)


def main(argv: Sequence[str] | None = None) -> None:
    """Run every size (lint and diff right after the analysis size) and print the tables."""
    s = parse_args(argv)
    started = time.perf_counter()
    budget = Budget(s.budget_seconds)
    say(f"# decisionrights benchmark (seed {s.seed})")
    say(f"Python {platform.python_version()}, {os.cpu_count()} cores, {platform.machine()}; rounds: {s.rounds}")
    say(f"decisionrights source: {source_revision()}; load average at start: {os.getloadavg()[0]:.1f}")
    for n_roles in s.sizes:
        w, charter = run_size(n_roles, s, budget)
        if n_roles == s.analysis_size:  # while our charter of this size is still loaded
            say(f"\n## lint and diff on the {n_roles:,}-role charter\n")
            say(table(["call", "time"], analysis_times(w, charter, budget)))
        del w, charter
    say(f"\ntotal {time.perf_counter() - started:.0f} s; load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
