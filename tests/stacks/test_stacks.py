"""Whole-stack assertions on the graphs evaluated once per session."""

from __future__ import annotations

import pytest

from components.gateway.auth import API_KEY_SECRET, TENANT_KEYS_SECRET
from tests.conftest import STACKS
from tests.schemas import built_in_objects, built_in_problems, cel_report, custom_resources, problems
from tools.graph import Registration, StackGraph, evaluate

PRIMITIVE_ROLES = {"roles/owner", "roles/editor", "roles/viewer"}
PROJECT_IAM_TYPES = (
    "gcp:projects/iAMMember:IAMMember",
    "gcp:projects/iAMBinding:IAMBinding",
    "gcp:projects/iAMPolicy:IAMPolicy",
)


@pytest.fixture(params=STACKS)
def graph(request: pytest.FixtureRequest, graphs: dict[str, StackGraph]) -> StackGraph:
    return graphs[request.param]


def test_vpc_is_custom_mode_with_mtu_8896(graph: StackGraph) -> None:
    vpc = graph.one("gcp:compute/network:Network")
    assert vpc.inputs["autoCreateSubnetworks"] is False
    assert vpc.inputs["mtu"] == 8896


def _peering_range(graph: StackGraph) -> Registration:
    (address,) = [
        a for a in graph.by_type("gcp:compute/globalAddress:GlobalAddress") if a.inputs.get("purpose") == "VPC_PEERING"
    ]
    return address


def test_private_services_peering(graph: StackGraph) -> None:
    address = _peering_range(graph)
    connection = graph.one("gcp:servicenetworking/connection:Connection")
    assert address.inputs["purpose"] == "VPC_PEERING"
    assert address.inputs["prefixLength"] <= 24
    assert connection.inputs["reservedPeeringRanges"] == [address.inputs["name"]]


def test_bucket_is_private_versioned_and_protected_only_in_prod(
    graph: StackGraph, stack_configs: dict[str, dict[str, str]]
) -> None:
    bucket = graph.one("gcp:storage/bucket:Bucket")
    assert bucket.inputs["uniformBucketLevelAccess"] is True
    assert bucket.inputs["publicAccessPrevention"] == "enforced"
    assert bucket.inputs["versioning"] == {"enabled": True}
    prod = stack_configs[graph.stack]["llm-platform:environment"] == "prod"
    assert bucket.protect is prod
    assert bucket.inputs["forceDestroy"] is not prod


def _bucket_reader(graph: StackGraph) -> Registration:
    """The serving KSA's unconditional read grant (the compile-cache grant carries a condition)."""
    (binding,) = [
        b
        for b in graph.by_type("gcp:storage/bucketIAMMember:BucketIAMMember")
        if "condition" not in b.inputs and b.inputs["member"].startswith("principal://")
    ]
    return binding


def test_serving_ksa_reads_only_the_model_bucket(graph: StackGraph) -> None:
    bucket = graph.one("gcp:storage/bucket:Bucket")
    binding = _bucket_reader(graph)
    assert binding.inputs["role"] == "roles/storage.objectViewer"
    assert binding.inputs["bucket"] == bucket.inputs["name"]
    assert binding.inputs["member"] == graph.outputs["servingPrincipal"]
    assert binding.inputs["member"].endswith("/subject/ns/llm-serving/sa/model-server")
    assert bucket.urn in binding.dependencies
    # The pool in the principal exists only once the cluster does: the grant waits for it.
    assert graph.one("gcp:container/cluster:Cluster").urn in binding.dependencies


def test_no_project_wide_storage_role_and_no_primitive_roles(graph: StackGraph) -> None:
    for resource in graph.resources:
        role = resource.inputs.get("role", "")
        assert role not in PRIMITIVE_ROLES, resource.urn
        if resource.type in PROJECT_IAM_TYPES:
            assert not role.startswith("roles/storage."), resource.urn


def test_every_resource_is_inside_a_component(graph: StackGraph) -> None:
    components = {r.urn for r in graph.resources if not r.custom}
    for resource in graph.resources:
        if resource.custom:
            assert resource.parent in components, resource.urn


def test_apis_are_enabled_before_anything_uses_them(graph: StackGraph) -> None:
    services = {r.urn for r in graph.by_type("gcp:projects/service:Service")}
    # Every Google Cloud resource waits for every API; Kubernetes objects wait through the cluster.
    for resource in graph.resources:
        if resource.type.startswith("gcp:") and resource.type != "gcp:projects/service:Service":
            assert services <= set(resource.dependencies), resource.urn


