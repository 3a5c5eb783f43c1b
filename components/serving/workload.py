"""What a tier's pods are and how its workload rolls and scales: pure builders of Kubernetes Args.

`InferenceTier` only registers objects; everything they hold is decided here from the tier's config,
its shape and the model mount, so it can be tested without the mock runtime.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

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
# Managed Prometheus series of vLLM's queue gauge, as the Custom Metrics Stackdriver Adapter names it
# (kubernetes-engine-samples ai-ml/vllm-tpu/vllm-hpa.yaml).
QUEUE_METRIC = "prometheus.googleapis.com|vllm:num_requests_waiting|gauge"
STARTUP_PERIOD_S = 30
# A new replica waits for a TPU node (node pool scale-up) and its image before its probes start.
PROVISIONING_ALLOWANCE_S = 1800

POD_SECURITY_CONTEXT = k8s.core.v1.PodSecurityContextArgs(
    # The container runtime's default seccomp profile, as GKE Autopilot applies to every pod (TPU
    # workloads included).
    seccomp_profile=k8s.core.v1.SeccompProfileArgs(type="RuntimeDefault")
)
SECURITY_CONTEXT = k8s.core.v1.SecurityContextArgs(
    # The image has no USER and runs as root (tpu-inference docker/Dockerfile); no privilege beyond that.
    allow_privilege_escalation=False,
    privileged=False,
    capabilities=k8s.core.v1.CapabilitiesArgs(drop=["ALL"]),
)


def workload_name(tier: str) -> str:
    return f"vllm-{tier}"


def selector_labels(tier: str) -> dict[str, str]:
    return {APP_LABEL: APP, TIER_LABEL: tier}


def workload_labels(tier: str) -> dict[str, str]:
    return {
        **selector_labels(tier),
        "app.kubernetes.io/part-of": "llm-platform",
        "app.kubernetes.io/managed-by": "pulumi",
    }


@dataclass(frozen=True)
class ApiKeyRef:
    """The Kubernetes Secret key that holds the API key vLLM requires on `/v1`."""

    secret_name: pulumi.Input[str]
    key: str


@dataclass(frozen=True)
class PodInputs:
    """Everything a tier's pod template is made of besides the tier's own config."""

    tier: str
    config: TierConfig
    service_account: pulumi.Input[str]
    port: int
    image: str
    mount: ModelMount
    cache_bucket: pulumi.Input[str]
    termination_grace_seconds: int
    api_key: ApiKeyRef | None = None


def server_args(inputs: PodInputs) -> list[str]:
    """The `vllm serve` arguments of the tier: derived in one place from its shape and model."""
    config = inputs.config
    return vllm_args.server_args(
        vllm_args.ServerSpec(
            model_path=f"{inputs.mount.model_root}/{config.model.folder}",
            served_model_name=config.model.name,
            settings=config.settings,
            port=inputs.port,
            extra_args=tuple(config.vllm_args),
        )
    )


def _http_probe(period: int, timeout: int, failures: int) -> k8s.core.v1.ProbeArgs:
    return k8s.core.v1.ProbeArgs(
        http_get=k8s.core.v1.HTTPGetActionArgs(path=HEALTH_PATH, port=PORT_NAME),
        period_seconds=period,
        timeout_seconds=timeout,
        failure_threshold=failures,
    )


def probes(startup_seconds: int) -> tuple[k8s.core.v1.ProbeArgs, k8s.core.v1.ProbeArgs, k8s.core.v1.ProbeArgs]:
    """(startup, readiness, liveness): weight load and XLA compilation may take the whole startup
    budget; only then do readiness and a liberal liveness take over."""
    startup = _http_probe(STARTUP_PERIOD_S, 10, math.ceil(startup_seconds / STARTUP_PERIOD_S))
    return startup, _http_probe(10, 5, 3), _http_probe(30, 10, 6)


def environment(inputs: PodInputs) -> list[k8s.core.v1.EnvVarArgs]:
    plain = {
        # Weights come from the model store; the server never needs the Hugging Face Hub.
        "HF_HUB_OFFLINE": "1",
        "HF_HOME": "/tmp/huggingface",
        **vllm_args.compile_cache_env(compile_cache.MOUNT_PATH),
        **(vllm_args.MULTI_HOST_ENV if inputs.config.shape.multi_host else {}),
        **inputs.config.env,
    }
    env = [k8s.core.v1.EnvVarArgs(name=name, value=value) for name, value in plain.items()]
    if inputs.api_key is not None:
        # vLLM reads VLLM_API_KEY as --api-key: every /v1 call needs `Authorization: Bearer <key>`,
        # and the key stays out of the pod's command line.
        key_ref = k8s.core.v1.SecretKeySelectorArgs(name=inputs.api_key.secret_name, key=inputs.api_key.key)
        env.append(
            k8s.core.v1.EnvVarArgs(name="VLLM_API_KEY", value_from=k8s.core.v1.EnvVarSourceArgs(secret_key_ref=key_ref))
        )
    return env


def container(
    inputs: PodInputs, command: Sequence[str], args: Sequence[str], serving: bool
) -> k8s.core.v1.ContainerArgs:
    """The vLLM container; only the serving one (a Deployment pod, a LeaderWorkerSet leader) has a port and probes."""
    tpus = str(inputs.config.shape.tpu_per_pod)
    startup, readiness, liveness = probes(inputs.config.startup_seconds)
    return k8s.core.v1.ContainerArgs(
        name=CONTAINER,
        image=inputs.image,
        image_pull_policy="IfNotPresent",
        command=list(command),
        args=list(args),
        env=environment(inputs),
        ports=[k8s.core.v1.ContainerPortArgs(name=PORT_NAME, container_port=inputs.port, protocol="TCP")]
        if serving
        else None,
        resources=k8s.core.v1.ResourceRequirementsArgs(requests={TPU_RESOURCE: tpus}, limits={TPU_RESOURCE: tpus}),
        volume_mounts=[
            *inputs.mount.volume_mounts,
            k8s.core.v1.VolumeMountArgs(name="dshm", mount_path="/dev/shm"),
            compile_cache.cache_volume_mount(),
        ],
        security_context=SECURITY_CONTEXT,
        startup_probe=startup if serving else None,
        readiness_probe=readiness if serving else None,
        liveness_probe=liveness if serving else None,
    )


def pod_template(
    inputs: PodInputs, container: k8s.core.v1.ContainerArgs, role: str | None = None
) -> k8s.core.v1.PodTemplateSpecArgs:
    """A pod on the tier's own TPU pool, with the model mount, shared memory and the compile cache."""
    shape = inputs.config.shape
    return k8s.core.v1.PodTemplateSpecArgs(
        metadata=k8s.meta.v1.ObjectMetaArgs(
            labels={**workload_labels(inputs.tier), **({ROLE_LABEL: role} if role else {})},
            annotations={**inputs.mount.pod_annotations, **compile_cache.GCSFUSE_ANNOTATIONS},
        ),
        spec=k8s.core.v1.PodSpecArgs(
            service_account_name=inputs.service_account,
            security_context=POD_SECURITY_CONTEXT,
            node_selector={
                "cloud.google.com/gke-tpu-accelerator": ACCELERATOR,
                "cloud.google.com/gke-tpu-topology": shape.topology,
                TIER_LABEL: inputs.tier,  # the tier's own pool, even if another tier has the same shape
            },
            tolerations=[
                k8s.core.v1.TolerationArgs(key=TPU_RESOURCE, operator="Equal", value="present", effect="NoSchedule")
            ],
            termination_grace_period_seconds=inputs.termination_grace_seconds,
            containers=[container],
            volumes=[
                *inputs.mount.volumes,
                k8s.core.v1.VolumeArgs(name="dshm", empty_dir=k8s.core.v1.EmptyDirVolumeSourceArgs(medium="Memory")),
                compile_cache.cache_volume(inputs.cache_bucket, inputs.tier),
            ],
        ),
    )


