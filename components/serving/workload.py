"""What a tier's pods are and how its workload rolls and scales: pure builders of Kubernetes Args.

`InferenceTier` only registers objects; everything they hold is decided here from the tier's config,
its shape and the model mount, so it can be tested without the mock runtime.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.gke.capacity_chain import COMPUTE_CLASS_KEY
from components.gke.tpu import ACCELERATOR, TPU_RESOURCE
from components.gke.tpu_node_pool import TIER_LABEL
from components.serving import checksums, compile_cache, vllm_args
from components.serving.config import TierConfig
from components.serving.drain import DrainTimings
from components.serving.rollout import Rollout
from components.storage.mount import ModelMount

APP_LABEL = "app.kubernetes.io/name"
APP = "vllm"
ROLE_LABEL = "llm-platform/role"
LEADER_ROLE = "leader"
WORKER_ROLE = "worker"
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
    """The Kubernetes Secret key that holds the API key vLLM requires on `/v1`, and its checksum
    (`components/serving/checksums.py`); the workload depends on the Secret explicitly."""

    secret_name: str
    key: str
    checksum: pulumi.Input[str]


def tenant_key_env(tenant: str) -> str:
    """The environment variable a tenant's key reaches vLLM in: `VLLM_API_KEY_<NAME>`, `-` as `_`."""
    return "VLLM_API_KEY_" + tenant.upper().replace("-", "_")


@dataclass(frozen=True)
class TenantKeyRef:
    """One tenant's key a tier accepts: the Secret key it is read from and the variable it lands in."""

    tenant: str
    ref: ApiKeyRef

    @property
    def env(self) -> str:
        return tenant_key_env(self.tenant)


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
    drain: DrainTimings
    api_key: ApiKeyRef | None = None
    compute_class: str | None = None
    # With tenants: the keys of the tenants allowed on this tier (then `api_key` is None).
    tenant_keys: tuple[TenantKeyRef, ...] = ()


def class_selection(compute_class: str | None) -> tuple[dict[str, str], list[k8s.core.v1.TolerationArgs]]:
    """A chained tier's pods select its ComputeClass and tolerate the class taint its pools carry."""
    if compute_class is None:
        return {}, []
    return {COMPUTE_CLASS_KEY: compute_class}, [
        k8s.core.v1.TolerationArgs(key=COMPUTE_CLASS_KEY, operator="Equal", value=compute_class, effect="NoSchedule")
    ]


def server_args(inputs: PodInputs) -> list[str]:
    """The `vllm serve` arguments of the tier: derived in one place from its shape and model."""
    config = inputs.config
    return vllm_args.server_args(
        vllm_args.ServerSpec(
            model_path=f"{inputs.mount.model_root}/{config.model.folder}",
            served_model_name=config.model.name,
            settings=config.settings,
            port=inputs.port,
            shutdown_timeout=inputs.drain.shutdown_timeout,
            extra_args=tuple(config.vllm_args),
            aliases=tuple(config.model.aliases),
        )
    )


def api_key_envs(inputs: PodInputs) -> tuple[str, ...]:
    """The variables holding the keys the tier's vLLM accepts, when tenants pass them as `--api-key`."""
    return tuple(tenant.env for tenant in inputs.tenant_keys)


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
    for tenant in inputs.tenant_keys:
        # Each tenant's key in its own variable; `--api-key $(VLLM_API_KEY_<NAME>) ...` takes them all
        # (vllm_args.api_key_args), so the pod spec names the variables, never a key.
        key_ref = k8s.core.v1.SecretKeySelectorArgs(name=tenant.ref.secret_name, key=tenant.ref.key)
        env.append(
            k8s.core.v1.EnvVarArgs(name=tenant.env, value_from=k8s.core.v1.EnvVarSourceArgs(secret_key_ref=key_ref))
        )
    if inputs.api_key is not None:
        # vLLM reads VLLM_API_KEY as --api-key: every /v1 call needs `Authorization: Bearer <key>`,
        # and the key stays out of the pod's command line.
        key_ref = k8s.core.v1.SecretKeySelectorArgs(name=inputs.api_key.secret_name, key=inputs.api_key.key)
        env.append(
            k8s.core.v1.EnvVarArgs(name="VLLM_API_KEY", value_from=k8s.core.v1.EnvVarSourceArgs(secret_key_ref=key_ref))
        )
    return env


def prestop_sleep(seconds: int) -> k8s.core.v1.LifecycleArgs:
    """Hold SIGTERM back for `seconds`: the kubelet's own sleep action, so the image needs no shell."""
    return k8s.core.v1.LifecycleArgs(
        pre_stop=k8s.core.v1.LifecycleHandlerArgs(sleep=k8s.core.v1.SleepActionArgs(seconds=seconds))
    )