# --- GKE and TPU7x (issue 3) ---------------------------------------------------------------

TPU_MACHINE_TYPES = {"tpu7x-standard-1t", "tpu7x-standard-4t"}


def _tpu_pools(graph: StackGraph) -> list:
    return [
        r
        for r in graph.by_type("gcp:container/nodePool:NodePool")
        if r.inputs["nodeConfig"]["machineType"] in TPU_MACHINE_TYPES
    ]


def test_prod_cluster_carries_every_hardening_setting(prod: StackGraph) -> None:
    cluster = prod.one("gcp:container/cluster:Cluster")
    inputs = cluster.inputs
    assert inputs["location"] == "us-central1"  # regional control plane in prod
    assert inputs["removeDefaultNodePool"] is True
    assert inputs["privateClusterConfig"]["enablePrivateNodes"] is True
    assert inputs["privateClusterConfig"]["enablePrivateEndpoint"] is True  # no public IP endpoint
    assert inputs["controlPlaneEndpointsConfig"]["dnsEndpointConfig"] == {"allowExternalTraffic": True}
    assert "masterAuthorizedNetworksConfig" not in inputs
    assert inputs["workloadIdentityConfig"]["workloadPool"] == "replace-me-llm-prod.svc.id.goog"
    assert inputs["datapathProvider"] == "ADVANCED_DATAPATH"
    assert inputs["enableIntranodeVisibility"] is True
    assert inputs["binaryAuthorization"] == {"evaluationMode": "PROJECT_SINGLETON_POLICY_ENFORCE"}
    assert inputs["gatewayApiConfig"]["channel"] == "CHANNEL_STANDARD"
    assert inputs["addonsConfig"]["lustreCsiDriverConfig"] == {"enabled": True}
    assert "parallelstoreCsiDriverConfig" not in inputs["addonsConfig"]
    assert inputs["addonsConfig"]["gcsFuseCsiDriverConfig"]["enabled"] is True
    assert inputs["monitoringConfig"]["managedPrometheus"]["enabled"] is True
    assert inputs["nodePoolDefaults"]["nodeConfigDefaults"]["gcfsConfig"]["enabled"] is True
    assert inputs["maintenancePolicy"]["recurringWindow"]
    assert inputs["releaseChannel"]["channel"] == "REGULAR"
    assert inputs["deletionProtection"] is True and cluster.protect is True
    (account,) = [
        a.inputs["accountId"]
        for a in prod.by_type("gcp:serviceaccount/account:Account")
        if a.inputs["accountId"].endswith("gke-nodes")
    ]
    assert inputs["nodeConfig"]["serviceAccount"].startswith(f"{account}@")
    assert "compute@developer.gserviceaccount.com" not in prod.to_json()


def test_dev_cluster_is_zonal_and_unprotected(dev: StackGraph) -> None:
    cluster = dev.one("gcp:container/cluster:Cluster")
    assert cluster.inputs["location"] == "us-central1-c"
    assert cluster.inputs["deletionProtection"] is False and cluster.protect is False


def test_prod_has_three_tpu7x_tiers_with_valid_shapes(prod: StackGraph) -> None:
    tiers = prod.outputs["tiers"]
    first = {tier: figures["nodePool"] for tier, figures in tiers.items()}  # a chain's first step
    pools = {
        t: p
        for p in _tpu_pools(prod)
        if p.inputs["name"] == first[t := p.inputs["nodeConfig"]["labels"]["llm-platform/tier"]]
    }
    assert set(pools) == {"small", "medium", "large"}
    assert pools["small"].inputs["nodeConfig"]["machineType"] == "tpu7x-standard-1t"
    assert pools["medium"].inputs["nodeConfig"]["machineType"] == "tpu7x-standard-4t"
    assert pools["large"].inputs["nodeConfig"]["machineType"] == "tpu7x-standard-4t"
    # 2x2x2 = 8 chips on two 4-chip VMs; on a capacity chain the slice scales from zero, atomically.
    assert pools["large"].inputs["autoscaling"] == {"minNodeCount": 0, "maxNodeCount": 2, "locationPolicy": "ANY"}
    for pool in _tpu_pools(prod):
        assert pool.inputs["nodeLocations"] == ["us-central1-c"]
    assert [tiers[t]["topology"] for t in ("small", "medium", "large")] == ["1x1x1", "2x2x1", "2x2x2"]
    assert [tiers[t]["tensorParallelSize"] for t in ("small", "medium", "large")] == [2, 8, 16]
    assert tiers["large"]["hbmNeedGiB"] <= tiers["large"]["hbmUsableGiB"]


