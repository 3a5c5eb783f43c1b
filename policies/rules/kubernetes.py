"""Kubernetes workloads: hardened containers, pinned images, TPU pods that fit their VMs (issue 11's tiers)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs, StackValidationArgs

from .metadata import HIGH, MANDATORY, MEDIUM, checkov, cis_gke, get, items, resource_policy, stack_policy
from .tpu import CHIPS_PER_VM, NODE_POOL, TPU_RESOURCE, is_tpu_pool, pool_topology

LWS = "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
NAMESPACE = "kubernetes:core/v1:Namespace"
SERVICE = "kubernetes:core/v1:Service"
# Where each workload kind keeps its pod template(s).
POD_SPEC_PATHS: dict[str, tuple[tuple[str, ...], ...]] = {
    "kubernetes:core/v1:Pod": (("spec",),),
    "kubernetes:apps/v1:Deployment": (("spec", "template", "spec"),),
    "kubernetes:apps/v1:StatefulSet": (("spec", "template", "spec"),),
    "kubernetes:apps/v1:DaemonSet": (("spec", "template", "spec"),),
    "kubernetes:apps/v1:ReplicaSet": (("spec", "template", "spec"),),
    "kubernetes:batch/v1:Job": (("spec", "template", "spec"),),
    "kubernetes:batch/v1:CronJob": (("spec", "jobTemplate", "spec", "template", "spec"),),
    LWS: (
        ("spec", "leaderWorkerTemplate", "leaderTemplate", "spec"),
        ("spec", "leaderWorkerTemplate", "workerTemplate", "spec"),
    ),
}
WORKLOADS = set(POD_SPEC_PATHS)
ACCELERATOR_LABEL = "cloud.google.com/gke-tpu-accelerator"
TOPOLOGY_LABEL = "cloud.google.com/gke-tpu-topology"
_DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")


def pod_specs(resource_type: str, props: Any) -> list[tuple[str, Any]]:
    """(path, pod spec) for every pod template the workload declares."""
    found = []
    for path in POD_SPEC_PATHS.get(resource_type, ()):
        spec = get(props, *path)
        if isinstance(spec, Mapping):
            found.append((".".join(path), spec))
    return found


def containers(spec: Any) -> list[tuple[str, Any]]:
    return [
        (f"{field}[{get(c, 'name', default=i)}]", c)
        for field in ("initContainers", "containers")
        for i, c in enumerate(items(get(spec, field)))
    ]


def _quantity(value: Any) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def tpu_request(container: Any) -> tuple[int | None, int | None]:
    """(requests, limits) of google.com/tpu in a container."""
    resources = get(container, "resources")
    return (
        _quantity(get(resources, "requests", TPU_RESOURCE)) if get(resources, "requests", TPU_RESOURCE) else None,
        _quantity(get(resources, "limits", TPU_RESOURCE)) if get(resources, "limits", TPU_RESOURCE) else None,
    )


def wants_tpu(spec: Any) -> bool:
    return any(any(q is not None for q in tpu_request(c)) for _, c in containers(spec)) or bool(
        get(spec, "nodeSelector", ACCELERATOR_LABEL)
    )


def _each_container(args: ResourceValidationArgs) -> list[tuple[str, Any, Any]]:
    return [
        (f"{path}.{name}", spec, c)
        for path, spec in pod_specs(args.resource_type, args.props)
        for name, c in containers(spec)
    ]


def _no_privileged(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for where, _, container in _each_container(args):
        if get(container, "securityContext", "privileged") is True:
            report(f"{where} is privileged.", None)


def _no_privilege_escalation(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for where, _, container in _each_container(args):
        if get(container, "securityContext", "allowPrivilegeEscalation") is not False:
            report(f"{where} does not set securityContext.allowPrivilegeEscalation: false.", None)


def _no_host_namespaces(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for path, spec in pod_specs(args.resource_type, args.props):
        for field in ("hostNetwork", "hostPID", "hostIPC"):
            if get(spec, field) is True:
                report(f"{path}.{field} is true.", None)


def _resource_limits(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for where, _, container in _each_container(args):
        limits = get(container, "resources", "limits")
        if not isinstance(limits, Mapping) or not list(limits):
            report(f"{where} sets no resources.limits.", None)


def _probes(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for path, spec in pod_specs(args.resource_type, args.props):
        if path.endswith("workerTemplate.spec"):
            continue  # a multi-host group is ready when its leader is (LeaderWorkerSet)
        for name, container in containers(spec):
            if not name.startswith("containers[") or not items(get(container, "ports")):
                continue  # only serving containers (those that expose a port)
            if get(container, "readinessProbe") is None:
                report(f"{path}.{name} has no readinessProbe.", None)
            if get(container, "startupProbe") is None and get(container, "livenessProbe") is None:
                report(f"{path}.{name} has neither a startupProbe nor a livenessProbe.", None)


def image_problem(image: str) -> str | None:
    if _DIGEST.search(image):
        return None
    if "@" in image:
        return "has a malformed digest (not @sha256: and 64 hex digits)"
    name = image.rsplit("/", 1)[-1]
    if ":" not in name:
        return "has no tag"
    if name.rsplit(":", 1)[1] == "latest":
        return "uses the 'latest' tag"
    return None


def _pinned_images(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for where, _, container in _each_container(args):
        image = get(container, "image")
        problem = image_problem(str(image)) if image is not None else "names no image"
        if problem:
            report(f"{where} image {problem}; pin a dated tag or a digest.", None)


def _no_load_balancer(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if get(args.props, "spec", "type") == "LoadBalancer":
        report("a Service of type LoadBalancer bypasses the Gateway (authentication, Cloud Armor).", None)


def _tolerates_tpu(spec: Any) -> bool:
    for toleration in items(get(spec, "tolerations")):
        key, operator = get(toleration, "key"), get(toleration, "operator", default="Equal")
        effect = get(toleration, "effect", default="")
        if effect not in ("", "NoSchedule"):
            continue
        if operator == "Exists" and key in (TPU_RESOURCE, None):
            return True
        if operator == "Equal" and key == TPU_RESOURCE and get(toleration, "value") == "present":
            return True
    return False


def _tpu_toleration(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for path, spec in pod_specs(args.resource_type, args.props):
        if wants_tpu(spec) and not _tolerates_tpu(spec):
            report(f"{path} asks for TPUs but does not tolerate the {TPU_RESOURCE}=present:NoSchedule taint.", None)


def _tpu_request_matches_vm(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for path, spec in pod_specs(args.resource_type, args.props):
        if not wants_tpu(spec):
            continue
        topology = get(spec, "nodeSelector", TOPOLOGY_LABEL)
        if get(spec, "nodeSelector", ACCELERATOR_LABEL) != "tpu7x" or not topology:
            report(f"{path} asks for TPUs without selecting {ACCELERATOR_LABEL}: tpu7x and a {TOPOLOGY_LABEL}.", None)
            continue
        per_vm = CHIPS_PER_VM["tpu7x-standard-1t" if topology == "1x1x1" else "tpu7x-standard-4t"]
        total = 0
        for name, container in containers(spec):
            requests, limits = tpu_request(container)
            if requests is None and limits is None:
                continue
            if requests is not None and limits is not None and requests != limits:
                report(f"{path}.{name} requests {requests} but limits {limits} {TPU_RESOURCE}.", None)
            total += limits if limits is not None else (requests or 0)
        if total != per_vm:
            report(f"{path} uses {total} {TPU_RESOURCE} but a {topology} VM has {per_vm} chips.", None)


def _tpu_pool_exists(args: StackValidationArgs, report: ReportViolation) -> None:
    topologies = {
        pool_topology(r.props) for r in args.resources if r.resource_type == NODE_POOL and is_tpu_pool(r.props)
    }
    for resource in args.resources:
        for path, spec in pod_specs(resource.resource_type, resource.props):
            topology = get(spec, "nodeSelector", TOPOLOGY_LABEL)
            if wants_tpu(spec) and topology and topology not in topologies:
                report(
                    f"{path} selects TPU topology {topology}, which no TPU node pool of the stack provides.",
                    resource.urn,
                )


def is_default_deny(props: Any) -> bool:
    """Every pod of the namespace, both directions, nothing allowed (absent policyTypes means Ingress only)."""
    spec = get(props, "spec")
    return (
        not get(spec, "podSelector", "matchLabels")
        and not get(spec, "podSelector", "matchExpressions")
        and set(items(get(spec, "policyTypes"))) == {"Ingress", "Egress"}
        and not items(get(spec, "ingress"))
        and not items(get(spec, "egress"))
    )


def _namespace_default_deny(args: StackValidationArgs, report: ReportViolation) -> None:
    denied = {
        get(r.props, "metadata", "namespace")
        for r in args.resources
        if r.resource_type == NETWORK_POLICY and is_default_deny(r.props)
    }
    for resource in args.resources:
        name = get(resource.props, "metadata", "name")
        if resource.resource_type == NAMESPACE and name not in denied:
            report(f"namespace {name} has no default-deny NetworkPolicy (ingress and egress).", resource.urn)


def _no_open_ingress(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for i, rule in enumerate(items(get(args.props, "spec", "ingress"))):
        peers = items(get(rule, "from"))
        if not peers:
            report(f"spec.ingress[{i}] has no `from`: every source may connect.", None)
        for peer in peers:
            if get(peer, "ipBlock", "cidr") in ("0.0.0.0/0", "::/0"):
                report(f"spec.ingress[{i}] admits {get(peer, 'ipBlock', 'cidr')}: every address may connect.", None)


POLICIES = [
    stack_policy(
        "k8s-namespace-default-deny",
        "Every namespace the stack creates has a default-deny NetworkPolicy (ingress and egress).",
        check=_namespace_default_deny,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Add a NetworkPolicy with podSelector {}, policyTypes [Ingress, Egress] and no rules "
        "(components/isolation/), then allow each needed flow.",
        tags=["kubernetes", "network"],  # Checkov's graph check CKV2_K8S_6 asks the same of every pod
    ),
    resource_policy(
        "k8s-network-policy-no-open-ingress",
        "No NetworkPolicy lets every source in: each ingress rule names its peers, none is 0.0.0.0/0.",
        types={NETWORK_POLICY},
        check=_no_open_ingress,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Name the sources: Google's health-check ranges, the proxy-only subnet, a namespace or pods.",
        tags=["kubernetes", "network"],
    ),
    resource_policy(
        "k8s-no-privileged-containers",
        "No container runs privileged.",
        types=WORKLOADS,
        check=_no_privileged,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Set securityContext.privileged: false (vLLM TPU serving needs no privileges).",
        framework=cis_gke(
            "4.2.1", "Ensure that the cluster enforces Pod Security Standard Baseline profile or stricter"
        ),
        tags=["kubernetes", "checkov:CKV_K8S_16"],
    ),
    resource_policy(
        "k8s-no-privilege-escalation",
        "Every container sets allowPrivilegeEscalation: false.",
        types=WORKLOADS,
        check=_no_privilege_escalation,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Set securityContext.allowPrivilegeEscalation: false (and drop ALL capabilities).",
        framework=checkov("CKV_K8S_20", "Containers should not run with allowPrivilegeEscalation"),
        tags=["kubernetes"],
    ),
    resource_policy(
        "k8s-no-host-namespaces",
        "No pod shares the node's network, PID or IPC namespace.",
        types=WORKLOADS,
        check=_no_host_namespaces,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Remove hostNetwork / hostPID / hostIPC from the pod spec.",
        framework=checkov("CKV_K8S_19", "Containers should not share the host network namespace"),
        tags=["kubernetes", "checkov:CKV_K8S_17", "checkov:CKV_K8S_18"],
    ),
    resource_policy(
        "k8s-resource-limits",
        "Every container declares resource limits (TPU containers: google.com/tpu).",
        types=WORKLOADS,
        check=_resource_limits,
        severity=MEDIUM,
        enforcement=MANDATORY,
        remediation="Set resources.limits (requests = limits for google.com/tpu; memory for CPU containers).",
        framework=checkov("CKV_K8S_13", "Memory limits should be set"),
        tags=["kubernetes", "reliability"],
    ),
    resource_policy(
        "k8s-probes",
        "Serving containers have a readiness probe and a startup or liveness probe.",
        types=WORKLOADS,
        check=_probes,
        severity=MEDIUM,
        enforcement=MANDATORY,
        remediation="Add readinessProbe on /health and a startupProbe allowing >= 30 minutes for weights and XLA "
        "compilation (multi-host: the leader only).",
        framework=checkov("CKV_K8S_9", "Readiness Probe Should be Configured"),
        tags=["kubernetes", "reliability", "checkov:CKV_K8S_8"],
    ),
    resource_policy(
        "k8s-pinned-images",
        "Every image is pinned by a tag other than 'latest' or by a digest.",
        types=WORKLOADS,
        check=_pinned_images,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Use a dated tag (vllm/vllm-tpu:nightly-YYYYMMDD-...) or an @sha256 digest.",
        framework=checkov("CKV_K8S_14", "Image Tag should be fixed - not latest or blank"),
        tags=["kubernetes", "supply-chain"],
    ),
    resource_policy(
        "k8s-no-load-balancer-service",
        "No Service of type LoadBalancer: traffic enters only through the authenticated Gateway.",
        types={SERVICE},
        check=_no_load_balancer,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Use a ClusterIP Service behind the Gateway's HTTPRoute.",
        tags=["kubernetes", "network"],
    ),
    resource_policy(
        "k8s-tpu-toleration",
        "Pods that ask for TPUs tolerate the google.com/tpu taint of TPU nodes.",
        types=WORKLOADS,
        check=_tpu_toleration,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Add a toleration {key: google.com/tpu, operator: Exists, effect: NoSchedule}.",
        tags=["kubernetes", "tpu"],
    ),
    resource_policy(
        "k8s-tpu-request-matches-vm",
        "TPU pods select tpu7x and a topology, and request google.com/tpu = limits = the VM's chips.",
        types=WORKLOADS,
        check=_tpu_request_matches_vm,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Request 1 chip on 1x1x1 and 4 on every other TPU7x topology (requests = limits), with "
        "nodeSelector cloud.google.com/gke-tpu-accelerator: tpu7x and the tier's topology.",
        tags=["kubernetes", "tpu"],
    ),
    stack_policy(
        "k8s-tpu-pool-exists",
        "Every TPU topology a pod selects is provided by a TPU node pool of the stack.",
        check=_tpu_pool_exists,
        severity=MEDIUM,
        enforcement=MANDATORY,
        remediation="Add the tier's node pool, or select the topology of an existing one.",
        tags=["kubernetes", "tpu"],
    ),
]
