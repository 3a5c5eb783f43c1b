"""Human views of a recorded graph: a preview tree, counts by type, a Mermaid picture."""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from collections.abc import Iterable
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from tools.graph import Registration, StackGraph
from tools.weights import weights_steps


def _label(resource: Registration) -> str:
    flags = []
    if resource.protect:
        flags.append("protected")
    if resource.retainOnDelete:
        flags.append("retain-on-delete")
    if resource.provider:
        flags.append(f"provider={resource.provider.rsplit('::', 1)[-1]}")
    suffix = f"  [dim]({', '.join(flags)})[/dim]" if flags else ""
    kind = "" if resource.custom else "[bold]"
    return f"{kind}{resource.name}{'[/bold]' if kind else ''}  [cyan]{resource.type}[/cyan]{suffix}"


def preview_tree(graph: StackGraph) -> Tree:
    """Component -> children; siblings sorted by name (registration order varies between runs)."""
    tree = Tree(f"[bold]offline preview[/bold] of stack [green]{graph.stack}[/green] (mock runtime, no cloud calls)")
    nodes: dict[str, Tree] = {}
    known = {r.urn for r in graph.resources}
    pending = sorted(graph.resources, key=lambda r: (r.name, r.type))
    while pending:
        remaining = []
        for resource in pending:
            if resource.parent in nodes:
                nodes[resource.urn] = nodes[resource.parent].add(_label(resource))
            elif resource.parent not in known:
                nodes[resource.urn] = tree.add(_label(resource))
            else:
                remaining.append(resource)
        if len(remaining) == len(pending):
            raise ValueError("parent cycle in the recorded graph")
        pending = remaining
    return tree


def counted(resources: Iterable[Registration]) -> list[Registration]:
    """What the preview counts as resources: custom resources (explicit providers too), not components."""
    return [r for r in resources if r.custom]


def type_counts(graph: StackGraph) -> Table:
    counts = Counter(r.type for r in counted(graph.resources))
    table = Table(title=f"{sum(counts.values())} resources by type", show_edge=False)
    table.add_column("type")
    table.add_column("count", justify="right")
    for type_, count in sorted(counts.items()):
        table.add_row(type_, str(count))
    return table


def _format_output(value: Any) -> str:
    # Escaped: a masked secret reads `[secret]`, which rich would otherwise take for markup.
    return escape(value if isinstance(value, str) else json.dumps(value, sort_keys=True))


TIER_COLUMNS = (
    ("topology", "topology"),
    ("chips", "chips"),
    ("vms", "VMs"),
    ("tensorParallelSize", "TP"),
    ("tpuPerPod", "TPU/pod"),
    ("weightsGiB", "weights GiB"),
    ("kvCacheGiB", "KV GiB"),
    ("hbmNeedGiB", "HBM need"),
    ("hbmUsableGiB", "HBM usable"),
    ("estimatedDecodeTokensPerSecondCeiling", "decode tok/s ceiling"),
    ("estimatedWeightsReadSeconds", "weights read s"),
)


def _figure(value: Any) -> str:
    if value is None:
        return "n/a"
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def _usd_range(value: Any, digits: int) -> str:
    if not value:
        return "not priced"
    low, high = value["min"], value["max"]
    return f"${low:.{digits}f}" if low == high else f"${low:.{digits}f}-{high:.{digits}f}"


def cost_cells(figures: dict[str, Any]) -> list[str]:
    """A tier's cost columns: capacity modes, replica-hour, per million output tokens at the ceiling and utilisation."""
    cost = figures.get("cost") or {}
    per_million = cost.get("perMillionOutputTokensUsd") or {}
    return [
        "/".join(cost.get("capacityModes", [])) or "n/a",
        _usd_range(cost.get("replicaHourUsd"), 2),
        _usd_range(per_million.get("atCeiling"), 3),
        _usd_range(per_million.get("atUtilization"), 3),
    ]


COST_HEADINGS = ("capacity", "USD/replica-hour", "USD/M tokens at ceiling", "USD/M tokens at utilization")


def outputs_table(graph: StackGraph) -> Table:
    table = Table(title="stack outputs (values computed offline from mock provider values)", show_edge=False)
    table.add_column("output")
    table.add_column("value", overflow="fold")
    for key, value in sorted(graph.outputs.items()):
        if key != "tiers":
            table.add_row(key, _format_output(value))
    return table


def tiers_table(graph: StackGraph) -> Table | None:
    """Per-tier sizing from the `tiers` output; every figure but the shape is an estimate."""
    tiers = graph.outputs.get("tiers")
    if not tiers:
        return None
    table = Table(
        title="serving tiers (ESTIMATES, not measurements: HBM fit, decode ceiling from HBM bandwidth, "
        "weights read time from the model store; n/a = not estimated)",
        show_edge=False,
    )
    table.add_column("tier")
    for _, heading in TIER_COLUMNS:
        table.add_column(heading, justify="right")
    for name, figures in sorted(tiers.items()):
        table.add_row(name, *(_figure(figures.get(key)) for key, _ in TIER_COLUMNS))
    return table