def test_exactly_one_workload_policy_and_only_the_multi_host_pool_uses_it(prod: StackGraph) -> None:
    (policy,) = prod.by_type("gcp:compute/resourcePolicy:ResourcePolicy")
    assert policy.inputs["workloadPolicy"] == {"acceleratorTopology": "2x2x2", "type": "HIGH_THROUGHPUT"}
    users = [p for p in _tpu_pools(prod) if "placementPolicy" in p.inputs]
    # Every pool of the multi-host tier's capacity chain, and only those, share the one policy.
    assert sorted(p.inputs["name"] for p in users) == sorted(prod.outputs["tiers"]["large"]["nodePools"])
    for user in users:
        assert user.inputs["placementPolicy"]["policyName"] == policy.inputs["name"]
        assert user.inputs["placementPolicy"]["tpuTopology"] == "2x2x2"
        assert policy.urn in user.dependencies


def test_every_kubernetes_resource_names_the_explicit_provider(graph: StackGraph) -> None:
    (provider,) = graph.by_type("pulumi:providers:kubernetes")
    kubernetes = [r for r in graph.resources if r.type.startswith("kubernetes:")]
    assert kubernetes
    for resource in kubernetes:
        assert resource.provider == provider.urn, resource.urn


def test_serving_namespace_and_ksa_match_the_granted_principal(graph: StackGraph) -> None:
    (serving,) = [r for r in graph.resources if r.type == "llm-platform:k8s:ServingNamespace"]
    namespace = next(r for r in graph.children(serving.urn) if r.type == "kubernetes:core/v1:Namespace")
    namespace = namespace.inputs["metadata"]["name"]
    account = next(r for r in graph.children(serving.urn) if r.type == "kubernetes:core/v1:ServiceAccount")
    account = account.inputs["metadata"]
    assert account["namespace"] == namespace
    assert graph.outputs["servingPrincipal"].endswith(f"/subject/ns/{namespace}/sa/{account['name']}")


def test_dev_runs_one_cheap_single_host_tier(dev: StackGraph) -> None:
    (pool,) = _tpu_pools(dev)
    assert pool.inputs["nodeConfig"]["flexStart"] is True
    assert pool.inputs["autoscaling"]["minNodeCount"] == 0
    assert dev.by_type("gcp:compute/resourcePolicy:ResourcePolicy") == []


# --- Model weights path (issues 4 and 8) ------------------------------------------------

DATASOURCE = "kubernetes:datalayer.gke.io/v1:GCPDataSource"
LUSTRE = "gcp:lustre/instance:Instance"


def test_prod_fills_managed_lustre_from_the_bucket(prod: StackGraph) -> None:
    instance = prod.one(LUSTRE)
    assert instance.inputs["location"] == "us-central1-c"  # the TPU zone
    assert prod.one("gcp:compute/network:Network").urn in instance.dependencies  # on the stack's VPC
    assert (instance.inputs["capacityGib"], instance.inputs["perUnitStorageThroughput"]) == ("9000", "1000")
    assert instance.protect is True
    assert prod.one("gcp:servicenetworking/connection:Connection").urn in instance.dependencies
    lnet = next(f for f in prod.by_type("gcp:compute/firewall:Firewall") if f.inputs["allows"][0]["ports"] == ["988"])
    assert lnet.inputs["sourceRanges"] == ["10.56.0.0/20"]  # the private services range, nothing else
    volume = prod.one("kubernetes:core/v1:PersistentVolume").inputs["spec"]
    assert volume["csi"]["driver"] == "lustre.csi.storage.gke.io"
    assert volume["csi"]["volumeHandle"] == f"replace-me-llm-prod/us-central1-c/{instance.inputs['instanceId']}"
    (claim,) = prod.by_type("kubernetes:core/v1:PersistentVolumeClaim")
    assert claim.inputs["spec"]["accessModes"] == ["ReadOnlyMany"]
    imports = [
        job
        for job in prod.by_type("kubernetes:batch/v1:Job")
        if job.inputs["metadata"]["labels"]["app.kubernetes.io/name"] == "lustre-import"
    ]
    assert len(imports) == 3  # one per model folder the tiers serve
    assert all(instance.urn in job.dependencies for job in imports)
    assert "lustre.googleapis.com" in {s.inputs["service"] for s in prod.by_type("gcp:projects/service:Service")}
    assert prod.by_type("kubernetes:storage.k8s.io/v1:StorageClass") == []  # no Parallelstore class
    assert prod.outputs["tiers"]["medium"]["estimatedWeightsReadSeconds"] == pytest.approx(
        131.5 / (9000 / 1024 * 1e9 / 2**30), abs=0.1
    )


