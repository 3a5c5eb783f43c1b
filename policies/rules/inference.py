"""The Inference Gateway's objects (issue 18): pools select serving pods only, the edge's extensions
run pinned releases, and a pool behind a route is authenticated."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pulumi_policy import PolicyResource, ReportViolation, ResourceValidationArgs, StackValidationArgs

from .kubernetes import LWS, containers, pod_specs
from .metadata import HIGH, MANDATORY, MEDIUM, get, items, resource_policy, stack_policy
from .tpu import TPU_RESOURCE

POOL = "kubernetes:inference.networking.k8s.io/v1:InferencePool"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
WORKER_TEMPLATE = "spec.leaderWorkerTemplate.workerTemplate.spec"
# The endpoint picker and body-based router images (llm-d router, Gateway API Inference Extension).
EXTENSION_IMAGES = re.compile(
    r"(^|/)(llm-d-router-endpoint-picker|llm-d-inference-payload-processor|gateway-api-inference-extension/(epp|bbr))([:@]|$)"
)
RELEASE_TAG = re.compile(r":v[0-9]+\.[0-9]+\.[0-9]+$|@sha256:[0-9a-f]{64}$")


def _template_labels(resource: PolicyResource, path: str) -> Any:
    """The labels of the pod template at `path` (the pod spec's sibling metadata)."""
    return get(resource.props, *path.split(".")[:-1], "metadata", "labels")


def _selects(selector: Any, labels: Any) -> bool:
    if not isinstance(selector, Mapping) or not selector or not isinstance(labels, Mapping):
        return False
    return all(get(labels, key) == get(selector, key) for key in selector)


def _serving(spec: Any) -> bool:
    """A pod that serves a model: a container on TPUs with a port and a readiness probe (vLLM's server)."""
    return any(
        items(get(c, "ports"))
        and get(c, "readinessProbe") is not None
        and get(c, "resources", "requests", TPU_RESOURCE)
        for _, c in containers(spec)
    )


def _pool_selects_serving_pods(args: StackValidationArgs, report: ReportViolation) -> None:
    resources = list(args.resources)
    for pool in (r for r in resources if r.resource_type == POOL):
        selector = get(pool.props, "spec", "selector", "matchLabels")
        selected = [
            (workload, path, spec)
            for workload in resources
            for path, spec in pod_specs(workload.resource_type, workload.props)
            if _selects(selector, _template_labels(workload, path))
        ]
        if not selected:
            report("the InferencePool's selector matches no pod template of the stack.", pool.urn)
        for workload, path, spec in selected:
            if workload.resource_type == LWS and path == WORKER_TEMPLATE:
                report(
                    f"the InferencePool selects the workers of {workload.name}: only LeaderWorkerSet leaders serve.",
                    pool.urn,
                )
            elif not _serving(spec):
                report(f"the InferencePool selects pods of {workload.name} that serve nothing.", pool.urn)


def _extensions_pinned(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for path, spec in pod_specs(args.resource_type, args.props):
        for where, container in containers(spec):
            image = str(get(container, "image", default=""))
            if EXTENSION_IMAGES.search(image) and not RELEASE_TAG.search(image):
                report(
                    f"{path}.{where} runs {image}: an edge extension must run a release tag (vX.Y.Z) or a digest.", None
                )
            if EXTENSION_IMAGES.search(image) and get(container, "imagePullPolicy") == "Always":
                report(f"{path}.{where} pulls on every start (Always): a pinned release needs IfNotPresent.", None)


def _pool_endpoint_picker_exists(args: StackValidationArgs, report: ReportViolation) -> None:
    """Every pool's endpoint picker is a Service of the stack whose pods run a pinned picker image."""
    resources = list(args.resources)
    services = {
        get(r.props, "metadata", "name"): r for r in resources if r.resource_type == "kubernetes:core/v1:Service"
    }
    for pool in (r for r in resources if r.resource_type == POOL):
        name = get(pool.props, "spec", "endpointPickerRef", "name")
        service = services.get(name)
        if service is None:
            report(f"the InferencePool's endpointPickerRef names {name!r}, which the stack does not create.", pool.urn)
            continue
        selector = get(service.props, "spec", "selector")
        images = [
            str(get(c, "image", default=""))
            for workload in resources
            for path, spec in pod_specs(workload.resource_type, workload.props)
            if _selects(selector, _template_labels(workload, path))
            for _, c in containers(spec)
        ]
        if not any(EXTENSION_IMAGES.search(i) and RELEASE_TAG.search(i) for i in images):
            report(
                f"the endpoint picker Service {name} selects no pod running a pinned endpoint-picker image.", pool.urn
            )


POLICIES = [
    stack_policy(
        "inference-pool-selects-serving-pods",
        "Every InferencePool selects serving pods only: never a LeaderWorkerSet's workers, never nothing.",
        check=_pool_selects_serving_pods,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Select the tier's serving pods: for a multi-host tier add llm-platform/role: leader to the "
        "pool's selector.",
        tags=["gateway", "reliability"],
    ),
    resource_policy(
        "inference-extensions-pinned",
        "The endpoint picker and body-based router run a pinned release, not a moving tag.",
        types={DEPLOYMENT},
        check=_extensions_pinned,
        severity=MEDIUM,
        enforcement=MANDATORY,
        remediation="Use the release image (e.g. ghcr.io/llm-d/llm-d-router-endpoint-picker:v0.10.0) with "
        "imagePullPolicy IfNotPresent.",
        tags=["gateway", "supply-chain"],
    ),
    stack_policy(
        "inference-pool-endpoint-picker",
        "Every InferencePool's endpoint picker is a Service of the stack backed by a pinned picker.",
        check=_pool_endpoint_picker_exists,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Create the picker's Deployment and Service with the pool (components/gateway/endpoint_picker.py).",
        tags=["gateway", "reliability"],
    ),
]
