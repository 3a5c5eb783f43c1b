"""Cluster add-ons the serving tiers need, at pinned versions.

- `MetricsAdapter`: the Custom Metrics Stackdriver Adapter, so an HPA can scale on a Managed
  Prometheus series (vLLM's queue). Its 13 objects are written out as typed pulumi-kubernetes
  resources mirroring GoogleCloudPlatform/k8s-stackdriver
  `custom-metrics-stackdriver-adapter/deploy/production/adapter_new_resource_model.yaml` at tag
  `cm-sd-adapter-v0.16.9` (f32cd9c7) with the image of af49d863 (`v0.16.9-gke.0`, the build of that
  tag; the tag's own file still names v0.16.7-gke.0). Written out rather than applied as a vendored
  file, every object is schema-checked and visible in the offline graph and the preview diff.
  Hardening beyond upstream: the adapter drops every capability but NET_BIND_SERVICE (it serves on
  443 as root) and cannot escalate privileges. Its Workload Identity principal gets
  `roles/monitoring.viewer` on the project, nothing else.
- `LeaderWorkerSetController`: the LeaderWorkerSet controller and its CRDs and webhooks from the
  OCI Helm chart `oci://registry.k8s.io/lws/charts/lws` 0.10.0 through pulumi-kubernetes' Helm v4
  `Chart` (the chart has no hooks or `lookup`, so it renders deterministically), only in stacks with
  a multi-host tier. Under the mock runtime the Chart is one opaque resource: its objects appear in
  a real preview only.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s

from components.base import PlatformComponent
from components.identity.workload_identity import ksa_principal

ADAPTER_NAMESPACE = "custom-metrics"
ADAPTER_NAME = "custom-metrics-stackdriver-adapter"
ADAPTER_IMAGE = "gcr.io/gke-release/custom-metrics-stackdriver-adapter:v0.16.9-gke.0"
ADAPTER_ROLE = "roles/monitoring.viewer"
ADAPTER_SOURCE = "GoogleCloudPlatform/k8s-stackdriver cm-sd-adapter-v0.16.9 adapter_new_resource_model.yaml"
RBAC = "rbac.authorization.k8s.io"

LWS_CHART = "oci://registry.k8s.io/lws/charts/lws"
LWS_VERSION = "0.10.0"
LWS_IMAGE_TAG = "v0.10.0"
LWS_IMAGE = f"registry.k8s.io/lws/lws:{LWS_IMAGE_TAG}"
LWS_NAMESPACE = "lws-system"
# The controller's admission webhook listens here (chart values `service.port`); the control plane
# must reach it (see components/network: the webhook firewall rule).
LWS_WEBHOOK_PORT = 9443
LWS_VALUES = {
    # The published chart already points at this image; pinning it here keeps a chart rendered from
    # git (whose values say `tag: main`) from ever pulling a moving tag.
    "image": {"manager": {"repository": "registry.k8s.io/lws/lws", "tag": LWS_IMAGE_TAG, "pullPolicy": "IfNotPresent"}},
}


@dataclass(frozen=True)
class MetricsAdapterArgs:
    project: str
    project_number: pulumi.Input[str]
    workload_pool: pulumi.Input[str]  # from the cluster, so the grant waits for the pool to exist
    provider: k8s.Provider


ADAPTER_LABELS = {"run": ADAPTER_NAME, "k8s-app": ADAPTER_NAME}
# The metrics APIs the adapter serves: (group, version, version priority).
ADAPTER_APIS = (
    ("custom.metrics.k8s.io", "v1beta1", 100),
    ("custom.metrics.k8s.io", "v1beta2", 200),
    ("external.metrics.k8s.io", "v1beta1", 100),
)


def _subject() -> k8s.rbac.v1.SubjectArgs:
    return k8s.rbac.v1.SubjectArgs(kind="ServiceAccount", name=ADAPTER_NAME, namespace=ADAPTER_NAMESPACE)


def adapter_container() -> k8s.core.v1.ContainerArgs:
    """The adapter as upstream runs it, with every capability dropped but the one its port 443 needs."""
    return k8s.core.v1.ContainerArgs(
        name="pod-custom-metrics-stackdriver-adapter",
        image=ADAPTER_IMAGE,
        image_pull_policy="IfNotPresent",
        command=["/adapter", "--use-new-resource-model=true", "--fallback-for-container-metrics=true"],
        resources=k8s.core.v1.ResourceRequirementsArgs(
            limits={"cpu": "250m", "memory": "200Mi"},
            requests={"cpu": "250m", "memory": "200Mi"},
        ),
        readiness_probe=k8s.core.v1.ProbeArgs(
            http_get=k8s.core.v1.HTTPGetActionArgs(path="/healthz", port=443, scheme="HTTPS"),
            initial_delay_seconds=40,
            period_seconds=10,
            timeout_seconds=5,
        ),
        security_context=k8s.core.v1.SecurityContextArgs(
            allow_privilege_escalation=False,
            capabilities=k8s.core.v1.CapabilitiesArgs(drop=["ALL"], add=["NET_BIND_SERVICE"]),
        ),
    )


def adapter_deployment_spec() -> k8s.apps.v1.DeploymentSpecArgs:
    """One adapter replica under its service account; it tolerates accelerator nodes, as upstream's does."""
    return k8s.apps.v1.DeploymentSpecArgs(
        replicas=1,
        selector=k8s.meta.v1.LabelSelectorArgs(match_labels=ADAPTER_LABELS),
        template=k8s.core.v1.PodTemplateSpecArgs(
            metadata=k8s.meta.v1.ObjectMetaArgs(labels={**ADAPTER_LABELS, "kubernetes.io/cluster-service": "true"}),
            spec=k8s.core.v1.PodSpecArgs(
                service_account_name=ADAPTER_NAME,
                security_context=k8s.core.v1.PodSecurityContextArgs(
                    seccomp_profile=k8s.core.v1.SeccompProfileArgs(type="RuntimeDefault")
                ),
                tolerations=[
                    k8s.core.v1.TolerationArgs(
                        key="nvidia.com/gpu", operator="Equal", value="present", effect="NoSchedule"
                    ),
                    k8s.core.v1.TolerationArgs(
                        key="cloud.google.com/gke-tpu", operator="Equal", value="present", effect="NoSchedule"
                    ),
                ],
                containers=[adapter_container()],
            ),
        ),
    )