def test_staging_fills_hyperdisk_ml_with_the_volume_populator(graphs: dict[str, StackGraph]) -> None:
    staging = graphs["staging"]
    storage_class = staging.one("kubernetes:storage.k8s.io/v1:StorageClass")
    assert storage_class.inputs["parameters"]["type"] == "hyperdisk-ml"
    source = staging.one(DATASOURCE)
    bucket = staging.one("gcp:storage/bucket:Bucket").inputs["name"]
    assert source.inputs["spec"]["cloudStorage"]["uri"] == f"gs://{bucket}/models/"
    # The populator's class, beside the medium tier's capacity chain (flex-start -> spot).
    assert {c.inputs["metadata"]["name"] for c in staging.by_type("kubernetes:cloud.google.com/v1:ComputeClass")} == {
        "gcs-to-hdml-compute-class",
        staging.outputs["tiers"]["medium"]["computeClass"],
    }
    assert staging.outputs["modelStore"]["type"] == "hyperdisk-ml"


def test_legacy_fills_parallelstore_with_the_volume_populator(graphs: dict[str, StackGraph]) -> None:
    legacy = graphs["legacy"]
    storage_class = legacy.one("kubernetes:storage.k8s.io/v1:StorageClass")
    assert storage_class.inputs["provisioner"] == "parallelstore.csi.storage.gke.io"
    assert storage_class.inputs["parameters"]["network"] == legacy.one("gcp:compute/network:Network").inputs["name"]
    assert storage_class.inputs["parameters"]["reserved-ip-range"] == _peering_range(legacy).inputs["name"]
    assert legacy.one("gcp:servicenetworking/connection:Connection").urn in storage_class.dependencies
    source = legacy.one(DATASOURCE)
    assert source.inputs["spec"]["cloudStorage"]["serviceAccountName"] == "model-server"
    reader = _bucket_reader(legacy).urn
    assert reader in source.dependencies  # the transfer reads as the KSA: the grant comes first
    (claim,) = legacy.by_type("kubernetes:core/v1:PersistentVolumeClaim")
    assert claim.inputs["spec"]["resources"]["requests"]["storage"] == "12000Gi"
    assert source.urn in claim.dependencies
    assert legacy.one("gcp:container/cluster:Cluster").inputs["addonsConfig"]["parallelstoreCsiDriverConfig"] == {
        "enabled": True
    }
    assert legacy.by_type(LUSTRE) == []


def test_dev_reads_weights_through_cloud_storage_fuse(dev: StackGraph) -> None:
    volume = dev.one("kubernetes:core/v1:PersistentVolume")
    assert volume.inputs["spec"]["csi"]["driver"] == "gcsfuse.csi.storage.gke.io"
    assert volume.inputs["spec"]["csi"]["volumeHandle"] == dev.one("gcp:storage/bucket:Bucket").inputs["name"]
    assert dev.by_type(DATASOURCE) == [] and dev.by_type(LUSTRE) == []
    assert dev.by_type("kubernetes:storage.k8s.io/v1:StorageClass") == []
    apis = {s.inputs["service"] for s in dev.by_type("gcp:projects/service:Service")}
    assert {"parallelstore.googleapis.com", "lustre.googleapis.com"}.isdisjoint(apis)
    assert dev.outputs["modelStore"]["type"] == "gcsfuse"
    assert dev.outputs["tiers"]["small"]["estimatedWeightsReadSeconds"] is None


def test_every_store_type_is_in_a_committed_stack(graphs: dict[str, StackGraph]) -> None:
    assert {graph.outputs["modelStore"]["type"] for graph in graphs.values()} == {
        "lustre",
        "gcsfuse",
        "hyperdisk-ml",
        "parallelstore",
    }


