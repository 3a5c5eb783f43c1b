"""A small program with the resources issues 11 and 12 are adding (serving tiers, the Gateway, Cloud
Armor, Redis, the budget), shaped as the real SDKs and CRDs take them and compliant with every policy.

The policy tests record it under the mock runtime as the baseline of the policies on those types and
change one field per violating case; `test_edge_program.py` validates its Kubernetes objects against
the same schemas as the stacks', so the baseline cannot drift from the real API shapes.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s

from components.base import PlatformComponent
from components.naming import Naming

IMAGE = "vllm/vllm-tpu:nightly-20260730-30dcf7a-48aa8d8"
PORT = 8000
NAMESPACE = "llm-serving"
ARMOR = "llm-prod-edge"
TPU_TOLERATION = k8s.core.v1.TolerationArgs(key="google.com/tpu", operator="Exists", effect="NoSchedule")
HARDENED = k8s.core.v1.SecurityContextArgs(
    allow_privilege_escalation=False, privileged=False, capabilities=k8s.core.v1.CapabilitiesArgs(drop=["ALL"])
)
API_KEY_ENV = k8s.core.v1.EnvVarArgs(
    name="VLLM_API_KEY",
    value_from=k8s.core.v1.EnvVarSourceArgs(
        secret_key_ref=k8s.core.v1.SecretKeySelectorArgs(name="vllm-api-key", key="api-key")
    ),
)


def _health(path: str = "/health", failures: int = 3) -> k8s.core.v1.ProbeArgs:
    return k8s.core.v1.ProbeArgs(
        http_get=k8s.core.v1.HTTPGetActionArgs(path=path, port=PORT), period_seconds=30, failure_threshold=failures
    )


def _server(name: str, chips: int, args: list[str], *, serving: bool = True) -> k8s.core.v1.ContainerArgs:
    return k8s.core.v1.ContainerArgs(
        name=name,
        image=IMAGE,
        args=args,
        env=[API_KEY_ENV] if serving else [],
        ports=[k8s.core.v1.ContainerPortArgs(container_port=PORT, name="http")] if serving else None,
        resources=k8s.core.v1.ResourceRequirementsArgs(
            requests={"google.com/tpu": str(chips)}, limits={"google.com/tpu": str(chips)}
        ),
        security_context=HARDENED,
        startup_probe=_health(failures=70) if serving else None,
        readiness_probe=_health() if serving else None,
        liveness_probe=_health(failures=10) if serving else None,
    )


def _tpu_pod(labels: dict[str, str], topology: str, containers: list[Any]) -> k8s.core.v1.PodTemplateSpecArgs:
    return k8s.core.v1.PodTemplateSpecArgs(
        metadata=k8s.meta.v1.ObjectMetaArgs(labels=labels),
        spec=k8s.core.v1.PodSpecArgs(
            containers=containers,
            node_selector={
                "cloud.google.com/gke-tpu-accelerator": "tpu7x",
                "cloud.google.com/gke-tpu-topology": topology,
            },
            tolerations=[TPU_TOLERATION],
            service_account_name="model-server",
        ),
    )


class Edge(PlatformComponent):
    """Everything of the program's future serving edge, inside one component."""

    def __init__(self, name: str, environment: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("gateway:Edge", name, opts)
        naming = Naming(stack=environment, environment=environment)
        provider = k8s.Provider(f"{name}-k8s", kubeconfig="{}", opts=self.child())
        on_cluster = self.child(provider=provider)
        prod = environment == "prod"

        gcp.redis.Instance(
            f"{name}-cache",
            name=naming.name("cache"),
            region="us-central1",
            memory_size_gb=5,
            tier="STANDARD_HA" if prod else "BASIC",
            replica_count=1 if prod else None,
            read_replicas_mode="READ_REPLICAS_ENABLED" if prod else None,
            auth_enabled=True,
            transit_encryption_mode="SERVER_AUTHENTICATION",
            connect_mode="PRIVATE_SERVICE_ACCESS",
            redis_version="REDIS_7_2",
            persistence_config=gcp.redis.InstancePersistenceConfigArgs(
                persistence_mode="RDB", rdb_snapshot_period="TWELVE_HOURS"
            )
            if prod
            else None,
            labels=naming.labels,
            opts=self.child(protect=prod),
        )
        gcp.billing.Budget(
            f"{name}-budget",
            billing_account="012345-6789AB-CDEF01",
            display_name=naming.name("budget"),
            budget_filter=gcp.billing.BudgetBudgetFilterArgs(projects=["projects/123456789012"]),
            amount=gcp.billing.BudgetAmountArgs(
                specified_amount=gcp.billing.BudgetAmountSpecifiedAmountArgs(currency_code="USD", units="50000")
            ),
            threshold_rules=[
                gcp.billing.BudgetThresholdRuleArgs(threshold_percent=0.8),
                gcp.billing.BudgetThresholdRuleArgs(threshold_percent=1.0, spend_basis="FORECASTED_SPEND"),
            ],
            opts=self.child(),
        )
        armor = gcp.compute.SecurityPolicy(
            f"{name}-armor",
            name=ARMOR,
            type="CLOUD_ARMOR",
            advanced_options_config=gcp.compute.SecurityPolicyAdvancedOptionsConfigArgs(json_parsing="STANDARD"),
            rules=[
                gcp.compute.SecurityPolicyRuleArgs(
                    action="throttle",
                    priority=1000,
                    match=gcp.compute.SecurityPolicyRuleMatchArgs(
                        versioned_expr="SRC_IPS_V1",
                        config=gcp.compute.SecurityPolicyRuleMatchConfigArgs(src_ip_ranges=["*"]),
                    ),
                    rate_limit_options=gcp.compute.SecurityPolicyRuleRateLimitOptionsArgs(
                        conform_action="allow",
                        exceed_action="deny(429)",
                        enforce_on_key="IP",
                        rate_limit_threshold=gcp.compute.SecurityPolicyRuleRateLimitOptionsRateLimitThresholdArgs(
                            count=600, interval_sec=60
                        ),
                    ),
                ),
                gcp.compute.SecurityPolicyRuleArgs(
                    action="allow",
                    priority=2147483647,
                    match=gcp.compute.SecurityPolicyRuleMatchArgs(
                        versioned_expr="SRC_IPS_V1",
                        config=gcp.compute.SecurityPolicyRuleMatchConfigArgs(src_ip_ranges=["*"]),
                    ),
                ),
            ],
            opts=self.child(),
        )
        gcp.compute.BackendService(
            f"{name}-backend",
            name=naming.name("backend"),
            load_balancing_scheme="EXTERNAL_MANAGED",
            protocol="HTTP",
            enable_cdn=False,
            security_policy=armor.self_link,
            opts=self.child(),
        )

        k8s.core.v1.Secret(
            f"{name}-api-key",
            metadata=k8s.meta.v1.ObjectMetaArgs(name="vllm-api-key", namespace=NAMESPACE),
            string_data={"api-key": pulumi.Output.secret("generated-key")},
            opts=on_cluster,
        )
        small = {"app.kubernetes.io/name": "vllm", "llm-platform/tier": "small"}
        k8s.apps.v1.Deployment(
            f"{name}-small",
            metadata=k8s.meta.v1.ObjectMetaArgs(name="small", namespace=NAMESPACE),
            spec=k8s.apps.v1.DeploymentSpecArgs(
                replicas=1,
                selector=k8s.meta.v1.LabelSelectorArgs(match_labels=small),
                template=_tpu_pod(
                    small,
                    "1x1x1",
                    [_server("vllm", 1, ["vllm", "serve", "/models/llama", "--tensor-parallel-size=2"])],
                ),
            ),
            opts=on_cluster,
        )
        large = {"app.kubernetes.io/name": "vllm", "llm-platform/tier": "large"}
        k8s.apiextensions.CustomResource(
            f"{name}-large",
            api_version="leaderworkerset.x-k8s.io/v1",
            kind="LeaderWorkerSet",
            metadata=k8s.meta.v1.ObjectMetaArgs(name="large", namespace=NAMESPACE),
            spec={
                "replicas": 1,
                "leaderWorkerTemplate": {
                    "size": 2,
                    "restartPolicy": "RecreateGroupOnPodRestart",
                    "leaderTemplate": _tpu_pod(
                        large, "2x2x2", [_server("leader", 4, ["vllm", "serve", "--tensor-parallel-size=16"])]
                    ),
                    "workerTemplate": _tpu_pod(large, "2x2x2", [_server("worker", 4, ["worker"], serving=False)]),
                },
            },
            opts=on_cluster,
        )
        for tier, labels in (("small", small), ("large", large)):
            k8s.core.v1.Service(
                f"{name}-{tier}-service",
                metadata=k8s.meta.v1.ObjectMetaArgs(name=f"{tier}", namespace=NAMESPACE),
                spec=k8s.core.v1.ServiceSpecArgs(
                    type="ClusterIP",
                    selector=labels,
                    ports=[k8s.core.v1.ServicePortArgs(name="http", port=PORT, target_port=PORT)],
                ),
                opts=on_cluster,
            )
            k8s.apiextensions.CustomResource(
                f"{name}-{tier}-backend-policy",
                api_version="networking.gke.io/v1",
                kind="GCPBackendPolicy",
                metadata=k8s.meta.v1.ObjectMetaArgs(name=tier, namespace=NAMESPACE),
                spec={
                    "targetRef": {"group": "", "kind": "Service", "name": tier},
                    "default": {
                        "securityPolicy": ARMOR,
                        "timeoutSec": 900,
                        "logging": {"enabled": True, "sampleRate": 100000},
                        "connectionDraining": {"drainingTimeoutSec": 60},
                    },
                },
                opts=on_cluster,
            )
        k8s.apiextensions.CustomResource(
            f"{name}-gateway",
            api_version="gateway.networking.k8s.io/v1",
            kind="Gateway",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name="inference", namespace=NAMESPACE, annotations={"networking.gke.io/certmap": "llm-prod-certs"}
            ),
            spec={
                "gatewayClassName": "gke-l7-global-external-managed",
                "addresses": [{"type": "NamedAddress", "value": "llm-prod-gateway-ip"}],
                "listeners": [
                    {"name": "https", "protocol": "HTTPS", "port": 443},
                    {"name": "http", "protocol": "HTTP", "port": 80},
                ],
            },
            opts=on_cluster,
        )
        k8s.apiextensions.CustomResource(
            f"{name}-routes",
            api_version="gateway.networking.k8s.io/v1",
            kind="HTTPRoute",
            metadata=k8s.meta.v1.ObjectMetaArgs(name="tiers", namespace=NAMESPACE),
            spec={
                "parentRefs": [{"name": "inference", "sectionName": "https"}],
                "rules": [
                    {
                        "matches": [{"path": {"type": "PathPrefix", "value": "/simple"}}],
                        "backendRefs": [{"name": "small", "port": PORT}],
                    },
                    {
                        "matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                        "backendRefs": [{"name": "large", "port": PORT}],
                    },
                ],
            },
            opts=on_cluster,
        )
        k8s.apiextensions.CustomResource(
            f"{name}-redirect",
            api_version="gateway.networking.k8s.io/v1",
            kind="HTTPRoute",
            metadata=k8s.meta.v1.ObjectMetaArgs(name="https-redirect", namespace=NAMESPACE),
            spec={
                "parentRefs": [{"name": "inference", "sectionName": "http"}],
                "rules": [
                    {
                        "filters": [
                            {"type": "RequestRedirect", "requestRedirect": {"scheme": "https", "statusCode": 301}}
                        ]
                    }
                ],
            },
            opts=on_cluster,
        )
        self.register_outputs({})


def edge_program(environment: str = "prod") -> None:
    Edge("edge", environment)