def api_service_spec(group: str, version: str, priority: int) -> k8s.apiregistration.v1.APIServiceSpecArgs:
    """One metrics API, served by the adapter's Service."""
    return k8s.apiregistration.v1.APIServiceSpecArgs(
        group=group,
        version=version,
        group_priority_minimum=100,
        version_priority=priority,
        insecure_skip_tls_verify=True,
        service=k8s.apiregistration.v1.ServiceReferenceArgs(name=ADAPTER_NAME, namespace=ADAPTER_NAMESPACE),
    )


class MetricsAdapter(PlatformComponent):
    def __init__(self, name: str, args: MetricsAdapterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("gke:MetricsAdapter", name, opts)
        self.principal = pulumi.Output.all(args.project_number, args.workload_pool).apply(
            lambda parts: ksa_principal(str(parts[0]), str(parts[1]), ADAPTER_NAMESPACE, ADAPTER_NAME)
        )
        self.viewer = self._monitoring_viewer(name, args)
        self.namespace = self._namespace(name, args)
        self.service_account = self._service_account(name, args)
        self.rbac: list[pulumi.Resource] = [
            *self._auth_delegation(name, args),
            *self._resource_reader(name, args),
            *self._external_metrics_reader(name, args),
        ]
        self.deployment = self._deployment(name, args)
        self.service = self._service(name, args)
        self.api_services = [
            self._api_service(name, args, group, version, priority) for group, version, priority in ADAPTER_APIS
        ]
        self.ready: list[pulumi.Resource] = [*self.api_services, *self.rbac]
        self.register_outputs({"principal": self.principal, "image": ADAPTER_IMAGE})

    def _monitoring_viewer(self, name: str, args: MetricsAdapterArgs) -> gcp.projects.IAMMember:
        return gcp.projects.IAMMember(
            f"{name}-monitoring-viewer",
            project=args.project,
            role=ADAPTER_ROLE,
            member=self.principal,
            opts=self.child(),
        )

    def _namespace(self, name: str, args: MetricsAdapterArgs) -> k8s.core.v1.Namespace:
        return k8s.core.v1.Namespace(
            f"{name}-namespace",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=ADAPTER_NAMESPACE),
            opts=self.child(provider=args.provider),
        )

    def _service_account(self, name: str, args: MetricsAdapterArgs) -> k8s.core.v1.ServiceAccount:
        return k8s.core.v1.ServiceAccount(
            f"{name}-ksa",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=ADAPTER_NAME, namespace=ADAPTER_NAMESPACE),
            opts=self.child(depends_on=[self.namespace], provider=args.provider),
        )

    def _auth_delegation(self, name: str, args: MetricsAdapterArgs) -> list[pulumi.Resource]:
        """As an extension API server, the adapter delegates authentication and authorization."""
        return [
            k8s.rbac.v1.ClusterRoleBinding(
                f"{name}-auth-delegator",
                metadata=k8s.meta.v1.ObjectMetaArgs(name="custom-metrics:system:auth-delegator"),
                role_ref=k8s.rbac.v1.RoleRefArgs(api_group=RBAC, kind="ClusterRole", name="system:auth-delegator"),
                subjects=[_subject()],
                opts=self.child(provider=args.provider),
            ),
            k8s.rbac.v1.RoleBinding(
                f"{name}-auth-reader",
                metadata=k8s.meta.v1.ObjectMetaArgs(name="custom-metrics-auth-reader", namespace="kube-system"),
                role_ref=k8s.rbac.v1.RoleRefArgs(
                    api_group=RBAC, kind="Role", name="extension-apiserver-authentication-reader"
                ),
                subjects=[_subject()],
                opts=self.child(provider=args.provider),
            ),
        ]

    def _resource_reader(self, name: str, args: MetricsAdapterArgs) -> list[pulumi.Resource]:
        """The adapter reads the pods and nodes it maps metrics to."""
        return [
            k8s.rbac.v1.ClusterRole(
                f"{name}-resource-reader-role",
                metadata=k8s.meta.v1.ObjectMetaArgs(name="custom-metrics-resource-reader"),
                rules=[
                    k8s.rbac.v1.PolicyRuleArgs(
                        api_groups=[""], resources=["pods", "nodes", "nodes/stats"], verbs=["get", "list", "watch"]
                    )
                ],
                opts=self.child(provider=args.provider),
            ),
            k8s.rbac.v1.ClusterRoleBinding(
                f"{name}-resource-reader",
                metadata=k8s.meta.v1.ObjectMetaArgs(name="custom-metrics-resource-reader"),
                role_ref=k8s.rbac.v1.RoleRefArgs(
                    api_group=RBAC, kind="ClusterRole", name="custom-metrics-resource-reader"
                ),
                subjects=[_subject()],
                opts=self.child(provider=args.provider),
            ),
        ]

    def _external_metrics_reader(self, name: str, args: MetricsAdapterArgs) -> list[pulumi.Resource]:
        """The horizontal pod autoscaler reads external metrics."""
        return [
            k8s.rbac.v1.ClusterRole(
                f"{name}-external-metrics-reader-role",
                metadata=k8s.meta.v1.ObjectMetaArgs(name="external-metrics-reader"),
                rules=[
                    k8s.rbac.v1.PolicyRuleArgs(
                        api_groups=["external.metrics.k8s.io"], resources=["*"], verbs=["list", "get", "watch"]
                    )
                ],
                opts=self.child(provider=args.provider),
            ),
            k8s.rbac.v1.ClusterRoleBinding(
                f"{name}-external-metrics-reader",
                metadata=k8s.meta.v1.ObjectMetaArgs(name="external-metrics-reader"),
                role_ref=k8s.rbac.v1.RoleRefArgs(api_group=RBAC, kind="ClusterRole", name="external-metrics-reader"),
                subjects=[
                    k8s.rbac.v1.SubjectArgs(
                        kind="ServiceAccount", name="horizontal-pod-autoscaler", namespace="kube-system"
                    )
                ],
                opts=self.child(provider=args.provider),
            ),
        ]

    def _deployment(self, name: str, args: MetricsAdapterArgs) -> k8s.apps.v1.Deployment:
        return k8s.apps.v1.Deployment(
            f"{name}-deployment",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=ADAPTER_NAME, namespace=ADAPTER_NAMESPACE, labels=ADAPTER_LABELS),
            spec=adapter_deployment_spec(),
            # Without the grant the adapter answers every metric query with a permission error.
            opts=self.child(depends_on=[self.namespace, self.service_account, self.viewer], provider=args.provider),
        )

    def _service(self, name: str, args: MetricsAdapterArgs) -> k8s.core.v1.Service:
        return k8s.core.v1.Service(
            f"{name}-service",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=ADAPTER_NAME,
                namespace=ADAPTER_NAMESPACE,
                labels={**ADAPTER_LABELS, "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "Adapter"},
            ),
            spec=k8s.core.v1.ServiceSpecArgs(
                type="ClusterIP",
                selector=ADAPTER_LABELS,
                ports=[k8s.core.v1.ServicePortArgs(port=443, protocol="TCP", target_port=443)],
            ),
            opts=self.child(depends_on=[self.namespace], provider=args.provider),
        )

    def _api_service(
        self, name: str, args: MetricsAdapterArgs, group: str, version: str, priority: int
    ) -> k8s.apiregistration.v1.APIService:
        return k8s.apiregistration.v1.APIService(
            f"{name}-{version}-{group.split('.')[0]}",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=f"{version}.{group}"),
            spec=api_service_spec(group, version, priority),
            opts=self.child(depends_on=[self.service, self.deployment], provider=args.provider),
        )


@dataclass(frozen=True)
class LeaderWorkerSetControllerArgs:
    provider: k8s.Provider


class LeaderWorkerSetController(PlatformComponent):
    def __init__(
        self, name: str, args: LeaderWorkerSetControllerArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("gke:LeaderWorkerSetController", name, opts)
        self.namespace = k8s.core.v1.Namespace(
            f"{name}-namespace",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=LWS_NAMESPACE),
            opts=self.child(provider=args.provider),
        )
        self.chart = k8s.helm.v4.Chart(
            f"{name}-chart",
            chart=LWS_CHART,
            version=LWS_VERSION,
            name="lws",
            namespace=LWS_NAMESPACE,
            values=LWS_VALUES,
            opts=self.child(depends_on=[self.namespace], provider=args.provider),
        )
        self.ready: list[pulumi.Resource] = [self.chart]
        self.register_outputs({"chart": LWS_CHART, "version": LWS_VERSION})