def test_the_seeds_wrong_data_source_shape_appears_nowhere(graph: StackGraph) -> None:
    text = graph.to_json()
    assert "parallelstore.csi.storage.gke.io/v1" not in text
    for source in graph.by_type(DATASOURCE):
        assert set(source.inputs["spec"]) == {"cloudStorage"}
        for wrong in ("bucket", "path", "serviceAccount"):
            assert wrong not in source.inputs["spec"]


SERVING_KINDS = {"Gateway", "HTTPRoute", "HealthCheckPolicy", "GCPBackendPolicy", "PodMonitoring"}


def test_custom_resources_match_their_schemas(graph: StackGraph) -> None:
    found = custom_resources(graph.resources)
    multi_host = any(r.inputs["kind"] == "LeaderWorkerSet" for r in found)
    populated = {"GCPDataSource"} if graph.outputs["modelStore"]["type"] in ("hyperdisk-ml", "parallelstore") else set()
    chains = any(tier["computeClass"] for tier in graph.outputs["tiers"].values())
    classes = {"ComputeClass"} if graph.outputs["modelStore"]["type"] == "hyperdisk-ml" or chains else set()
    edge = graph.outputs["endpoint"]
    pools = {"InferencePool"} if edge["edge"] == "regional-inference" else set()
    routing = {"GCPRoutingExtension"} if edge["routing"] == "model" else set()
    expected = SERVING_KINDS | populated | classes | pools | routing | ({"LeaderWorkerSet"} if multi_host else set())
    assert {r.inputs["kind"] for r in found} == expected
    assert multi_host is (graph.stack in ("prod", "legacy"))
    for resource in found:
        assert problems(resource) == [], resource.urn


def test_custom_resources_pass_their_crds_cel_rules(graph: StackGraph) -> None:
    for resource in custom_resources(graph.resources):
        report = cel_report(resource)
        assert report.violations == (), resource.urn
        assert report.unevaluated == (), resource.urn
        # Transition rules (oldSelf) judge updates only; ComputeClass carries the one the stacks meet.
        assert set(report.transition) <= {"spec: !has(oldSelf.autopilot) || has(self.autopilot)"}, resource.urn


def test_built_in_kubernetes_objects_match_the_upstream_schema(graph: StackGraph) -> None:
    objects = built_in_objects(graph.resources)
    assert {"Namespace", "ServiceAccount", "PersistentVolumeClaim"} <= {r.inputs["kind"] for r in objects}
    for resource in objects:
        assert built_in_problems(resource) == [], resource.urn


# --- Serving tiers behind one gateway (issue 11) ---------------------------------------------

LWS = "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
CHART = "kubernetes:helm.sh/v4:Chart"


def _named(graph: StackGraph, type_: str) -> dict[str, Registration]:
    return {r.inputs["metadata"]["name"]: r for r in graph.by_type(type_)}


def _server_args(resource: Registration) -> list[str]:
    if resource.type == LWS:
        (leader,) = resource.inputs["spec"]["leaderWorkerTemplate"]["leaderTemplate"]["spec"]["containers"]
        return str(leader["args"][0]).split(" && exec vllm serve ", 1)[1].split()
    (container,) = resource.inputs["spec"]["template"]["spec"]["containers"]
    return list(container["args"])


