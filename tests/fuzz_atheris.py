"""Coverage-guided fuzzing of the parser and compiler with atheris (libFuzzer). Run by hand, not in CI.

    pip install atheris
    mkdir -p /tmp/charter-corpus && cp ../shared/spec/examples/*.charter tests/corpus/invalid/*.charter \\
        /tmp/charter-corpus/
    PYTHONPATH=src python tests/fuzz_atheris.py /tmp/charter-corpus -max_total_time=300 -rss_limit_mb=2048 \\
        -max_len=4096 -timeout=10

The law is spec §9.13: any bytes either decode and load, or fail with a
`CharterError` whose diagnostics carry a line and column ≥ 1. Anything else
— another exception, a hang (`-timeout`), too much memory (`-rss_limit_mb`) —
is a finding: libFuzzer stops and writes the input to `crash-…`/`timeout-…`.
A charter that loads is also asked one request per role, and its answer
explained.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    import decisionrights as dr
    from decisionrights.charter import decode


def check(data: bytes) -> None:
    try:
        text = decode(data, "fuzz.charter")
        charter = dr.loads(text, "fuzz.charter")
    except dr.CharterError as exc:
        for d in exc.diagnostics:
            if d.span is None or d.span.line < 1 or d.span.column < 1:
                raise AssertionError(f"a diagnostic without a place: {d!r}") from None
            d.render()
        return
    for decision in charter.decisions[:2]:
        spec = charter.compiled.decisions[decision]
        attrs = {a.name: {"money": 1_000, "number": 1, "bool": True, "text": "x", "date": "2027-01-01"}
                 .get(a.kind, a.members[0] if a.members else "x") for a in spec.attrs.values()}
        for role in charter.roles[:3]:
            try:
                charter.may(role, decision, on="2027-01-15", **attrs).explain()
            except dr.InvalidRequest:
                pass


def main() -> None:
    sys.setrecursionlimit(1_000)  # a deep recursion is a finding, not something to survive by luck
    atheris.Setup(sys.argv, check)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
