"""The endpoint picker of one tier, as the pinned upstream chart renders it: pure builders of typed Args.

Source: llm-d/llm-d-router tag v0.10.0 (commit 71f4f0999f95b96c49a9d0c4afbd18dfdb943c26), chart
`config/charts/llm-d-router-gateway` with its library `config/charts/routerlib`, rendered for
`provider.name=gke` with `router.monitoring.prometheus.enabled=true` (Managed Prometheus scrapes the
picker's authenticated `/metrics`). The release image `ghcr.io/llm-d/llm-d-router-endpoint-picker:v0.10.0`
is what `hack/push-chart.sh` writes into a release chart. Deviations, each deliberate:
- requests from config (the chart's 8 CPUs do not fit a small system pool), on the system pool;
- a restricted security context (the image runs as 65532, `Dockerfile.epp`);
- the InferencePool's HealthCheckPolicy names `portSpecification: USE_FIXED_PORT`: the chart sets
  only `port`, which the HealthCheckPolicy CRD's CEL rule rejects (the default is USE_SERVING_PORT);
- the picker's PodMonitoring is `<pool>-epp` (the chart names it after the pool, which here is the
  name of the tier's vLLM PodMonitoring);
- only the chart's `default-plugins.yaml` (queue, KV-cache and prefix-cache scorers) is rendered:
  `--config-file` names it, the `payload-agnostic.yaml` alternative is not used.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi_kubernetes as k8s

EPP_RELEASE = "v0.10.0"
EPP_IMAGE = f"ghcr.io/llm-d/llm-d-router-endpoint-picker:{EPP_RELEASE}"
POOL_API = "inference.networking.k8s.io/v1"
POOL_GROUP = "inference.networking.k8s.io"
EXT_PROC_PORT = 9002
HEALTH_PORT = 9003
METRICS_PORT = 9090
SCRAPE_INTERVAL = "10s"
CONFIG_FILE = "default-plugins.yaml"
# Managed Prometheus' collectors run as this ServiceAccount (GKE Standard).
GMP_NAMESPACE = "gmp-system"
GMP_COLLECTOR = "collector"
MODE_LABEL = "llm-d.ai/igw-mode"
MODE = "llm-d-router-gateway"
PLUGINS = """apiVersion: llm-d.ai/v1alpha1
kind: EndpointPickerConfig
plugins:
- type: queue-scorer
- type: kv-cache-utilization-scorer
- type: prefix-cache-scorer
- type: metrics-data-source
  parameters:
    scheme: "http"
    path: "/metrics"
    insecureSkipVerify: true
- type: core-metrics-extractor
schedulingProfiles:
- name: default
  plugins:
  - pluginRef: queue-scorer
    weight: 2
  - pluginRef: kv-cache-utilization-scorer
    weight: 2
  - pluginRef: prefix-cache-scorer
    weight: 3