def test_prod_snapshot_holds_every_serving_and_edge_object(prod: StackGraph) -> None:
    deployments = _named(prod, DEPLOYMENT)
    assert {"vllm-small", "vllm-medium"} <= set(deployments)
    assert set(_named(prod, LWS)) == {"vllm-large"}
    tiers = {"vllm-small", "vllm-medium", "vllm-large"}
    pickers = {f"{t}-epp" for t in tiers}
    assert pickers | {"body-based-router"} <= set(deployments)
    assert tiers | pickers <= set(_named(prod, "kubernetes:core/v1:Service"))
    assert set(_named(prod, "kubernetes:monitoring.googleapis.com/v1:PodMonitoring")) == tiers | pickers
    assert set(_named(prod, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler")) == {"vllm-small", "vllm-medium"}
    assert set(_named(prod, "kubernetes:inference.networking.k8s.io/v1:InferencePool")) == tiers
    assert set(_named(prod, "kubernetes:networking.gke.io/v1:HealthCheckPolicy")) == tiers | {"bbr-healthcheck"}
    assert set(_named(prod, "kubernetes:networking.gke.io/v1:GCPBackendPolicy")) == tiers
    assert set(_named(prod, "kubernetes:networking.gke.io/v1:GCPRoutingExtension")) == {"body-based-router"}
    assert prod.one(CHART).inputs["version"] == "0.10.0"
    assert len(prod.by_type("kubernetes:apiregistration.k8s.io/v1:APIService")) == 3
    gateway = prod.one("kubernetes:gateway.networking.k8s.io/v1:Gateway")
    assert gateway.inputs["spec"]["gatewayClassName"] == "gke-l7-regional-external-managed"
    routes = _named(prod, "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute")
    assert set(routes) == {"llm-api", "llm-api-https-redirect"}
    assert len(routes["llm-api"].inputs["spec"]["rules"]) == 3
    prod.one("gcp:compute/regionSecurityPolicy:RegionSecurityPolicy")
    prod.one("gcp:certificatemanager/certificate:Certificate")
    prod.one("gcp:certificatemanager/dnsAuthorization:DnsAuthorization")
    (proxy_only,) = [
        s
        for s in prod.by_type("gcp:compute/subnetwork:Subnetwork")
        if s.inputs.get("purpose") == "REGIONAL_MANAGED_PROXY"
    ]
    assert proxy_only.inputs["role"] == "ACTIVE"
    assert prod.by_type("gcp:compute/globalAddress:GlobalAddress")[0].inputs["purpose"] == "VPC_PEERING"
    repository = prod.one("gcp:artifactregistry/repository:Repository")
    assert repository.inputs["mode"] == "REMOTE_REPOSITORY"
    assert _api_key_secret(prod).inputs["stringData"] == "[secret]"
    assert prod.outputs["endpoint"]["url"] == "https://llm.example.com"
    assert [prod.outputs["tiers"][t]["models"] for t in ("small", "medium", "large")] == [
        ["meta-llama/Llama-3.1-8B-Instruct"],
        ["meta-llama/Llama-3.3-70B-Instruct"],
        ["meta-llama/Llama-3.1-405B-Instruct"],
    ]


def test_the_global_edge_keeps_its_objects(graphs: dict[str, StackGraph]) -> None:
    legacy = graphs["legacy"]
    tiers = {"vllm-small", "vllm-medium", "vllm-large"}
    gateway = legacy.one("kubernetes:gateway.networking.k8s.io/v1:Gateway")
    assert gateway.inputs["spec"]["gatewayClassName"] == "gke-l7-global-external-managed"
    assert "networking.gke.io/certmap" in gateway.inputs["metadata"]["annotations"]
    assert set(_named(legacy, "kubernetes:networking.gke.io/v1:HealthCheckPolicy")) == tiers
    assert set(_named(legacy, "kubernetes:networking.gke.io/v1:GCPBackendPolicy")) == tiers
    assert legacy.by_type("kubernetes:inference.networking.k8s.io/v1:InferencePool") == []
    assert legacy.by_type("kubernetes:networking.gke.io/v1:GCPRoutingExtension") == []
    routes = _named(legacy, "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute")
    assert len(routes["llm-api"].inputs["spec"]["rules"]) == 3
    legacy.one("gcp:compute/securityPolicy:SecurityPolicy")
    legacy.one("gcp:certificatemanager/certificateMap:CertificateMap")
    assert [
        s
        for s in legacy.by_type("gcp:compute/subnetwork:Subnetwork")
        if s.inputs.get("purpose") == "REGIONAL_MANAGED_PROXY"
    ] == []
    assert [legacy.outputs["tiers"][t]["path"] for t in ("small", "medium", "large")] == [
        "/simple/v1",
        "/v1",
        "/complex/v1",
    ]


def test_tp_times_dp_is_twice_the_chips_for_every_tier(graph: StackGraph) -> None:
    workloads = [*graph.by_type(DEPLOYMENT), *graph.by_type(LWS)]
    served = [w for w in workloads if "llm-platform/tier" in w.inputs["metadata"]["labels"]]
    assert served
    for workload in served:
        tier = workload.inputs["metadata"]["labels"]["llm-platform/tier"]
        flags = dict(arg.split("=", 1) for arg in _server_args(workload) if "=" in arg)
        tp, dp = int(flags["--tensor-parallel-size"]), int(flags.get("--data-parallel-size", 1))
        assert tp * dp == 2 * graph.outputs["tiers"][tier]["chips"], workload.urn


def test_api_key_is_never_plain_in_the_graph_or_outputs(graph: StackGraph) -> None:
    from tools.mocks import MOCK_SECRET_MARKER

    assert MOCK_SECRET_MARKER not in graph.to_json()
    if "tenantApiKeys" in graph.outputs:  # staging: one key per tenant, no shared key
        assert graph.outputs["tenantApiKeys"] == "[secret]" and "apiKey" not in graph.outputs
        assert _api_key_secret(graph).inputs["data"] == "[secret]"
    else:
        assert graph.outputs["apiKey"] == "[secret]"
        assert _api_key_secret(graph).inputs["stringData"] == "[secret]"


def test_images_are_pinned_and_pulled_through_the_remote_repository(graph: StackGraph) -> None:
    prefix = f"us-central1-docker.pkg.dev/replace-me-llm-{graph.stack}/llm-{graph.stack}-dockerhub/vllm/vllm-tpu:"
    for workload in [*graph.by_type(DEPLOYMENT), *graph.by_type(LWS)]:
        text = str(workload.inputs)
        if "vllm-tpu" in text:
            assert f"'image': '{prefix}nightly-20260626-c539adc-cc79815'" in text, workload.urn


def test_kubernetes_workloads_wait_for_their_node_pool_store_and_grants(graph: StackGraph) -> None:
    pools = {p.inputs["nodeConfig"]["labels"]["llm-platform/tier"]: p.urn for p in _tpu_pools(graph)}
    cache_grant = next(
        b for b in graph.by_type("gcp:storage/bucketIAMMember:BucketIAMMember") if "condition" in b.inputs
    )
    repository = graph.one("gcp:artifactregistry/repository:Repository").urn
    secret = _api_key_secret(graph).urn
    for workload in [*graph.by_type(DEPLOYMENT), *graph.by_type(LWS)]:
        tier = workload.inputs["metadata"]["labels"].get("llm-platform/tier")
        if tier:
            assert {pools[tier], cache_grant.urn, repository, secret} <= set(workload.dependencies), workload.urn
    adapter_apis = {r.urn for r in graph.by_type("kubernetes:apiregistration.k8s.io/v1:APIService")}
    for hpa in graph.by_type("kubernetes:autoscaling/v2:HorizontalPodAutoscaler"):
        assert adapter_apis <= set(hpa.dependencies)


def test_the_lws_webhook_is_reachable_from_the_control_plane_only_where_needed(graph: StackGraph) -> None:
    rules = {r.inputs["name"]: r for r in graph.by_type("gcp:compute/firewall:Firewall")}
    webhook = rules.get(f"llm-{graph.stack}-allow-control-plane-webhooks")
    if graph.stack in ("dev", "staging"):  # no multi-host tier: no controller, no rule
        assert webhook is None and graph.by_type(CHART) == []
        return
    assert webhook is not None
    cluster = graph.one("gcp:container/cluster:Cluster").inputs
    assert webhook.inputs["sourceRanges"] == [cluster["privateClusterConfig"]["masterIpv4CidrBlock"]]
    assert webhook.inputs["allows"] == [{"ports": ["9443"], "protocol": "tcp"}]
    lws = graph.one(LWS)
    assert {webhook.urn, graph.one(CHART).urn} <= set(lws.dependencies)


def test_compile_cache_grant_is_limited_to_its_folder(graph: StackGraph) -> None:
    bucket = graph.one("gcp:storage/bucket:Bucket").inputs["name"]
    (grant,) = [
        b
        for b in graph.by_type("gcp:storage/bucketIAMMember:BucketIAMMember")
        if b.inputs.get("condition", {}).get("title") == "compile-cache-only"
    ]
    assert grant.inputs["role"] == "roles/storage.objectUser"
    assert grant.inputs["member"] == graph.outputs["servingPrincipal"]
    assert grant.inputs["condition"]["expression"] == (
        f'resource.name.startsWith("projects/_/buckets/{bucket}/objects/compile-cache/")'
    )


def test_monitoring_viewer_only_for_the_metrics_adapter(graph: StackGraph) -> None:
    # Nodes get GKE's roles/container.defaultNodeServiceAccount instead.
    viewers = [r.inputs["member"] for r in graph.resources if r.inputs.get("role") == "roles/monitoring.viewer"]
    assert len(viewers) == 1
    assert viewers[0].endswith("/subject/ns/custom-metrics/sa/custom-metrics-stackdriver-adapter")


def test_gateway_waits_for_ip_certificate_map_and_cloud_armor(graphs: dict[str, StackGraph]) -> None:
    legacy = graphs["legacy"]
    gateway = legacy.one("kubernetes:gateway.networking.k8s.io/v1:Gateway")
    needed = {
        next(
            a
            for a in legacy.by_type("gcp:compute/globalAddress:GlobalAddress")
            if a.inputs.get("addressType") == "EXTERNAL"
        ).urn,
        legacy.one("gcp:certificatemanager/certificateMapEntry:CertificateMapEntry").urn,
        legacy.one("gcp:compute/securityPolicy:SecurityPolicy").urn,
    }
    assert needed <= set(gateway.dependencies)


def test_regional_gateway_waits_for_ip_certificate_cloud_armor_and_proxy_only_subnet(prod: StackGraph) -> None:
    gateway = prod.one("kubernetes:gateway.networking.k8s.io/v1:Gateway")
    (proxy_only,) = [
        s
        for s in prod.by_type("gcp:compute/subnetwork:Subnetwork")
        if s.inputs.get("purpose") == "REGIONAL_MANAGED_PROXY"
    ]
    needed = {
        prod.one("gcp:compute/address:Address").urn,
        prod.one("gcp:certificatemanager/certificate:Certificate").urn,
        prod.one("gcp:compute/regionSecurityPolicy:RegionSecurityPolicy").urn,
        proxy_only.urn,
    }
    assert needed <= set(gateway.dependencies)


def test_cold_start_is_estimated_and_labelled_per_tier(graph: StackGraph) -> None:
    for figures in graph.outputs["tiers"].values():
        cold = figures["estimatedColdStart"]
        assert cold["note"] == "ESTIMATE, not a measurement" and cold["assumptions"]
        assert cold["compileWithCacheSeconds"] < cold["compileWithoutCacheSeconds"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"llm-platform:gateway": {"domain": "llm.example.com", "auth": {"mode": "none"}}}, "gateway.auth.mode"),
        ({"llm-platform:serving": {"image": "vllm/vllm-tpu:latest"}}, "llm-platform:serving.image"),
        (
            {"llm-platform:gateway": {"domain": "llm.example.com", "routes": [{"pathPrefix": "/x", "tier": "huge"}]}},
            "llm-platform:gateway.routes[0].tier: 'huge' is not a configured tier",
        ),
    ],
)
def test_bad_prod_serving_config_stops_before_any_resource(
    change: dict[str, object], expected: str, stack_configs: dict[str, dict[str, str]]
) -> None:
    import json

    from tools.graph import ProgramError

    values = {**stack_configs["prod"], **{key: json.dumps(value) for key, value in change.items()}}
    with pytest.raises(ProgramError) as raised:
        evaluate("prod", config=values)
    assert expected in str(raised.value)
    assert raised.value.registered == 0