def container(
    inputs: PodInputs, command: Sequence[str], args: Sequence[str], serving: bool
) -> k8s.core.v1.ContainerArgs:
    """The vLLM container; only the serving one (a Deployment pod, a LeaderWorkerSet leader) has a port and
    probes, and it waits out the load balancer before SIGTERM; a worker waits out its leader's drain."""
    tpus = str(inputs.config.shape.tpu_per_pod)
    drain = inputs.drain
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
        lifecycle=prestop_sleep(drain.prestop if serving else drain.worker_prestop),
        startup_probe=startup if serving else None,
        readiness_probe=readiness if serving else None,
        liveness_probe=liveness if serving else None,
    )


def secret_checksums(inputs: PodInputs) -> dict[str, pulumi.Input[str]]:
    """One checksum annotation per Secret key the pod reads: a new value rolls the workload."""
    keys = [tenant.ref for tenant in inputs.tenant_keys]
    if inputs.api_key is not None:
        keys.append(inputs.api_key)
    return {checksums.annotation(key.secret_name, key.key): key.checksum for key in keys}


def pod_template(
    inputs: PodInputs, container: k8s.core.v1.ContainerArgs, role: str | None = None
) -> k8s.core.v1.PodTemplateSpecArgs:
    """A pod on the tier's own TPU pool, with the model mount, shared memory and the compile cache."""
    shape = inputs.config.shape
    class_selector, class_tolerations = class_selection(inputs.compute_class)
    return k8s.core.v1.PodTemplateSpecArgs(
        metadata=k8s.meta.v1.ObjectMetaArgs(
            labels={**workload_labels(inputs.tier), **({ROLE_LABEL: role} if role else {})},
            annotations={
                **inputs.mount.pod_annotations,
                **compile_cache.GCSFUSE_ANNOTATIONS,
                **secret_checksums(inputs),
            },
        ),
        spec=k8s.core.v1.PodSpecArgs(
            service_account_name=inputs.service_account,
            security_context=POD_SECURITY_CONTEXT,
            node_selector={
                "cloud.google.com/gke-tpu-accelerator": ACCELERATOR,
                "cloud.google.com/gke-tpu-topology": shape.topology,
                TIER_LABEL: inputs.tier,  # the tier's own pool, even if another tier has the same shape
                **class_selector,
            },
            tolerations=[
                k8s.core.v1.TolerationArgs(key=TPU_RESOURCE, operator="Equal", value="present", effect="NoSchedule"),
                *class_tolerations,
            ],
            termination_grace_period_seconds=(
                inputs.drain.worker_grace_period if role == WORKER_ROLE else inputs.drain.grace_period
            ),
            containers=[container],
            volumes=[
                *inputs.mount.volumes,
                k8s.core.v1.VolumeArgs(name="dshm", empty_dir=k8s.core.v1.EmptyDirVolumeSourceArgs(medium="Memory")),
                compile_cache.cache_volume(inputs.cache_bucket, inputs.tier),
            ],
        ),
    )


def progress_deadline_seconds(config: TierConfig, drain: DrainTimings) -> int:
    """How long a rollout may wait for a new replica: the old one's drain (a replacement waits for its
    node), the new one's node, its image, then its whole startup budget."""
    return drain.grace_period + config.startup_seconds + PROVISIONING_ALLOWANCE_S


def deployment_strategy(rollout: Rollout) -> k8s.apps.v1.DeploymentStrategyArgs:
    """Surge or replace, as `components/serving/rollout.py` decides from the tier's capacity."""
    return k8s.apps.v1.DeploymentStrategyArgs(
        type="RollingUpdate",
        rolling_update=k8s.apps.v1.RollingUpdateDeploymentArgs(
            max_surge=rollout.max_surge, max_unavailable=rollout.max_unavailable
        ),
    )


def group_rollout_strategy(rollout: Rollout) -> dict[str, Any]:
    """A LeaderWorkerSet's `rolloutStrategy` (lws v0.10.0 CRD): one group at a time, the same decision."""
    return {
        "type": "RollingUpdate",
        "rollingUpdateConfiguration": {"maxSurge": rollout.max_surge, "maxUnavailable": rollout.max_unavailable},
    }


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


def disruption_budget_spec(selector: Mapping[str, str]) -> k8s.policy.v1.PodDisruptionBudgetSpecArgs:
    """At most one healthy serving pod evicted at a time, and a pod that is not ready may always go.

    A budget of 0 (what a multi-host slice had) never protects a slice: GKE waits one hour on a
    blocking budget during a node upgrade and then evicts anyway. Here a drain waits only for a
    healthy replica while another is down; a starting pod, or a multi-host group restarting after
    one of its pods went, never holds a drain (`unhealthyPodEvictionPolicy: AlwaysAllow`)."""
    return k8s.policy.v1.PodDisruptionBudgetSpecArgs(
        max_unavailable=1,
        unhealthy_pod_eviction_policy="AlwaysAllow",
        selector=k8s.meta.v1.LabelSelectorArgs(match_labels=dict(selector)),
    )