"""


def epp_name(pool: str) -> str:
    return f"{pool}-epp"


def selector(pool: str) -> dict[str, str]:
    """routerlib `llm-d-router.selectorLabels` in gateway mode."""
    return {MODE: epp_name(pool)}


def labels(pool: str) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": epp_name(pool),
        "app.kubernetes.io/version": EPP_RELEASE,
        "app.kubernetes.io/part-of": "llm-platform",
        "app.kubernetes.io/managed-by": "pulumi",
    }


def pool_spec(pool: str, port: int, serving_pods: Mapping[str, str], failure_mode: str) -> dict[str, Any]:
    """The InferencePool: the serving pods (a LeaderWorkerSet's leaders only), the picker in front of them.
    `endpointPickerRef` is set although v1.6.0 no longer requires it: older CRDs do."""
    return {
        "targetPorts": [{"number": port}],
        "appProtocol": "http",
        "selector": {"matchLabels": dict(serving_pods)},
        "endpointPickerRef": {
            "name": epp_name(pool),
            "port": {"number": EXT_PROC_PORT},
            "failureMode": failure_mode,
        },
    }


def pool_target(pool: str) -> dict[str, str]:
    return {"group": POOL_GROUP, "kind": "InferencePool", "name": pool}


def pool_health_check_spec(pool: str, port: int, health_path: str) -> dict[str, Any]:
    """The chart's aggressive check (2 s) for fast switch-over during rollouts, on the serving port."""
    return {
        "targetRef": pool_target(pool),
        "default": {
            "timeoutSec": 2,
            "checkIntervalSec": 2,
            "config": {
                "type": "HTTP",
                "httpHealthCheck": {"portSpecification": "USE_FIXED_PORT", "port": port, "requestPath": health_path},
            },
        },
    }


def epp_args(pool: str, namespace: str) -> list[str]:
    return [
        "--pool-name",
        pool,
        "--pool-namespace",
        namespace,
        "--pool-group",
        POOL_GROUP,
        "--zap-encoder",
        "json",
        "--config-file",
        f"/config/{CONFIG_FILE}",
        "--grpc-health-port",
        str(HEALTH_PORT),
        "--tracing=false",
    ]


def _grpc_probe(period: int, initial_delay: int | None = None) -> k8s.core.v1.ProbeArgs:
    return k8s.core.v1.ProbeArgs(
        grpc=k8s.core.v1.GRPCActionArgs(port=HEALTH_PORT, service="inference-extension"),
        initial_delay_seconds=initial_delay,
        period_seconds=period,
    )


SECURITY_CONTEXT = k8s.core.v1.SecurityContextArgs(
    allow_privilege_escalation=False,
    privileged=False,
    read_only_root_filesystem=True,
    run_as_non_root=True,
    # Both images run as 65532 (llm-d-router `Dockerfile.epp`, GAIE `bbr.Dockerfile` distroless nonroot).
    run_as_user=65532,
    run_as_group=65532,
    capabilities=k8s.core.v1.CapabilitiesArgs(drop=["ALL"]),
)
POD_SECURITY_CONTEXT = k8s.core.v1.PodSecurityContextArgs(
    seccomp_profile=k8s.core.v1.SeccompProfileArgs(type="RuntimeDefault")
)


def epp_container(pool: str, namespace: str, cpu: str, memory: str) -> k8s.core.v1.ContainerArgs:
    field = k8s.core.v1.EnvVarSourceArgs
    return k8s.core.v1.ContainerArgs(
        name="epp",
        image=EPP_IMAGE,
        image_pull_policy="IfNotPresent",
        args=epp_args(pool, namespace),
        resources=k8s.core.v1.ResourceRequirementsArgs(
            requests={"cpu": cpu, "memory": memory}, limits={"memory": _twice(memory)}
        ),
        ports=[
            k8s.core.v1.ContainerPortArgs(name="grpc", container_port=EXT_PROC_PORT),
            k8s.core.v1.ContainerPortArgs(name="grpc-health", container_port=HEALTH_PORT),
            k8s.core.v1.ContainerPortArgs(name="metrics", container_port=METRICS_PORT),
        ],
        liveness_probe=_grpc_probe(10, initial_delay=5),
        readiness_probe=_grpc_probe(2),
        env=[
            k8s.core.v1.EnvVarArgs(
                name="NAMESPACE",
                value_from=field(field_ref=k8s.core.v1.ObjectFieldSelectorArgs(field_path="metadata.namespace")),
            ),
            k8s.core.v1.EnvVarArgs(
                name="POD_NAME",
                value_from=field(field_ref=k8s.core.v1.ObjectFieldSelectorArgs(field_path="metadata.name")),
            ),
        ],
        volume_mounts=[k8s.core.v1.VolumeMountArgs(name="plugins-config-volume", mount_path="/config")],
        security_context=SECURITY_CONTEXT,
    )


def _twice(memory: str) -> str:
    return f"{int(memory[:-2]) * 2}{memory[-2:]}"


def epp_deployment_spec(
    pool: str, namespace: str, cpu: str, memory: str, node_selector: Mapping[str, str]
) -> k8s.apps.v1.DeploymentSpecArgs:
    """One replica, Recreate: the chart's single active picker keeps the prefix-cache state in one place."""
    return k8s.apps.v1.DeploymentSpecArgs(
        replicas=1,
        strategy=k8s.apps.v1.DeploymentStrategyArgs(type="Recreate"),
        selector=k8s.meta.v1.LabelSelectorArgs(match_labels=selector(pool)),
        template=k8s.core.v1.PodTemplateSpecArgs(
            metadata=k8s.meta.v1.ObjectMetaArgs(labels={**selector(pool), MODE_LABEL: MODE}),
            spec=k8s.core.v1.PodSpecArgs(
                service_account_name=epp_name(pool),
                # The chart: mirror the longest grace period of the pool's pods it may still route to.
                termination_grace_period_seconds=130,
                node_selector=dict(node_selector),
                security_context=POD_SECURITY_CONTEXT,
                containers=[epp_container(pool, namespace, cpu, memory)],
                volumes=[
                    k8s.core.v1.VolumeArgs(
                        name="plugins-config-volume",
                        config_map=k8s.core.v1.ConfigMapVolumeSourceArgs(name=epp_name(pool)),
                    )
                ],
            ),
        ),
    )


def epp_service_spec(pool: str) -> k8s.core.v1.ServiceSpecArgs:
    return k8s.core.v1.ServiceSpecArgs(
        type="ClusterIP",
        selector=selector(pool),
        ports=[
            k8s.core.v1.ServicePortArgs(
                name="grpc-ext-proc", protocol="TCP", port=EXT_PROC_PORT, app_protocol="kubernetes.io/h2c"
            ),
            k8s.core.v1.ServicePortArgs(name="http-metrics", protocol="TCP", port=METRICS_PORT),
        ],
    )


def rule(groups: list[str], resources: list[str], verbs: list[str], names: list[str] | None = None) -> Any:
    return k8s.rbac.v1.PolicyRuleArgs(api_groups=groups, resources=resources, verbs=verbs, resource_names=names)


READ = ["get", "watch", "list"]
# routerlib `_rbac.yaml`: the picker watches its pool's pods.
POD_READER_RULES = [rule([""], ["pods"], READ)]
# llm-d-router-gateway `rbac.yaml`: its pool and objectives in both API groups.
POOL_READER_RULES = [
    rule(["inference.networking.x-k8s.io"], ["inferenceobjectives", "inferencemodelrewrites"], READ),
    rule(["llm-d.ai"], ["inferenceobjectives", "inferencemodelrewrites"], READ),
    rule([POOL_GROUP], ["inferencepools"], READ),
]
# routerlib `_rbac.yaml` with monitoring: the picker authenticates and authorizes who scrapes /metrics.
METRICS_AUTH_RULES = [
    rule(["authentication.k8s.io"], ["tokenreviews"], ["create"]),
    rule(["authorization.k8s.io"], ["subjectaccessreviews"], ["create"]),
    k8s.rbac.v1.PolicyRuleArgs(non_resource_urls=["/metrics"], verbs=["get"]),
]
METRICS_READER_RULES = [k8s.rbac.v1.PolicyRuleArgs(non_resource_urls=["/metrics"], verbs=["get"])]


def metrics_reader(pool: str) -> str:
    return f"{pool}-metrics-reader-sa"


def metrics_secret(pool: str) -> str:
    return f"{pool}-metrics-reader-secret"


def pod_monitoring_spec(pool: str) -> dict[str, Any]:
    """routerlib `_gke.yaml`: scrape the picker's metrics port with the reader's token."""
    credentials = {"secret": {"name": metrics_secret(pool), "key": "token"}}
    return {
        "endpoints": [
            {
                "port": "metrics",
                "scheme": "http",
                "interval": SCRAPE_INTERVAL,
                "path": "/metrics",
                "authorization": {"type": "Bearer", "credentials": credentials},
            }
        ],
        "selector": {"matchLabels": selector(pool)},
    }
