"""The minimal graph one creation-order row governs, and the same graph with one prerequisite cut off.

From a recorded stack: the subject and everything upstream of it (dependencies and providers,
transitively), as the engine creates them. Cutting a prerequisite type removes every edge into the
resources of that type from the subject and its upstream, but keeps the resources in the graph, so
a prerequisite required only `if_in_stack` is still required.
"""

from __future__ import annotations

import dataclasses

from tools.graph import Registration, StackGraph


def upstream(graph: StackGraph, subject: Registration) -> list[Registration]:
    by_urn = {r.urn: r for r in graph.resources}
    found: dict[str, Registration] = {}
    pending = [subject.urn]
    while pending:
        urn = pending.pop()
        if urn in found or urn not in by_urn:
            continue
        resource = found[urn] = by_urn[urn]
        pending += [*resource.dependencies, *([resource.provider] if resource.provider else [])]
    return list(found.values())


def minimal(graph: StackGraph, subject: Registration) -> StackGraph:
    """The subject and its upstream, in the recorded order."""
    kept = {r.urn for r in upstream(graph, subject)}
    return StackGraph(graph.stack, [r for r in graph.resources if r.urn in kept], {})


def cut(graph: StackGraph, type_: str) -> StackGraph:
    """`graph` with no edge into a resource of `type_` (the resources themselves stay)."""
    targets = {r.urn for r in graph.resources if r.type == type_}
    return StackGraph(
        graph.stack,
        [
            dataclasses.replace(r, dependencies=[urn for urn in r.dependencies if urn not in targets])
            for r in graph.resources
        ],
        {},
    )
