"""One serving tier on vLLM TPU: the workload, its Service, its metrics scrape, autoscaler and PDB.

Single-host tiers (1x1x1, 2x2x1) run a Deployment, one pod per TPU VM, scaled by an HPA on vLLM's
queue so the node pool's autoscaler follows the pods. A multi-host tier runs a LeaderWorkerSet:
one group per slice (size = VMs), Ray across the group, vLLM on the leader.

Names other components rely on: for tier T the Deployment or LeaderWorkerSet and its ClusterIP
Service are `vllm-T` in the serving namespace; pods carry `app.kubernetes.io/name: vllm` and
`llm-platform/tier: T`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s

from components.base import PlatformComponent
from components.serving import vllm_args
from components.serving.config import TierConfig
from components.serving.drain import DrainTimings
from components.serving.rollout import Rollout
from components.serving.workload import (
    LEADER_ROLE,
    PORT_NAME,
    ROLE_LABEL,
    WORKER_ROLE,
    ApiKeyRef,
    PodInputs,
    TenantKeyRef,
    api_key_envs,
    autoscaler_spec,
    container,
    deployment_strategy,
    disruption_budget_spec,
    group_rollout_strategy,
    pod_template,
    progress_deadline_seconds,
    selector_labels,
    server_args,
    workload_labels,
    workload_name,
)
from components.storage.mount import ModelMount

METRICS_PATH = "/metrics"
SCRAPE_INTERVAL = "15s"
EXCLUSIVE_TOPOLOGY = "leaderworkerset.sigs.k8s.io/exclusive-topology"
NODE_POOL_LABEL = "cloud.google.com/gke-nodepool"

__all__ = ["ApiKeyRef", "InferenceTier", "InferenceTierArgs", "TenantKeyRef", "selector_labels", "workload_name"]


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
    drain: DrainTimings
    rollout: Rollout
    api_key: ApiKeyRef | None = None
    compute_class: str | None = None  # the tier's ComputeClass when its capacity is a chain
    tenant_keys: tuple[TenantKeyRef, ...] = ()  # with tenants: the keys of those allowed on this tier
    # The HPA waits for the metrics adapter, the LeaderWorkerSet for its controller and webhook.
    autoscaler_depends_on: Sequence[pulumi.Resource] = field(default_factory=list)
    workload_depends_on: Sequence[pulumi.Resource] = field(default_factory=list)

    def pod_inputs(self) -> PodInputs:
        return PodInputs(
            tier=self.tier,
            config=self.config,
            service_account=self.service_account,
            port=self.port,
            image=self.image,
            mount=self.mount,
            cache_bucket=self.cache_bucket,
            drain=self.drain,
            api_key=self.api_key,
            compute_class=self.compute_class,
            tenant_keys=self.tenant_keys,
        )


class InferenceTier(PlatformComponent):
    def __init__(self, name: str, args: InferenceTierArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("serving:InferenceTier", name, opts)
        self._name, self._args = name, args
        self.multi_host = args.config.shape.multi_host
        self.workload_name = workload_name(args.tier)
        self.served_model_name = args.config.model.name
        self.served_model_names = (args.config.model.name, *args.config.model.aliases)
        self.server_args = server_args(args.pod_inputs())
        self.metadata = k8s.meta.v1.ObjectMetaArgs(
            name=self.workload_name, namespace=args.namespace, labels=workload_labels(args.tier)
        )
        self.deployment: k8s.apps.v1.Deployment | None = None
        self.leader_worker_set: k8s.apiextensions.CustomResource | None = None
        self.autoscaler: k8s.autoscaling.v2.HorizontalPodAutoscaler | None = None
        if self.multi_host:
            self.leader_worker_set = self._leader_worker_set()
            workload: pulumi.Resource = self.leader_worker_set
            serving_pods = {**selector_labels(args.tier), ROLE_LABEL: LEADER_ROLE}
        else:
            self.deployment = workload = self._deployment()
            self.autoscaler = self._autoscaler(self.deployment)
            serving_pods = selector_labels(args.tier)
        # What an InferencePool must select: the pods that serve, a LeaderWorkerSet's leaders only.
        self.serving_pods = serving_pods
        self.disruption_budget = self._disruption_budget()
        self.service = self._service(serving_pods, workload)
        self.pod_monitoring = self._pod_monitoring(serving_pods, workload)
        self.service_name = self.service.metadata.name
        self.register_outputs(
            {
                "workload": self.workload_name,
                "service": self.service_name,
                "served_model_name": self.served_model_name,
                "multi_host": self.multi_host,
            }
        )

    def _deployment(self) -> k8s.apps.v1.Deployment:
        args, inputs = self._args, self._args.pod_inputs()
        deadline = progress_deadline_seconds(args.config, args.drain)
        arguments = [*self.server_args, *vllm_args.api_key_args(api_key_envs(inputs))]
        serving = container(inputs, vllm_args.SERVE_COMMAND, arguments, serving=True)
        return k8s.apps.v1.Deployment(
            f"{self._name}-deployment",
            metadata=self.metadata,
            spec=k8s.apps.v1.DeploymentSpecArgs(
                # The HPA owns the count from here on; 0 parks the tier (the HPA does not act on a
                # workload scaled to zero) until an operator scales it to 1.
                replicas=args.config.min_replicas,
                selector=k8s.meta.v1.LabelSelectorArgs(match_labels=selector_labels(args.tier)),
                strategy=deployment_strategy(args.rollout),
                progress_deadline_seconds=deadline,
                template=pod_template(inputs, serving),
            ),
            opts=self.child(
                depends_on=list(args.workload_depends_on),
                ignore_changes=["spec.replicas"],
                custom_timeouts=pulumi.CustomTimeouts(create=f"{deadline + 600}s", update=f"{deadline + 600}s"),
                provider=args.provider,
            ),
        )

    def _autoscaler(self, deployment: k8s.apps.v1.Deployment) -> k8s.autoscaling.v2.HorizontalPodAutoscaler:
        args = self._args
        return k8s.autoscaling.v2.HorizontalPodAutoscaler(
            f"{self._name}-autoscaler",
            metadata=self.metadata,
            spec=autoscaler_spec(args.tier, args.config),
            opts=self.child(depends_on=[deployment, *args.autoscaler_depends_on], provider=args.provider),
        )

    def _leader_worker_set(self) -> k8s.apiextensions.CustomResource:
        args, inputs = self._args, self._args.pod_inputs()
        script = vllm_args.leader_script(self.server_args, api_key_envs=api_key_envs(inputs))
        leader = container(inputs, ["/bin/sh", "-c"], [script], serving=True)
        worker = container(inputs, ["/bin/sh", "-c"], [vllm_args.worker_script()], serving=False)
        return k8s.apiextensions.CustomResource(
            f"{self._name}-leader-worker-set",
            api_version="leaderworkerset.x-k8s.io/v1",
            kind="LeaderWorkerSet",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=self.workload_name,
                namespace=args.namespace,
                labels=workload_labels(args.tier),
                # One group per node pool (one slice), never two groups sharing a slice.
                annotations={EXCLUSIVE_TOPOLOGY: NODE_POOL_LABEL},
            ),
            spec={
                "replicas": 1 if args.config.min_replicas else 0,
                # Shared mode would create a headless Service named after the set, `vllm-T`,
                # colliding with the tier's ClusterIP Service; per-replica subdomains do not.
                "networkConfig": {"subdomainPolicy": "UniquePerReplica"},
                "rolloutStrategy": group_rollout_strategy(args.rollout),
                "leaderWorkerTemplate": {
                    "size": args.config.shape.vms,
                    # A Ray group that lost a member cannot recover in place: restart it whole.
                    "restartPolicy": "RecreateGroupOnPodRestart",
                    "leaderTemplate": pod_template(inputs, leader, role=LEADER_ROLE),
                    "workerTemplate": pod_template(inputs, worker, role=WORKER_ROLE),
                },
            },
            opts=self.child(depends_on=list(args.workload_depends_on), provider=args.provider),
        )

    def _disruption_budget(self) -> k8s.policy.v1.PodDisruptionBudget:
        return k8s.policy.v1.PodDisruptionBudget(
            f"{self._name}-disruption-budget",
            metadata=self.metadata,
            spec=disruption_budget_spec(selector_labels(self._args.tier)),
            opts=self.child(provider=self._args.provider),
        )

    def _service(self, serving_pods: dict[str, str], workload: pulumi.Resource) -> k8s.core.v1.Service:
        port = k8s.core.v1.ServicePortArgs(name=PORT_NAME, port=self._args.port, target_port=PORT_NAME, protocol="TCP")
        return k8s.core.v1.Service(
            f"{self._name}-service",
            metadata=self.metadata,
            spec=k8s.core.v1.ServiceSpecArgs(type="ClusterIP", selector=serving_pods, ports=[port]),
            opts=self.child(depends_on=[workload], provider=self._args.provider),
        )

    def _pod_monitoring(
        self, serving_pods: dict[str, str], workload: pulumi.Resource
    ) -> k8s.apiextensions.CustomResource:
        return k8s.apiextensions.CustomResource(
            f"{self._name}-pod-monitoring",
            api_version="monitoring.googleapis.com/v1",
            kind="PodMonitoring",
            metadata=self.metadata,
            spec={
                "selector": {"matchLabels": serving_pods},
                "endpoints": [{"port": PORT_NAME, "path": METRICS_PATH, "interval": SCRAPE_INTERVAL}],
            },
            opts=self.child(depends_on=[workload], provider=self._args.provider),
        )
