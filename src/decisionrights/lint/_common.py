"""Helpers the analysis rules share: showing a sample request, naming a region's owner."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Mapping

from ..compile import CompiledCharter
from ..conditions import Value
from ..values import format_number


def show_value(cc: CompiledCharter, decision: str, attr: str, value: Value) -> str:
    spec = cc.decisions[decision].attrs[attr]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        text = format_number(value)
        return f"{text} {spec.currency}" if spec.kind == "money" and spec.currency else text
    if isinstance(value, date):
        return value.isoformat()
    if spec.kind == "text":
        return f'"{value}"'
    return str(value)


def show_request(cc: CompiledCharter, decision: str, sample: Mapping[str, Value]) -> str:
    """`amount = 15k EUR, category = hardware` — defaults left out when the sample keeps them."""
    parts = []
    for name, spec in cc.decisions[decision].attrs.items():
        value = sample[name]
        if spec.has_default and value == spec.default and type(value) is type(spec.default):
            continue
        parts.append(f"{name} = {show_value(cc, decision, name, value)}")
    return ", ".join(parts) or "any request"


def held_by_delegator(an, delegation):
    """What the delegator of `delegation` holds of its decision, at any date, as three regions:

    `held`, everything it may decide; `passable`, what it may pass on to this
    delegate (ways with a link to spare that do not already run through the
    delegate); `stuck`, what it holds only through a delegation received
    without `may subdelegate` (loops back to the delegate are not counted: a
    cycle is DR203's finding).
    """
    held = passable = stuck = an.nothing(delegation.decision)
    for path in an.cc.paths.get((delegation.delegator, delegation.decision), ()):
        region = an.path_region(path, dated=False)
        held = held | region
        if delegation.delegate in path.chain:
            continue
        if path.remaining >= 1:
            passable = passable | region
        else:
            stuck = stuck | region
    return held, passable, stuck - passable


def when(region_text: str, everything: str = "for every request") -> str:
    """`when amount > 10k`, or a phrase for the region that holds everything."""
    return everything if region_text == "true" else f"when {region_text}"
