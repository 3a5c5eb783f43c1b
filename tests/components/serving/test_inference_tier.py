"""InferenceTier under mocks: single-host Deployment and multi-host LeaderWorkerSet, every object valid."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s
import pytest

from components.serving import ApiKeyRef, InferenceTier, InferenceTierArgs, RemoteRegistry, RemoteRegistryArgs
from components.serving.config import RegistryConfig, TierConfig
from components.serving.drain import drain_timings
from components.serving.inference_tier import TenantKeyRef
from components.serving.rollout import rollout
from components.storage.mount import ModelMount
from tests.conftest import RunComponent
from tests.helpers import naming
from tests.schemas import built_in_objects, built_in_problems, custom_resources, problems
from tools.graph import StackGraph

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
LWS = "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"

MEDIUM = TierConfig.model_validate(
    {
        "machineType": "tpu7x-standard-4t",
        "topology": "2x2x1",
        "minReplicas": 1,
        "maxReplicas": 3,
        "model": {"preset": "llama-3.3-70b-instruct", "maxModelLen": 16384, "maxNumSeqs": 64, "kvCacheDtype": "fp8"},
        "vllmArgs": ["--async-scheduling"],
        "autoscaling": {"targetWaitingRequests": 5},
    }
)
LARGE = TierConfig.model_validate(
    {
        "machineType": "tpu7x-standard-4t",
        "topology": "2x2x2",
        "model": {"preset": "llama-3.1-405b-instruct", "kvCacheDtype": "fp8", "maxModelLen": 32768, "maxNumSeqs": 32},
    }
)


def _build(tier: str, config: TierConfig) -> None:
    provider, claim, mount, adapter = tier_dependencies()
    InferenceTier(
        f"serving-{tier}",
        tier_args(
            tier,
            config,
            provider,
            mount,
            claim,
            adapter,
            api_key=ApiKeyRef(secret_name="vllm-api-key", key="api-key", checksum="c0ffee"),
        ),
    )


def tier_dependencies() -> tuple[k8s.Provider, k8s.core.v1.PersistentVolumeClaim, ModelMount, k8s.core.v1.Namespace]:
    """What a tier is built on, registered once per program: the provider, the weights' claim and mount, and
    the metrics adapter's namespace."""
    provider = k8s.Provider("cluster", kubeconfig="apiVersion: v1\nkind: Config\n")
    claim = k8s.core.v1.PersistentVolumeClaim("claim", metadata=k8s.meta.v1.ObjectMetaArgs(name="weights"))
    mount = ModelMount(
        volumes=[
            k8s.core.v1.VolumeArgs(
                name="model-weights",
                persistent_volume_claim=k8s.core.v1.PersistentVolumeClaimVolumeSourceArgs(
                    claim_name="weights", read_only=True
                ),
            )
        ],
        volume_mounts=[k8s.core.v1.VolumeMountArgs(name="model-weights", mount_path="/models", read_only=True)],
        pod_annotations={},
        model_root="/models",
        store="test",
        ready=[claim],
    )
    adapter = k8s.core.v1.Namespace("adapter", metadata=k8s.meta.v1.ObjectMetaArgs(name="custom-metrics"))
    return provider, claim, mount, adapter


def tier_args(
    tier: str,
    config: TierConfig,
    provider: k8s.Provider,
    mount: ModelMount,
    claim: pulumi.Resource,
    adapter: pulumi.Resource,
    api_key: ApiKeyRef | None = None,
    tenant_keys: tuple[TenantKeyRef, ...] = (),
) -> InferenceTierArgs:
    return InferenceTierArgs(
        tier=tier,
        config=config,
        namespace="llm-serving",
        service_account="model-server",
        port=8000,
        image="us-central1-docker.pkg.dev/p/hub/vllm/vllm-tpu:nightly-20260626-c539adc-cc79815",
        mount=mount,
        cache_bucket="acme-models",
        provider=provider,
        drain=drain_timings(120),
        rollout=rollout(config),
        api_key=api_key,
        tenant_keys=tenant_keys,
        autoscaler_depends_on=[adapter],
        workload_depends_on=[claim],
    )


@pytest.fixture(scope="module")
def medium() -> StackGraph:
    from tools.graph import record

    return record(lambda: _build("medium", MEDIUM), stack="test", project="llm-platform")


