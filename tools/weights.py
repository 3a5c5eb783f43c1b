"""What the preview and the diff say about model weights: each step that puts a model folder in place
(a fetch or check Job, a Lustre import, a populated claim) and the tiers that wait for it.

Read off the recorded graph: a step is a resource annotated `llm-platform/weights-step` (with
`llm-platform/weights-source` saying what it copies), a tier is a workload labelled
`llm-platform/tier`, and "waits for" is the transitive closure of dependencies.
"""

from __future__ import annotations

from dataclasses import dataclass

from tools.graph import Registration, StackGraph

STEP = "llm-platform/weights-step"
SOURCE = "llm-platform/weights-source"
TIER_LABEL = "llm-platform/tier"
WORKLOADS = ("kubernetes:apps/v1:Deployment", "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet")


@dataclass(frozen=True)
class WeightsStep:
    urn: str
    name: str  # the object's name: a new one is a new run
    step: str
    source: str
    tiers: tuple[str, ...]

    def line(self) -> str:
        if not self.tiers:
            return f"weights: {self.source} (no tier waits for it)"
        many = len(self.tiers) > 1
        return (
            f"weights: {self.source} before tier{'s' if many else ''} {', '.join(self.tiers)} roll{'' if many else 's'}"
        )


def _annotations(resource: Registration) -> dict[str, str]:
    metadata = resource.inputs.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
    return annotations if isinstance(annotations, dict) else {}


def _upstream(graph: StackGraph) -> dict[str, set[str]]:
    by_urn = {r.urn: r for r in graph.resources}
    closure: dict[str, set[str]] = {}

    def of(urn: str) -> set[str]:
        if urn not in closure:
            closure[urn] = set()  # a dependency cycle cannot be recorded; this only guards recursion
            found: set[str] = set()
            for dependency in by_urn[urn].dependencies if urn in by_urn else []:
                found |= {dependency, *of(dependency)}
            closure[urn] = found
        return closure[urn]

    for resource in graph.resources:
        of(resource.urn)
    return closure


def weights_steps(graph: StackGraph) -> list[WeightsStep]:
    """Every step, in the order its source reads, with the tiers whose workloads wait for it."""
    upstream = _upstream(graph)
    tiers = [
        (str(r.inputs["metadata"]["labels"][TIER_LABEL]), upstream[r.urn])
        for r in graph.resources
        if r.type in WORKLOADS and TIER_LABEL in ((r.inputs.get("metadata") or {}).get("labels") or {})
    ]
    steps = []
    for resource in graph.resources:
        annotations = _annotations(resource)
        if STEP not in annotations:
            continue
        waiting = tuple(sorted(tier for tier, before in tiers if resource.urn in before))
        name = str((resource.inputs.get("metadata") or {}).get("name", resource.name))
        steps.append(
            WeightsStep(resource.urn, name, annotations[STEP], annotations.get(SOURCE, resource.name), waiting)
        )
    return sorted(steps, key=lambda s: (s.source, s.urn))


def new_steps(base: StackGraph, head: StackGraph) -> list[WeightsStep]:
    """The steps `head` runs that `base` did not: new resources, or the same resource under a new name."""
    before = {step.urn: step.name for step in weights_steps(base)}
    return [step for step in weights_steps(head) if before.get(step.urn) != step.name]
