"""The estimate as people and machines read it: text, JSON, and the cost delta for `tools diff`."""

from __future__ import annotations

import json
from typing import Any

from components.cost.arithmetic import Delta, Range
from tools.cost.estimate import LEFT_OUT, CostDelta, Estimate, Line
from tools.cost.prices import PRICES


def money(value: Range | None) -> str:
    if value is None:
        return "not priced"
    if round(value.low, 2) == round(value.high, 2):
        return f"${value.low:,.2f}"
    return f"${value.low:,.2f} - ${value.high:,.2f}"


def signed(delta: Delta) -> str:
    def one(value: float) -> str:
        return f"{'+' if value >= 0 else '-'}${abs(value):,.2f}"

    return one(delta.low) if round(delta.low, 2) == round(delta.high, 2) else f"{one(delta.low)} .. {one(delta.high)}"


def component_money(estimate: Estimate, component: str) -> str:
    """A component's priced sum, saying when some of its lines (or all) are not priced."""
    unpriced = estimate.not_priced(component)
    if len(unpriced) == sum(1 for line in estimate.lines if line.item.component == component):
        return "not priced"
    return money(estimate.monthly(component)) + (f" + {len(unpriced)} not priced" if unpriced else "")


def _unit_price(line: Line) -> str:
    if line.unit_price is None:
        return "not priced"
    low, high = line.unit_price.low, line.unit_price.high
    shown = f"${low:g}" if low == high else f"${low:g}-{high:g}"
    return f"{shown}/{line.item.unit}"


def format_text(estimate: Estimate) -> str:
    out = [f"monthly cost estimate of stack {estimate.stack} ({estimate.region}, USD list prices, min - max replicas)"]
    for component in estimate.components():
        out.append(f"\n{component}: {component_money(estimate, component)}")
        for line in (line for line in estimate.lines if line.item.component == component):
            q = line.item.quantity
            quantity = f"{q.low:,.1f}" if q.low == q.high else f"{q.low:,.1f}-{q.high:,.1f}"
            out.append(
                f"  {money(line.monthly):>26}  {line.item.what}  [{quantity} {line.item.unit} x {_unit_price(line)}]"
            )
            if line.item.note:
                out.append(f"  {'':>26}  {line.item.note}")
    unpriced = estimate.not_priced()
    out.append(f"\ntotal of priced lines: {money(estimate.monthly())} a month")
    if unpriced:
        keys = ", ".join(sorted({_key(line) for line in unpriced}))
        out.append(f"not priced ({len(unpriced)} lines, not in the total): {keys}")
    out.append(
        "\nassumptions (override with --hours, --bucket-gib, --rps, --request-kib, --response-kib, --nat-gib, ...):"
    )
    out += [f"  {text}" for text in estimate.assumptions.values()]
    out.append("left out: " + "; ".join(LEFT_OUT))
    out.append("prices: tools/cost/prices.py (each line dated and sourced); TPU7x: llm-platform:pricing.tpuChipHour.*")
    return "\n".join(out) + "\n"


def _key(line: Line) -> str:
    return line.item.price_key or "TPU chip-hour (llm-platform:pricing)"


def _line_json(line: Line) -> dict[str, Any]:
    price = PRICES.get(line.item.price_key or "")
    return {
        "component": line.item.component,
        "what": line.item.what,
        "quantity": line.item.quantity.rounded(3),
        "unit": line.item.unit,
        "unitPriceUsd": None if line.unit_price is None else line.unit_price.rounded(6),
        "monthlyUsd": None if line.monthly is None else line.monthly.rounded(2),
        "price": _key(line),
        "source": None if price is None else {"url": price.source, "read": price.read, "secondary": price.secondary},
        "note": line.item.note or (price.note if price and line.unit_price is None else ""),
    }


def as_json(estimate: Estimate) -> dict[str, Any]:
    return {
        "stack": estimate.stack,
        "region": estimate.region,
        "currency": "USD",
        "totalMonthlyUsd": estimate.monthly().rounded(2),
        "components": {
            name: {"monthlyUsd": estimate.monthly(name).rounded(2), "notPriced": len(estimate.not_priced(name))}
            for name in estimate.components()
        },
        "lines": [_line_json(line) for line in estimate.lines],
        "notPriced": sorted({_key(line) for line in estimate.not_priced()}),
        "assumptions": estimate.assumptions,
        "leftOut": list(LEFT_OUT),
    }


def format_json(estimate: Estimate) -> str:
    return json.dumps(as_json(estimate), indent=2, sort_keys=True) + "\n"


def delta_lines(delta: CostDelta) -> list[str]:
    """The cost delta of a change, for the plain-text diff."""
    out = [f"Monthly cost: {money(delta.base.monthly())} -> {money(delta.head.monthly())} ({signed(delta.total)})"]
    out += [f"   {name}: {signed(change)}" for name, change in delta.by_component().items()]
    if unpriced := delta.unpriced_changes():
        out.append(f"   not priced, so not in the delta: {', '.join(unpriced)}")
    return out


def delta_markdown(deltas: list[tuple[str, CostDelta]]) -> list[str]:
    """The cost delta per stack, for the pull-request comment."""
    out = ["", "#### Monthly cost delta (priced lines, min .. max replicas)", ""]
    out += ["| stack | base | head | change | by component |", "| --- | --- | --- | --- | --- |"]
    for stack, delta in deltas:
        parts = "; ".join(f"{name} {signed(change)}" for name, change in delta.by_component().items()) or "none"
        out.append(
            f"| `{stack}` | {money(delta.base.monthly())} | {money(delta.head.monthly())} "
            f"| {signed(delta.total)} | {parts} |"
        )
    unpriced = sorted({f"`{stack}` {item}" for stack, delta in deltas for item in delta.unpriced_changes()})
    if unpriced:
        out += ["", "Not priced, so not in the delta: " + ", ".join(unpriced)]
    out += [
        "",
        "_USD list prices from `tools/cost/prices.py`; TPU7x from `llm-platform:pricing`; "
        "`python -m tools cost` shows the assumptions._",
    ]
    return out