@pytest.fixture(scope="module")
def large() -> StackGraph:
    from tools.graph import record

    return record(lambda: _build("large", LARGE), stack="test", project="llm-platform")


def _containers(pod: dict) -> dict:
    (container,) = pod["spec"]["containers"]
    return container


def test_single_host_tier_is_a_deployment_with_the_agreed_names(medium: StackGraph) -> None:
    deployment = medium.one(DEPLOYMENT)
    assert deployment.inputs["metadata"]["name"] == "vllm-medium"
    assert deployment.inputs["metadata"]["namespace"] == "llm-serving"
    pod = deployment.inputs["spec"]["template"]
    assert pod["metadata"]["labels"]["app.kubernetes.io/name"] == "vllm"
    assert pod["metadata"]["labels"]["llm-platform/tier"] == "medium"
    assert deployment.inputs["spec"]["selector"]["matchLabels"] == {
        "app.kubernetes.io/name": "vllm",
        "llm-platform/tier": "medium",
    }
    service = medium.one("kubernetes:core/v1:Service")
    assert service.inputs["metadata"]["name"] == "vllm-medium"
    assert service.inputs["spec"]["type"] == "ClusterIP"
    assert medium.by_type(LWS) == []


def test_server_arguments_and_pod_shape(medium: StackGraph) -> None:
    pod = medium.one(DEPLOYMENT).inputs["spec"]["template"]
    container = _containers(pod)
    assert container["command"] == ["vllm", "serve"]
    assert "--model=/models/meta-llama/Llama-3.3-70B-Instruct" in container["args"]
    assert "--served-model-name=meta-llama/Llama-3.3-70B-Instruct" in container["args"]
    assert "--tensor-parallel-size=8" in container["args"]
    assert "--kv-cache-dtype=fp8" in container["args"]
    assert "--gpu-memory-utilization=0.9" in container["args"]
    assert container["args"][-1] == "--async-scheduling"
    assert container["resources"]["requests"] == container["resources"]["limits"] == {"google.com/tpu": "4"}
    assert pod["spec"]["nodeSelector"] == {
        "cloud.google.com/gke-tpu-accelerator": "tpu7x",
        "cloud.google.com/gke-tpu-topology": "2x2x1",
        "llm-platform/tier": "medium",
    }
    assert {"key": "google.com/tpu", "operator": "Equal", "value": "present", "effect": "NoSchedule"} in pod["spec"][
        "tolerations"
    ]
    assert pod["spec"]["serviceAccountName"] == "model-server"
    assert container["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "privileged": False,
    }
    assert "runAsNonRoot" not in str(pod)  # the image runs as root: not claimed otherwise
    shm = next(v for v in pod["spec"]["volumes"] if v["name"] == "dshm")
    assert shm["emptyDir"] == {"medium": "Memory"}


def test_probes_allow_a_long_first_start(medium: StackGraph) -> None:
    container = _containers(medium.one(DEPLOYMENT).inputs["spec"]["template"])
    startup = container["startupProbe"]
    assert startup["httpGet"]["path"] == "/health"
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 1800
    assert container["readinessProbe"]["httpGet"]["path"] == "/health"
    liveness = container["livenessProbe"]
    assert liveness["periodSeconds"] * liveness["failureThreshold"] >= 120


def test_api_key_comes_from_the_secret_never_from_args(medium: StackGraph) -> None:
    container = _containers(medium.one(DEPLOYMENT).inputs["spec"]["template"])
    (key,) = [e for e in container["env"] if e["name"] == "VLLM_API_KEY"]
    assert key["valueFrom"]["secretKeyRef"] == {"name": "vllm-api-key", "key": "api-key"}
    assert not any("api-key" in arg for arg in container["args"])


def test_compile_cache_is_a_writable_bucket_folder_per_tier(medium: StackGraph) -> None:
    pod = medium.one(DEPLOYMENT).inputs["spec"]["template"]
    (cache,) = [v for v in pod["spec"]["volumes"] if v["name"] == "compile-cache"]
    assert cache["csi"]["driver"] == "gcsfuse.csi.storage.gke.io"
    assert cache["csi"]["readOnly"] is False
    assert cache["csi"]["volumeAttributes"] == {
        "bucketName": "acme-models",
        "mountOptions": "implicit-dirs,only-dir=compile-cache/medium",
    }
    assert pod["metadata"]["annotations"]["gke-gcsfuse/volumes"] == "true"
    env = {e["name"]: e.get("value") for e in _containers(pod)["env"]}
    assert env["VLLM_XLA_CACHE_PATH"] == "/var/cache/vllm/xla"
    weights = next(m for m in _containers(pod)["volumeMounts"] if m["name"] == "model-weights")
    assert weights["readOnly"] is True