def tier_cost_table(graph: StackGraph) -> Table | None:
    """Beside the sizing: what a replica costs an hour and a million output tokens, from `llm-platform:pricing`."""
    tiers = graph.outputs.get("tiers")
    if not tiers:
        return None
    utilization = next(iter(tiers.values())).get("cost", {}).get("utilization")
    table = Table(
        title="serving tiers' cost (ESTIMATES from the configured TPU7x chip-hour prices, llm-platform:pricing; "
        f"per million output tokens at the decode ceiling and at {utilization:g} of it; min-max over capacity modes)"
        if utilization is not None
        else "serving tiers' cost (not estimated by this revision of the program)",
        show_edge=False,
    )
    table.add_column("tier")
    for heading in COST_HEADINGS:
        table.add_column(heading, justify="right")
    table.add_column("note")
    for name, figures in sorted(tiers.items()):
        table.add_row(name, *cost_cells(figures), escape(str((figures.get("cost") or {}).get("note", ""))))
    return table


def capacity_table(graph: StackGraph) -> Table | None:
    """Each tier's capacity chain, one row per step in the order GKE tries them, and what each step means."""
    tiers = graph.outputs.get("tiers")
    if not tiers:
        return None
    table = Table(
        title="capacity chains (in the order GKE tries them; a tier with several steps has a ComputeClass that "
        "falls back on a stockout and moves pods back when a higher step returns)",
        show_edge=False,
    )
    for heading in ("tier", "step", "mode", "price", "preemption", "max run", "queueing"):
        table.add_column(heading)
    for name, figures in sorted(tiers.items()):
        for index, step in enumerate(figures.get("capacityChain") or [], start=1):
            table.add_row(
                name if index == 1 else "",
                str(index),
                *(escape(str(step.get(key, ""))) for key in ("mode", "price", "preemption", "maxRun", "queueing")),
            )
    return table


def print_preview(graph: StackGraph, console: Console | None = None) -> None:
    # Piped output (CI logs, `| less`) gets a wide, fixed width instead of rich's 80-column fallback.
    console = console or Console(width=None if sys.stdout.isatty() else 160)
    console.print(preview_tree(graph))
    console.print()
    console.print(type_counts(graph))
    console.print()
    console.print(outputs_table(graph))
    for table in (tiers_table(graph), tier_cost_table(graph), capacity_table(graph)):
        if table is not None:
            console.print()
            console.print(table)
    steps = weights_steps(graph)
    if steps:
        console.print()
        for step in steps:
            console.print(escape(step.line()), soft_wrap=True)


def _mermaid_id(urn: str) -> str:
    return "n_" + re.sub(r"[^A-Za-z0-9_]", "_", urn.split("::", 2)[-1])


def mermaid(graph: StackGraph) -> str:
    """A flowchart with one subgraph per component and its direct children."""
    lines = ["flowchart LR", f"  %% offline graph of stack {graph.stack}"]
    components = [r for r in graph.resources if not r.custom]
    by_parent: dict[str, list[Registration]] = {}
    for resource in graph.resources:
        by_parent.setdefault(resource.parent, []).append(resource)
    for component in sorted(components, key=lambda r: r.urn):
        lines.append(f'  subgraph {_mermaid_id(component.urn)}["{component.name} ({component.type})"]')
        for child in sorted(by_parent.get(component.urn, []), key=lambda r: r.urn):
            if child.custom:
                short_type = child.type.rsplit(":", 1)[-1]
                lines.append(f'    {_mermaid_id(child.urn)}["{child.name}<br/>{short_type}"]')
        lines.append("  end")
    for component in sorted(components, key=lambda r: r.urn):
        for child in sorted(by_parent.get(component.urn, []), key=lambda r: r.urn):
            if not child.custom:
                lines.append(f"  {_mermaid_id(component.urn)} --> {_mermaid_id(child.urn)}")
    for source, target in _component_dependencies(graph):
        lines.append(f"  {_mermaid_id(source)} -.->|depends on| {_mermaid_id(target)}")
    return "\n".join(lines) + "\n"


def _component_dependencies(graph: StackGraph) -> list[tuple[str, str]]:
    """(component, component) pairs where something in the first waits for something in the second."""
    parents = {r.urn: r.parent for r in graph.resources}

    def top(urn: str) -> str:
        while parents.get(parents.get(urn, "")) is not None:
            urn = parents[urn]
        return urn

    edges = {
        (top(resource.urn), top(dependency))
        for resource in graph.resources
        for dependency in resource.dependencies
        if dependency in parents and top(resource.urn) != top(dependency)
    }
    return sorted(edges)
