"""Model weights: a tier never starts on a model path that no fetch, check, import or copy put in place.

The program marks every step that puts weights where servers read them with the annotation
`llm-platform/weights-paths` (a JSON list of model paths as servers see them): the fetch or check Job
on a store that reads the bucket itself, the Lustre import, the populated claim. A vLLM workload's
`--model` path must be one of them, on a resource upstream of the workload (through dependencies,
as the creation-order engine computes it), so Pulumi waits for it before the workload rolls.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pulumi_policy import PolicyResource, ReportViolation, StackValidationArgs

from .metadata import HIGH, MANDATORY, UNKNOWN, items, known, stack_policy
from .ordering.engine import Graph

WORKLOADS = {
    "kubernetes:apps/v1:Deployment": ("spec", "template", "spec", "containers"),
    "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet": (
        "spec",
        "leaderWorkerTemplate",
        "leaderTemplate",
        "spec",
        "containers",
    ),
}
SERVER_LABEL = ("metadata", "labels", "app.kubernetes.io/name")
SERVER = "vllm"
PATHS_ANNOTATION = "llm-platform/weights-paths"
STEP_ANNOTATION = "llm-platform/weights-step"
# `--model=P` or `--model P`, as an argument or inside the multi-host leader's shell line (shlex quoting).
MODEL_FLAG = re.compile(r"--model(?:=|\s+)(?:'([^']*)'|(\S+))")


def model_paths(resource: PolicyResource) -> list[str] | None:
    """The model paths the server containers are given; None when an argument is not known yet."""
    containers = items(known(resource.props, *WORKLOADS[resource.resource_type]))
    found: list[str] = []
    for container in containers:
        for field in ("command", "args"):
            for part in items(known(container, field)):
                if part is UNKNOWN:
                    return None
                found += [quoted or bare for quoted, bare in MODEL_FLAG.findall(str(part))]
    return found


def produced_paths(resource: PolicyResource) -> list[str]:
    value = known(resource.props, "metadata", "annotations", PATHS_ANNOTATION)
    if not isinstance(value, str):
        return []
    try:
        paths: Any = json.loads(value)
    except ValueError:
        return []
    return [path for path in paths if isinstance(path, str)] if isinstance(paths, list) else []


def _tier(resource: PolicyResource) -> str:
    tier = known(resource.props, "metadata", "labels", "llm-platform/tier")
    return f"tier {tier}" if isinstance(tier, str) else resource.name


def _weights_produced(args: StackValidationArgs, report: ReportViolation) -> None:
    resources = list(args.resources)
    producers: dict[str, list[PolicyResource]] = {}
    for resource in resources:
        for path in produced_paths(resource):
            producers.setdefault(path, []).append(resource)
    graph = Graph(resources)
    for resource in resources:
        if resource.resource_type not in WORKLOADS or known(resource.props, *SERVER_LABEL) != SERVER:
            continue
        paths = model_paths(resource)
        if paths is None:
            continue  # judged once the arguments are known
        if not paths:
            report(
                f"{_tier(resource)} names no --model: the server would load whatever its image defaults to.",
                resource.urn,
            )
        upstream = graph.upstream(resource)
        for path in paths:
            made = producers.get(path, [])
            if not made:
                report(
                    f"{_tier(resource)} serves --model={path}, which no step of the stack puts in place (no fetch, "
                    "check, import or copy is annotated with it): the server would start on an empty path.",
                    resource.urn,
                )
            elif not any(producer.urn in upstream for producer in made):
                steps = ", ".join(sorted(producer.name for producer in made))
                report(
                    f"{_tier(resource)} serves --model={path} but does not wait for {steps}, which puts it in "
                    "place: it could roll before the weights are there.",
                    resource.urn,
                )


POLICIES = [
    stack_policy(
        "tier-weights-produced",
        "Every vLLM tier's --model path is put in place by a fetch, check, import or copy of the stack that the "
        "tier waits for, so no tier starts on a path nothing produced.",
        check=_weights_produced,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Set tiers.<name>.model.source.huggingFace (or upload the folder and let its check Job run): "
        "the program then creates the steps and the tier depends on them (components/storage/weights.py).",
        tags=["reliability"],
    ),
]