def test_hpa_scales_on_the_vllm_queue_after_the_metrics_adapter(medium: StackGraph) -> None:
    hpa = medium.one(HPA)
    spec = hpa.inputs["spec"]
    assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "vllm-medium"}
    assert (spec["minReplicas"], spec["maxReplicas"]) == (1, 3)
    (metric,) = spec["metrics"]
    assert metric["pods"]["metric"]["name"] == "prometheus.googleapis.com|vllm:num_requests_waiting|gauge"
    assert metric["pods"]["target"] == {"type": "AverageValue", "averageValue": "5"}
    adapter = medium.one("kubernetes:core/v1:Namespace").urn
    assert adapter in hpa.dependencies
    deployment = medium.one(DEPLOYMENT)
    assert deployment.ignoreChanges == ["spec.replicas"]  # the HPA owns the count


def test_pod_monitoring_and_disruption_budget(medium: StackGraph) -> None:
    monitoring = medium.one("kubernetes:monitoring.googleapis.com/v1:PodMonitoring")
    assert monitoring.inputs["spec"]["endpoints"] == [{"interval": "15s", "path": "/metrics", "port": "http"}]
    budget = medium.one("kubernetes:policy/v1:PodDisruptionBudget")
    assert budget.inputs["spec"]["maxUnavailable"] == 1
    assert budget.inputs["spec"]["unhealthyPodEvictionPolicy"] == "AlwaysAllow"


def test_a_deployment_pod_drains_before_it_stops(medium: StackGraph) -> None:
    deployment = medium.one(DEPLOYMENT)
    pod = deployment.inputs["spec"]["template"]
    container = _containers(pod)
    # 120 s of draining: a 30 s preStop, vLLM drains 120 s, 30 s to exit.
    assert container["lifecycle"] == {"preStop": {"sleep": {"seconds": 30}}}
    assert "--shutdown-timeout=120" in container["args"]
    assert pod["spec"]["terminationGracePeriodSeconds"] == 180
    # On-demand: surge one replica, never fewer than the replicas serving.
    assert deployment.inputs["spec"]["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0},
    }
    # The deadline covers the old replica's drain, node provisioning and the startup budget.
    assert deployment.inputs["spec"]["progressDeadlineSeconds"] == 180 + 1800 + 1800


def test_a_pod_carries_the_checksum_of_the_secret_it_reads(medium: StackGraph, large: StackGraph) -> None:
    annotations = [medium.one(DEPLOYMENT).inputs["spec"]["template"]["metadata"]["annotations"]]
    template = large.one(LWS).inputs["spec"]["leaderWorkerTemplate"]
    annotations += [template[role]["metadata"]["annotations"] for role in ("leaderTemplate", "workerTemplate")]
    for found in annotations:
        assert found["llm-platform/checksum.vllm-api-key.api-key"] == "c0ffee"


def test_multi_host_tier_is_a_leader_worker_set(large: StackGraph) -> None:
    lws = large.one(LWS)
    assert large.by_type(DEPLOYMENT) == [] and large.by_type(HPA) == []
    assert lws.inputs["metadata"]["name"] == "vllm-large"
    assert lws.inputs["metadata"]["annotations"] == {
        "leaderworkerset.sigs.k8s.io/exclusive-topology": "cloud.google.com/gke-nodepool"
    }
    spec = lws.inputs["spec"]
    template = spec["leaderWorkerTemplate"]
    assert template["size"] == 2
    assert template["restartPolicy"] == "RecreateGroupOnPodRestart"
    assert spec["networkConfig"] == {"subdomainPolicy": "UniquePerReplica"}
    leader, worker = _containers(template["leaderTemplate"]), _containers(template["workerTemplate"])
    assert "--tensor-parallel-size=16" in leader["args"][0]
    assert leader["args"][0].startswith("bash /workspace/vllm/examples/ray_serving/multi-node-serving.sh leader")
    assert "worker --ray_address=$(LWS_LEADER_ADDRESS)" in worker["args"][0]
    for container in (leader, worker):
        env = {e["name"]: e.get("value") for e in container["env"]}
        assert env["TPU_MULTIHOST_BACKEND"] == "ray" and env["JAX_PLATFORMS"] == ""
        assert container["resources"]["limits"] == {"google.com/tpu": "4"}
    assert "readinessProbe" in leader and "startupProbe" in leader
    assert "readinessProbe" not in worker and "ports" not in worker  # readiness on the leader only
    # 405B: the startup probe allows two hours for the first cold compile
    assert leader["startupProbe"]["periodSeconds"] * leader["startupProbe"]["failureThreshold"] >= 7200
    service = large.one("kubernetes:core/v1:Service")
    assert service.inputs["metadata"]["name"] == "vllm-large"
    assert service.inputs["spec"]["selector"]["llm-platform/role"] == "leader"
    assert large.one("kubernetes:policy/v1:PodDisruptionBudget").inputs["spec"] == {
        "maxUnavailable": 1,
        "unhealthyPodEvictionPolicy": "AlwaysAllow",
        "selector": {"matchLabels": {"app.kubernetes.io/name": "vllm", "llm-platform/tier": "large"}},
    }