def _images(value: object) -> list[str]:
    if isinstance(value, dict):
        found = [value["image"]] if isinstance(value.get("image"), str) else []
        return found + [image for key, child in value.items() if key != "image" for image in _images(child)]
    if isinstance(value, list):
        return [image for child in value for image in _images(child)]
    return []


def _admits(pattern: str, image: str) -> bool:
    """Binary Authorization's allow-list match: a trailing `*` stays within one path segment, `**` does not."""
    if pattern.endswith("**"):
        return image.startswith(pattern[:-2])
    if pattern.endswith("*"):
        return image.startswith(pattern[:-1]) and "/" not in image[len(pattern) - 1 :]
    return image == pattern


def test_every_image_the_stack_runs_is_admitted_by_binary_authorization(graph: StackGraph) -> None:
    policy = graph.one("gcp:binaryauthorization/policy:Policy").inputs
    assert policy["defaultAdmissionRule"]["evaluationMode"] == "ALWAYS_DENY"
    patterns = [p["namePattern"] for p in policy["admissionWhitelistPatterns"]]
    images = [image for r in graph.resources if r.type.startswith("kubernetes:") for image in _images(r.inputs)]
    chart = [r.inputs["values"]["image"]["manager"] for r in graph.by_type(CHART)]
    images += [f"{values['repository']}:{values['tag']}" for values in chart]
    assert images
    for image in images:
        assert any(_admits(pattern, image) for pattern in patterns), image


def _api_key_secret(graph: StackGraph) -> Registration:
    (secret,) = [
        s
        for s in graph.by_type("kubernetes:core/v1:Secret")
        if s.inputs["metadata"]["name"] in (API_KEY_SECRET, TENANT_KEYS_SECRET)
    ]
    return secret