def progress_deadline_seconds(config: TierConfig) -> int:
    """How long a rollout may wait for a new replica: its node, its image, then its whole startup budget."""
    return config.startup_seconds + PROVISIONING_ALLOWANCE_S


def deployment_strategy() -> k8s.apps.v1.DeploymentStrategyArgs:
    """Surge one replica so a roll never drops serving capacity (it needs a spare node within
    maxReplicas); a replica may take the whole startup budget to become ready."""
    return k8s.apps.v1.DeploymentStrategyArgs(
        type="RollingUpdate",
        rolling_update=k8s.apps.v1.RollingUpdateDeploymentArgs(max_surge=1, max_unavailable=0),
    )


def autoscaler_spec(tier: str, config: TierConfig) -> k8s.autoscaling.v2.HorizontalPodAutoscalerSpecArgs:
    """Scale a Deployment on vLLM's queue depth per pod, one pod per five minutes down."""
    queue = k8s.autoscaling.v2.PodsMetricSourceArgs(
        metric=k8s.autoscaling.v2.MetricIdentifierArgs(name=QUEUE_METRIC),
        target=k8s.autoscaling.v2.MetricTargetArgs(
            type="AverageValue", average_value=str(config.autoscaling.target_waiting_requests)
        ),
    )
    scale_down = k8s.autoscaling.v2.HPAScalingRulesArgs(
        stabilization_window_seconds=config.autoscaling.scale_down_stabilization_seconds,
        policies=[k8s.autoscaling.v2.HPAScalingPolicyArgs(type="Pods", value=1, period_seconds=300)],
    )
    return k8s.autoscaling.v2.HorizontalPodAutoscalerSpecArgs(
        scale_target_ref=k8s.autoscaling.v2.CrossVersionObjectReferenceArgs(
            api_version="apps/v1", kind="Deployment", name=workload_name(tier)
        ),
        min_replicas=max(1, config.min_replicas),
        max_replicas=config.max_replicas,
        metrics=[k8s.autoscaling.v2.MetricSpecArgs(type="Pods", pods=queue)],
        behavior=k8s.autoscaling.v2.HorizontalPodAutoscalerBehaviorArgs(scale_down=scale_down),
    )


def disruption_budget_spec(selector: Mapping[str, str], multi_host: bool) -> k8s.policy.v1.PodDisruptionBudgetSpecArgs:
    """One replica at a time for a Deployment. Evicting any pod of a multi-host group restarts the
    whole slice, so no voluntary disruption of a serving slice (GKE node upgrades wait for it up to
    their PDB timeout)."""
    return k8s.policy.v1.PodDisruptionBudgetSpecArgs(
        max_unavailable=0 if multi_host else 1, selector=k8s.meta.v1.LabelSelectorArgs(match_labels=dict(selector))
    )
