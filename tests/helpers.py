"""Small helpers shared by the tests."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SPEC_EXAMPLES = ROOT.parent / "shared" / "spec" / "examples"
CORPUS = Path(__file__).resolve().parent / "corpus"


def charter_text(body: str, *, currency: str | None = "EUR", flows_up: bool = False) -> str:
    """A charter with a header, for tests that only care about the body."""
    head = ['charter "test"']
    if currency:
        head.append(f"currency {currency}")
    if flows_up:
        head.append("authority flows up")
    return "\n".join(head) + "\n" + body
