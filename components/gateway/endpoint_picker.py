"""One tier behind the Inference Gateway: its InferencePool, the endpoint picker that chooses the pod,
and the pool's health check and backend policy (`llm-platform:gateway:EndpointPicker`).

The objects are the pinned chart's (`epp_manifests.py`), created as typed resources so every one of
them is in the offline graph, schema- and CEL-checked and in the snapshot diff. Names follow the chart
with the pool as release name: pool `vllm-<tier>` (the tier's Service name, so the load balancer's
backend service keeps the `gkegw1-…-<namespace>-vllm-<tier>-<port>-…` shape operations selects on),
picker `vllm-<tier>-epp`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.base import PlatformComponent
from components.gateway import epp_manifests as epp
from components.gateway.config import EndpointPickerConfig

GKE_POLICY_API = "networking.gke.io/v1"


@dataclass(frozen=True)
class EndpointPickerArgs:
    pool: str
    namespace: str
    port: int
    serving_pods: Mapping[str, str]
    config: EndpointPickerConfig
    node_selector: Mapping[str, str]
    health_path: str
    # The pool's backend-service settings (GCPBackendPolicy spec.default), built by the gateway.
    backend_defaults: Mapping[str, Any]
    provider: k8s.Provider
    # The pool waits for the tier's workload and Service; the policies for the Cloud Armor policy.
    pool_depends_on: Sequence[pulumi.Resource] = field(default_factory=list)
    policy_depends_on: Sequence[pulumi.Resource] = field(default_factory=list)


class EndpointPicker(PlatformComponent):
    def __init__(self, name: str, args: EndpointPickerArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("gateway:EndpointPicker", name, opts)
        self._name, self._args = name, args
        self.config_map = self._config_map()
        self.service_account, self.rbac = self._identity()
        self.deployment = self._deployment()
        self.service = self._service()
        self.metrics_reader, self.metrics_access = self._metrics_access()
        self.pod_monitoring = self._pod_monitoring()
        self.pool = self._pool()
        self.health_check_policy = self._policy("health-check", "HealthCheckPolicy", self._health_check())
        self.backend_policy = self._policy("backend-policy", "GCPBackendPolicy", self._backend())
        self.register_outputs({"pool": args.pool, "endpoint_picker": epp.epp_name(args.pool)})

    def _metadata(self, name: str | None = None, namespaced: bool = True) -> k8s.meta.v1.ObjectMetaArgs:
        args = self._args
        return k8s.meta.v1.ObjectMetaArgs(
            name=name or epp.epp_name(args.pool),
            namespace=args.namespace if namespaced else None,
            labels=epp.labels(args.pool),
        )

    def _opts(self, *after: pulumi.Resource) -> pulumi.ResourceOptions:
        return self.child(depends_on=list(after), provider=self._args.provider)

    def _config_map(self) -> k8s.core.v1.ConfigMap:
        return k8s.core.v1.ConfigMap(
            f"{self._name}-config", metadata=self._metadata(), data={epp.CONFIG_FILE: epp.PLUGINS}, opts=self._opts()
        )

    def _role(self, suffix: str, rules: list[Any], account: str, cluster: bool = False) -> list[pulumi.Resource]:
        """A Role (or ClusterRole) and its binding to `account` in the pool's namespace."""
        args = self._args
        name = f"{args.namespace}-{args.pool}-{suffix}" if cluster else f"{epp.epp_name(args.pool)}-{suffix}"
        kind = "ClusterRole" if cluster else "Role"
        role_type = k8s.rbac.v1.ClusterRole if cluster else k8s.rbac.v1.Role
        binding_type = k8s.rbac.v1.ClusterRoleBinding if cluster else k8s.rbac.v1.RoleBinding
        role = role_type(
            f"{self._name}-{suffix}-role", metadata=self._metadata(name, not cluster), rules=rules, opts=self._opts()
        )
        binding = binding_type(
            f"{self._name}-{suffix}-binding",
            metadata=self._metadata(name, not cluster),
            subjects=[k8s.rbac.v1.SubjectArgs(kind="ServiceAccount", name=account, namespace=args.namespace)],
            role_ref=k8s.rbac.v1.RoleRefArgs(api_group="rbac.authorization.k8s.io", kind=kind, name=name),
            opts=self._opts(role),
        )
        return [role, binding]

    def _identity(self) -> tuple[k8s.core.v1.ServiceAccount, list[pulumi.Resource]]:
        account = k8s.core.v1.ServiceAccount(
            f"{self._name}-service-account", metadata=self._metadata(), opts=self._opts()
        )
        name = epp.epp_name(self._args.pool)
        rbac = [
            *self._role("sa", epp.POD_READER_RULES, name),
            *self._role("non-sa", epp.POOL_READER_RULES, name),
            *self._role("epp", epp.METRICS_AUTH_RULES, name, cluster=True),
        ]
        return account, rbac

    def _deployment(self) -> k8s.apps.v1.Deployment:
        args = self._args
        spec = epp.epp_deployment_spec(
            args.pool, args.namespace, args.config.cpu, args.config.memory, args.node_selector
        )
        return k8s.apps.v1.Deployment(
            f"{self._name}-deployment",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=epp.epp_name(args.pool),
                namespace=args.namespace,
                labels={**epp.labels(args.pool), epp.MODE_LABEL: epp.MODE},
            ),
            spec=spec,
            opts=self._opts(self.config_map, self.service_account, *self.rbac),
        )

    def _service(self) -> k8s.core.v1.Service:
        return k8s.core.v1.Service(
            f"{self._name}-service",
            metadata=self._metadata(),
            spec=epp.epp_service_spec(self._args.pool),
            opts=self._opts(self.deployment),
        )

    def _metrics_access(self) -> tuple[k8s.core.v1.ServiceAccount, list[pulumi.Resource]]:
        """routerlib `_gke.yaml`: a reader identity whose token Managed Prometheus' collector may read."""
        args = self._args
        reader = k8s.core.v1.ServiceAccount(
            f"{self._name}-metrics-reader", metadata=self._metadata(epp.metrics_reader(args.pool)), opts=self._opts()
        )
        token = k8s.core.v1.Secret(
            f"{self._name}-metrics-token",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=epp.metrics_secret(args.pool),
                namespace=args.namespace,
                labels=epp.labels(args.pool),
                annotations={"kubernetes.io/service-account.name": epp.metrics_reader(args.pool)},
            ),
            type="kubernetes.io/service-account-token",
            opts=self._opts(reader),
        )
        scrape = self._role("metrics-reader", epp.METRICS_READER_RULES, epp.metrics_reader(args.pool), cluster=True)
        secret_read = k8s.rbac.v1.Role(
            f"{self._name}-metrics-secret-role",
            metadata=self._metadata(f"{args.pool}-metrics-reader-secret-read"),
            rules=[epp.rule([""], ["secrets"], epp.READ, [epp.metrics_secret(args.pool)])],
            opts=self._opts(),
        )
        collector = k8s.rbac.v1.RoleBinding(
            f"{self._name}-metrics-secret-binding",
            metadata=self._metadata(
                f"{epp.GMP_NAMESPACE}:collector:{args.namespace}-{args.pool}-metrics-reader-secret-read"
            ),
            subjects=[
                k8s.rbac.v1.SubjectArgs(kind="ServiceAccount", name=epp.GMP_COLLECTOR, namespace=epp.GMP_NAMESPACE)
            ],
            role_ref=k8s.rbac.v1.RoleRefArgs(
                api_group="rbac.authorization.k8s.io", kind="Role", name=f"{args.pool}-metrics-reader-secret-read"
            ),
            opts=self._opts(secret_read),
        )
        return reader, [token, *scrape, secret_read, collector]

    def _pod_monitoring(self) -> k8s.apiextensions.CustomResource:
        return k8s.apiextensions.CustomResource(
            f"{self._name}-pod-monitoring",
            api_version="monitoring.googleapis.com/v1",
            kind="PodMonitoring",
            metadata=self._metadata(),
            spec=epp.pod_monitoring_spec(self._args.pool),
            opts=self._opts(self.deployment, *self.metrics_access),
        )

    def _pool(self) -> k8s.apiextensions.CustomResource:
        args = self._args
        return k8s.apiextensions.CustomResource(
            f"{self._name}-pool",
            api_version=epp.POOL_API,
            kind="InferencePool",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=args.pool, namespace=args.namespace, labels=epp.labels(args.pool)),
            spec=epp.pool_spec(args.pool, args.port, args.serving_pods, args.config.failure_mode),
            opts=self._opts(self.service, *args.pool_depends_on),
        )

    def _health_check(self) -> dict[str, Any]:
        return epp.pool_health_check_spec(self._args.pool, self._args.port, self._args.health_path)

    def _backend(self) -> dict[str, Any]:
        return {"targetRef": epp.pool_target(self._args.pool), "default": dict(self._args.backend_defaults)}

    def _policy(self, role: str, kind: str, spec: dict[str, Any]) -> k8s.apiextensions.CustomResource:
        args = self._args
        return k8s.apiextensions.CustomResource(
            f"{self._name}-{role}",
            api_version=GKE_POLICY_API,
            kind=kind,
            metadata=k8s.meta.v1.ObjectMetaArgs(name=args.pool, namespace=args.namespace, labels=epp.labels(args.pool)),
            spec=spec,
            opts=self._opts(self.pool, *args.policy_depends_on),
        )