def test_a_multi_host_group_is_replaced_and_its_workers_outlive_the_leader(large: StackGraph) -> None:
    spec = large.one(LWS).inputs["spec"]
    assert spec["rolloutStrategy"] == {
        "type": "RollingUpdate",
        "rollingUpdateConfiguration": {"maxSurge": 0, "maxUnavailable": 1},
    }
    leader_pod, worker_pod = (spec["leaderWorkerTemplate"][role] for role in ("leaderTemplate", "workerTemplate"))
    leader, worker = _containers(leader_pod), _containers(worker_pod)
    assert leader["lifecycle"] == {"preStop": {"sleep": {"seconds": 30}}}
    assert "--shutdown-timeout=120" in leader["args"][0]
    assert leader_pod["spec"]["terminationGracePeriodSeconds"] == 180
    # A worker holds the Ray cluster through the leader's whole grace period, then stops.
    assert worker["lifecycle"] == {"preStop": {"sleep": {"seconds": 180}}}
    assert worker_pod["spec"]["terminationGracePeriodSeconds"] == 190


@pytest.mark.parametrize("tier", ["medium", "large"])
def test_every_object_validates(tier: str, request: pytest.FixtureRequest) -> None:
    graph: StackGraph = request.getfixturevalue(tier)
    for resource in custom_resources(graph.resources):
        assert problems(resource) == [], resource.urn
    for resource in built_in_objects(graph.resources):
        assert built_in_problems(resource) == [], resource.urn


def test_remote_registry_mirrors_docker_hub_in_the_region(run_component: RunComponent) -> None:
    def build() -> None:
        registry = RemoteRegistry(
            "registry",
            RemoteRegistryArgs(
                project="p",
                project_number="42",
                region="us-central1",
                naming=naming(),
                config=RegistryConfig.model_validate(
                    {
                        "upstreamCredentials": {
                            "username": "bot",
                            "passwordSecretVersion": "projects/p/secrets/hub/versions/3",
                        }
                    }
                ),
            ),
        )
        pulumi.export("image", registry.image("vllm/vllm-tpu:v0.11.0"))

    graph = run_component(build)
    repository = graph.one("gcp:artifactregistry/repository:Repository")
    assert (repository.inputs["format"], repository.inputs["mode"], repository.inputs["location"]) == (
        "DOCKER",
        "REMOTE_REPOSITORY",
        "us-central1",
    )
    remote = repository.inputs["remoteRepositoryConfig"]
    assert remote["dockerRepository"] == {"publicRepository": "DOCKER_HUB"}
    assert remote["upstreamCredentials"]["usernamePasswordCredentials"] == {
        "username": "bot",
        "passwordSecretVersion": "projects/p/secrets/hub/versions/3",
    }
    grant = graph.one("gcp:secretmanager/secretIamMember:SecretIamMember")
    assert grant.inputs["secretId"] == "projects/p/secrets/hub"
    assert grant.inputs["member"] == "serviceAccount:service-42@gcp-sa-artifactregistry.iam.gserviceaccount.com"
    assert grant.urn in repository.dependencies
    assert graph.one("gcp:projects/serviceIdentity:ServiceIdentity").urn in grant.dependencies
    assert graph.outputs["image"] == "us-central1-docker.pkg.dev/p/llm-test-dockerhub/vllm/vllm-tpu:v0.11.0"
