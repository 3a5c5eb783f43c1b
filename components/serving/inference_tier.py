"""One serving tier on vLLM TPU: the workload, its Service, its metrics scrape, autoscaler and PDB.

Single-host tiers (1x1x1, 2x2x1) run a Deployment, one pod per TPU VM, scaled by an HPA on vLLM's
queue so the node pool's autoscaler follows the pods. A multi-host tier runs a LeaderWorkerSet:
one group per slice (size = VMs), Ray across the group, vLLM on the leader.

Names other components rely on: for tier T the Deployment or LeaderWorkerSet and its ClusterIP
Service are `vllm-T` in the serving namespace; pods carry `app.kubernetes.io/name: vllm` and
`llm-platform/tier: T`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s

from components.base import PlatformComponent
from components.gke.tpu import ACCELERATOR, TPU_RESOURCE
from components.gke.tpu_node_pool import TIER_LABEL
from components.serving import compile_cache, vllm_args
from components.serving.config import TierConfig
from components.storage.mount import ModelMount

APP_LABEL = "app.kubernetes.io/name"
APP = "vllm"
ROLE_LABEL = "llm-platform/role"
CONTAINER = "vllm"
PORT_NAME = "http"
HEALTH_PATH = "/health"
METRICS_PATH = "/metrics"
# Managed Prometheus series of vLLM's queue gauge, as the Custom Metrics Stackdriver Adapter names it
# (kubernetes-engine-samples ai-ml/vllm-tpu/vllm-hpa.yaml).
QUEUE_METRIC = "prometheus.googleapis.com|vllm:num_requests_waiting|gauge"
SCRAPE_INTERVAL = "15s"
EXCLUSIVE_TOPOLOGY = "leaderworkerset.sigs.k8s.io/exclusive-topology"
NODE_POOL_LABEL = "cloud.google.com/gke-nodepool"
STARTUP_PERIOD_S = 30
# A new replica waits for a TPU node (node pool scale-up) and its image before its probes start.
PROVISIONING_ALLOWANCE_S = 1800


def workload_name(tier: str) -> str:
    return f"vllm-{tier}"


def selector_labels(tier: str) -> dict[str, str]:
    return {APP_LABEL: APP, TIER_LABEL: tier}


@dataclass(frozen=True)
class ApiKeyRef:
    """The Kubernetes Secret key that holds the API key vLLM requires on `/v1`."""

    secret_name: pulumi.Input[str]
    key: str


@dataclass(frozen=True)
class InferenceTierArgs:
    tier: str
    config: TierConfig
    namespace: pulumi.Input[str]
    service_account: pulumi.Input[str]
    port: int
    image: str  # the reference nodes pull (through the remote repository)
    mount: ModelMount
    cache_bucket: pulumi.Input[str]
    provider: k8s.Provider
    termination_grace_seconds: int
    api_key: ApiKeyRef | None = None
    # The HPA waits for the metrics adapter, the LeaderWorkerSet for its controller and webhook.
    autoscaler_depends_on: Sequence[pulumi.Resource] = field(default_factory=list)
    workload_depends_on: Sequence[pulumi.Resource] = field(default_factory=list)


def _http_probe(period: int, timeout: int, failures: int) -> k8s.core.v1.ProbeArgs:
    return k8s.core.v1.ProbeArgs(
        http_get=k8s.core.v1.HTTPGetActionArgs(path=HEALTH_PATH, port=PORT_NAME),
        period_seconds=period,
        timeout_seconds=timeout,
        failure_threshold=failures,
    )


def _env(args: InferenceTierArgs, multi_host: bool) -> list[k8s.core.v1.EnvVarArgs]:
    plain = {
        # Weights come from the model store; the server never needs the Hugging Face Hub.
        "HF_HUB_OFFLINE": "1",
        "HF_HOME": "/tmp/huggingface",
        **vllm_args.compile_cache_env(compile_cache.MOUNT_PATH),
        **(vllm_args.MULTI_HOST_ENV if multi_host else {}),
        **args.config.env,
    }
    env = [k8s.core.v1.EnvVarArgs(name=name, value=value) for name, value in plain.items()]
    if args.api_key is not None:
        # vLLM reads VLLM_API_KEY as --api-key: every /v1 call needs `Authorization: Bearer <key>`,
        # and the key stays out of the pod's command line.
        env.append(
            k8s.core.v1.EnvVarArgs(
                name="VLLM_API_KEY",
                value_from=k8s.core.v1.EnvVarSourceArgs(
                    secret_key_ref=k8s.core.v1.SecretKeySelectorArgs(
                        name=args.api_key.secret_name, key=args.api_key.key
                    )
                ),
            )
        )
    return env


POD_SECURITY_CONTEXT = k8s.core.v1.PodSecurityContextArgs(
    seccomp_profile=k8s.core.v1.SeccompProfileArgs(type="RuntimeDefault")
)
SECURITY_CONTEXT = k8s.core.v1.SecurityContextArgs(
    # The image has no USER and runs as root (tpu-inference docker/Dockerfile); no privilege beyond that.
    allow_privilege_escalation=False,
    privileged=False,
    capabilities=k8s.core.v1.CapabilitiesArgs(drop=["ALL"]),
)


class InferenceTier(PlatformComponent):
    def __init__(self, name: str, args: InferenceTierArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("serving:InferenceTier", name, opts)
        tier, config = args.tier, args.config
        shape = config.shape
        self.multi_host = shape.multi_host
        self.workload_name = workload_name(tier)
        self.served_model_name = config.model.name
        selector = selector_labels(tier)
        labels = {**selector, "app.kubernetes.io/part-of": "llm-platform", "app.kubernetes.io/managed-by": "pulumi"}
        metadata = k8s.meta.v1.ObjectMetaArgs(name=self.workload_name, namespace=args.namespace, labels=labels)

        server = vllm_args.server_args(
            vllm_args.ServerSpec(
                model_path=f"{args.mount.model_root}/{config.model.folder}",
                served_model_name=config.model.name,
                chips=shape.chips,
                data_parallel=config.data_parallel_size,
                max_model_len=config.model.max_model_len,
                max_num_seqs=config.model.max_num_seqs,
                memory_utilization=config.memory_utilization,
                kv_cache_fp8=config.model.kv_cache_dtype == "fp8",
                port=args.port,
                extra_args=tuple(config.vllm_args),
            )
        )
        self.server_args = server
        env = _env(args, shape.multi_host)
        startup_failures = math.ceil(config.startup_seconds / STARTUP_PERIOD_S)
        # Weight load and XLA compilation may take the whole startup budget; only then do readiness
        # and a liberal liveness take over.
        startup_probe = _http_probe(STARTUP_PERIOD_S, 10, startup_failures)
        readiness_probe = _http_probe(10, 5, 3)
        liveness_probe = _http_probe(30, 10, 6)
        volumes = [
            *args.mount.volumes,
            k8s.core.v1.VolumeArgs(name="dshm", empty_dir=k8s.core.v1.EmptyDirVolumeSourceArgs(medium="Memory")),
            compile_cache.cache_volume(args.cache_bucket, tier),
        ]
        mounts = [
            *args.mount.volume_mounts,
            k8s.core.v1.VolumeMountArgs(name="dshm", mount_path="/dev/shm"),
            compile_cache.cache_volume_mount(),
        ]
        resources = k8s.core.v1.ResourceRequirementsArgs(
            requests={TPU_RESOURCE: str(shape.tpu_per_pod)}, limits={TPU_RESOURCE: str(shape.tpu_per_pod)}
        )
        port = k8s.core.v1.ContainerPortArgs(name=PORT_NAME, container_port=args.port, protocol="TCP")

        def pod(role: str | None, container: k8s.core.v1.ContainerArgs) -> k8s.core.v1.PodTemplateSpecArgs:
            return k8s.core.v1.PodTemplateSpecArgs(
                metadata=k8s.meta.v1.ObjectMetaArgs(
                    labels={**labels, **({ROLE_LABEL: role} if role else {})},
                    annotations={**args.mount.pod_annotations, **compile_cache.GCSFUSE_ANNOTATIONS},
                ),
                spec=k8s.core.v1.PodSpecArgs(
                    service_account_name=args.service_account,
                    # The container runtime's default seccomp profile, as GKE Autopilot applies to every pod
                    # (TPU workloads included).
                    security_context=POD_SECURITY_CONTEXT,
                    node_selector={
                        "cloud.google.com/gke-tpu-accelerator": ACCELERATOR,
                        "cloud.google.com/gke-tpu-topology": shape.topology,
                        TIER_LABEL: tier,  # the tier's own pool, even if another tier has the same shape
                    },
                    tolerations=[
                        k8s.core.v1.TolerationArgs(
                            key=TPU_RESOURCE, operator="Equal", value="present", effect="NoSchedule"
                        )
                    ],
                    termination_grace_period_seconds=args.termination_grace_seconds,
                    containers=[container],
                    volumes=volumes,
                ),
            )

        def container(command: list[str], container_args: list[str], serving: bool) -> k8s.core.v1.ContainerArgs:
            return k8s.core.v1.ContainerArgs(
                name=CONTAINER,
                image=args.image,
                image_pull_policy="IfNotPresent",
                command=command,
                args=container_args,
                env=env,
                ports=[port] if serving else None,
                resources=resources,
                volume_mounts=mounts,
                security_context=SECURITY_CONTEXT,
                startup_probe=startup_probe if serving else None,
                readiness_probe=readiness_probe if serving else None,
                liveness_probe=liveness_probe if serving else None,
            )

        self.deployment: k8s.apps.v1.Deployment | None = None
        self.leader_worker_set: k8s.apiextensions.CustomResource | None = None
        self.autoscaler: k8s.autoscaling.v2.HorizontalPodAutoscaler | None = None
        replicas = config.min_replicas
        progress_deadline = config.startup_seconds + PROVISIONING_ALLOWANCE_S
        if not shape.multi_host:
            self.deployment = k8s.apps.v1.Deployment(
                f"{name}-deployment",
                metadata=metadata,
                spec=k8s.apps.v1.DeploymentSpecArgs(
                    # The HPA owns the count from here on; 0 parks the tier (the HPA does not act on a
                    # workload scaled to zero) until an operator scales it to 1.
                    replicas=replicas,
                    selector=k8s.meta.v1.LabelSelectorArgs(match_labels=selector),
                    # Surge one replica so a roll never drops serving capacity (it needs a spare node
                    # within maxReplicas); a replica may take the whole startup budget to become ready.
                    strategy=k8s.apps.v1.DeploymentStrategyArgs(
                        type="RollingUpdate",
                        rolling_update=k8s.apps.v1.RollingUpdateDeploymentArgs(max_surge=1, max_unavailable=0),
                    ),
                    progress_deadline_seconds=progress_deadline,
                    template=pod(None, container(list(vllm_args.SERVE_COMMAND), server, serving=True)),
                ),
                opts=self.child(
                    depends_on=list(args.workload_depends_on),
                    ignore_changes=["spec.replicas"],
                    custom_timeouts=pulumi.CustomTimeouts(
                        create=f"{progress_deadline + 600}s", update=f"{progress_deadline + 600}s"
                    ),
                    provider=args.provider,
                ),
            )
            self.autoscaler = k8s.autoscaling.v2.HorizontalPodAutoscaler(
                f"{name}-autoscaler",
                metadata=metadata,
                spec=k8s.autoscaling.v2.HorizontalPodAutoscalerSpecArgs(
                    scale_target_ref=k8s.autoscaling.v2.CrossVersionObjectReferenceArgs(
                        api_version="apps/v1", kind="Deployment", name=self.workload_name
                    ),
                    min_replicas=max(1, config.min_replicas),
                    max_replicas=config.max_replicas,
                    metrics=[
                        k8s.autoscaling.v2.MetricSpecArgs(
                            type="Pods",
                            pods=k8s.autoscaling.v2.PodsMetricSourceArgs(
                                metric=k8s.autoscaling.v2.MetricIdentifierArgs(name=QUEUE_METRIC),
                                target=k8s.autoscaling.v2.MetricTargetArgs(
                                    type="AverageValue",
                                    average_value=str(config.autoscaling.target_waiting_requests),
                                ),
                            ),
                        )
                    ],
                    behavior=k8s.autoscaling.v2.HorizontalPodAutoscalerBehaviorArgs(
                        scale_down=k8s.autoscaling.v2.HPAScalingRulesArgs(
                            stabilization_window_seconds=config.autoscaling.scale_down_stabilization_seconds,
                            policies=[
                                k8s.autoscaling.v2.HPAScalingPolicyArgs(type="Pods", value=1, period_seconds=300)
                            ],
                        ),
                    ),
                ),
                opts=self.child(depends_on=[self.deployment, *args.autoscaler_depends_on], provider=args.provider),
            )
            workload: pulumi.Resource = self.deployment
            budget = k8s.policy.v1.PodDisruptionBudgetSpecArgs(
                max_unavailable=1, selector=k8s.meta.v1.LabelSelectorArgs(match_labels=selector)
            )
            service_selector = selector
        else:
            leader_role = {ROLE_LABEL: "leader"}
            leader = container(["/bin/sh", "-c"], [vllm_args.leader_script(server)], serving=True)
            worker = container(["/bin/sh", "-c"], [vllm_args.worker_script()], serving=False)
            self.leader_worker_set = k8s.apiextensions.CustomResource(
                f"{name}-leader-worker-set",
                api_version="leaderworkerset.x-k8s.io/v1",
                kind="LeaderWorkerSet",
                metadata=k8s.meta.v1.ObjectMetaArgs(
                    name=self.workload_name,
                    namespace=args.namespace,
                    labels=labels,
                    # One group per node pool (one slice), never two groups sharing a slice.
                    annotations={EXCLUSIVE_TOPOLOGY: NODE_POOL_LABEL},
                ),
                spec={
                    "replicas": 1 if replicas else 0,
                    # Shared mode would create a headless Service named after the set, `vllm-T`,
                    # colliding with the tier's ClusterIP Service; per-replica subdomains do not.
                    "networkConfig": {"subdomainPolicy": "UniquePerReplica"},
                    "leaderWorkerTemplate": {
                        "size": shape.vms,
                        # A Ray group that lost a member cannot recover in place: restart it whole.
                        "restartPolicy": "RecreateGroupOnPodRestart",
                        "leaderTemplate": pod("leader", leader),
                        "workerTemplate": pod("worker", worker),
                    },
                },
                opts=self.child(depends_on=list(args.workload_depends_on), provider=args.provider),
            )
            workload = self.leader_worker_set
            # Evicting any pod of the group restarts the whole slice: no voluntary disruption of a
            # serving slice (GKE node upgrades wait for it up to their PDB timeout).
            budget = k8s.policy.v1.PodDisruptionBudgetSpecArgs(
                max_unavailable=0, selector=k8s.meta.v1.LabelSelectorArgs(match_labels=selector)
            )
            service_selector = {**selector, **leader_role}

        self.disruption_budget = k8s.policy.v1.PodDisruptionBudget(
            f"{name}-disruption-budget", metadata=metadata, spec=budget, opts=self.child(provider=args.provider)
        )
        self.service = k8s.core.v1.Service(
            f"{name}-service",
            metadata=metadata,
            spec=k8s.core.v1.ServiceSpecArgs(
                type="ClusterIP",
                selector=service_selector,
                ports=[
                    k8s.core.v1.ServicePortArgs(name=PORT_NAME, port=args.port, target_port=PORT_NAME, protocol="TCP")
                ],
            ),
            opts=self.child(depends_on=[workload], provider=args.provider),
        )
        self.pod_monitoring = k8s.apiextensions.CustomResource(
            f"{name}-pod-monitoring",
            api_version="monitoring.googleapis.com/v1",
            kind="PodMonitoring",
            metadata=metadata,
            spec={
                "selector": {"matchLabels": service_selector},
                "endpoints": [{"port": PORT_NAME, "path": METRICS_PATH, "interval": SCRAPE_INTERVAL}],
            },
            opts=self.child(depends_on=[workload], provider=args.provider),
        )
        self.service_name = self.service.metadata.name
        self.register_outputs(
            {
                "workload": self.workload_name,
                "service": self.service_name,
                "served_model_name": self.served_model_name,
                "multi_host": self.multi_host,
            }
        )
