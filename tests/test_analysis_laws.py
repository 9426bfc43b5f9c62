"""Law 10 of spec §9, analysis is exact: regions agree with `may()`, and lint's examples are real requests.

(The diff half of law 10 is in test_diff_laws.py; law 11, fmt, in test_fmt.py.)
"""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

import decisionrights as dr
from decisionrights.analysis.lint import lint
from decisionrights.testing import charters, requests


@given(st.data())
def test_analysis_exactness_authority_of_agrees_with_may(data: st.DataObject) -> None:
    """For sampled requests, a role's region holds the request exactly when `may()` allows it, and the
    part it falls in carries exactly the answer's obligations."""
    text = data.draw(charters(), label="charter")
    charter = dr.loads(text)
    for _ in range(8):
        req = data.draw(requests(text), label="request")
        answer = charter.may(req.role, req.decision, on=req.on, **req.attributes)
        held = charter.authority_of(req.role, on=req.on).get(req.decision)
        inside = held is not None and held.region.contains(answer.request)
        assert inside == answer.allowed, (held.text if held else None, answer.explain())
        if answer.allowed:
            parts = [p for p in held.parts if p.region.contains(answer.request)]
            assert [p.obligations for p in parts] == [answer.obligations]


def _request_of(note: str) -> dict[str, object]:
    """`for example: amount = 15k EUR, category = hardware — …` → keyword arguments for `may()`."""
    body = note.split("for example: ", 1)[1].split(" — ")[0].split(" escalates to nobody")[0]
    out: dict[str, object] = {}
    if body == "any request":
        return out
    for part in body.split(", "):
        name, value = part.split(" = ", 1)
        if value in ("true", "false"):
            out[name] = value == "true"
        elif value.startswith('"'):
            out[name] = value[1:-1]
        else:
            out[name] = value
    return out


@given(st.data())
def test_analysis_exactness_lint_examples_are_real(data: st.DataObject) -> None:
    """A gap's example is a request nobody may decide; a delegation-beyond-authority example is one the
    delegator may not decide, so the delegation cannot pass it on."""
    text = data.draw(charters(), label="charter")
    charter = dr.loads(text)
    today = date.today()
    for finding in lint(charter, on=today):
        if finding.code == "DR207":
            decision = finding.message.split("`")[1]
            attrs = _request_of(finding.notes[0])
            assert charter.who_may(decision, on=today, **attrs) == (), finding.message
        elif finding.code == "DR201" and finding.notes:
            delegation = next(d for d in charter.compiled.delegations if d.rule.span == finding.span)
            attrs = _request_of(finding.notes[0])
            for day in {today, delegation.start or today, delegation.end or today}:
                assert not charter.may(delegation.delegator, delegation.decision, on=day, **attrs), finding.message
        elif finding.code == "DR202" and finding.notes:
            # Part of a delegation that cannot be passed on: the delegator does hold it (on some day).
            delegation = next(d for d in charter.compiled.delegations if d.rule.span == finding.span)
            attrs = _request_of(finding.notes[0])
            days = {today} | {d for x in charter.compiled.delegations for d in (x.start, x.end) if d is not None}
            assert any(charter.may(delegation.delegator, delegation.decision, on=day, **attrs) for day in days), (
                finding.message)
