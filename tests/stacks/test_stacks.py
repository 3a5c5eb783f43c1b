"""Whole-stack assertions on the graphs evaluated once per session."""

from __future__ import annotations

import pytest

from tests.conftest import STACKS
from tests.schemas import built_in_objects, built_in_problems, custom_resources, problems
from tools.graph import StackGraph, evaluate

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


def test_private_services_peering(graph: StackGraph) -> None:
    address = graph.one("gcp:compute/globalAddress:GlobalAddress")
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


def test_serving_ksa_reads_only_the_model_bucket(graph: StackGraph) -> None:
    bucket = graph.one("gcp:storage/bucket:Bucket")
    (binding,) = [
        b
        for b in graph.by_type("gcp:storage/bucketIAMMember:BucketIAMMember")
        if b.inputs["member"].startswith("principal://")
    ]
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


def test_evaluation_is_deterministic(graph: StackGraph) -> None:
    assert evaluate(graph.stack).to_json() == graph.to_json()


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
    pools = {p.inputs["nodeConfig"]["labels"]["llm-platform/tier"]: p for p in _tpu_pools(prod)}
    assert set(pools) == {"small", "medium", "large"}
    assert pools["small"].inputs["nodeConfig"]["machineType"] == "tpu7x-standard-1t"
    assert pools["medium"].inputs["nodeConfig"]["machineType"] == "tpu7x-standard-4t"
    assert pools["large"].inputs["nodeConfig"]["machineType"] == "tpu7x-standard-4t"
    assert pools["large"].inputs["nodeCount"] == 2  # 2x2x2 = 8 chips on two 4-chip VMs
    for pool in pools.values():
        assert pool.inputs["nodeLocations"] == ["us-central1-c"]
    tiers = prod.outputs["tiers"]
    assert [tiers[t]["topology"] for t in ("small", "medium", "large")] == ["1x1x1", "2x2x1", "2x2x2"]
    assert [tiers[t]["tensorParallelSize"] for t in ("small", "medium", "large")] == [2, 8, 16]
    assert tiers["large"]["hbmNeedGiB"] <= tiers["large"]["hbmUsableGiB"]


def test_exactly_one_workload_policy_and_only_the_multi_host_pool_uses_it(prod: StackGraph) -> None:
    (policy,) = prod.by_type("gcp:compute/resourcePolicy:ResourcePolicy")
    assert policy.inputs["workloadPolicy"] == {"acceleratorTopology": "2x2x2", "type": "HIGH_THROUGHPUT"}
    users = [p for p in _tpu_pools(prod) if "placementPolicy" in p.inputs]
    assert len(users) == 1
    assert users[0].inputs["placementPolicy"]["policyName"] == policy.inputs["name"]
    assert users[0].inputs["placementPolicy"]["tpuTopology"] == "2x2x2"
    assert policy.urn in users[0].dependencies


def test_every_kubernetes_resource_names_the_explicit_provider(graph: StackGraph) -> None:
    (provider,) = graph.by_type("pulumi:providers:kubernetes")
    kubernetes = [r for r in graph.resources if r.type.startswith("kubernetes:")]
    assert kubernetes
    for resource in kubernetes:
        assert resource.provider == provider.urn, resource.urn


def test_serving_namespace_and_ksa_match_the_granted_principal(graph: StackGraph) -> None:
    namespace = graph.one("kubernetes:core/v1:Namespace").inputs["metadata"]["name"]
    account = next(
        r.inputs["metadata"]
        for r in graph.by_type("kubernetes:core/v1:ServiceAccount")
        if r.parent == graph.one("llm-platform:k8s:ServingNamespace").urn
    )
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
    job = prod.one("kubernetes:batch/v1:Job")
    assert instance.urn in job.dependencies
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
    assert staging.one("kubernetes:cloud.google.com/v1:ComputeClass").inputs["metadata"]["name"] == (
        "gcs-to-hdml-compute-class"
    )
    assert staging.outputs["modelStore"]["type"] == "hyperdisk-ml"


def test_legacy_fills_parallelstore_with_the_volume_populator(graphs: dict[str, StackGraph]) -> None:
    legacy = graphs["legacy"]
    storage_class = legacy.one("kubernetes:storage.k8s.io/v1:StorageClass")
    assert storage_class.inputs["provisioner"] == "parallelstore.csi.storage.gke.io"
    assert storage_class.inputs["parameters"]["network"] == legacy.one("gcp:compute/network:Network").inputs["name"]
    assert (
        storage_class.inputs["parameters"]["reserved-ip-range"]
        == legacy.one("gcp:compute/globalAddress:GlobalAddress").inputs["name"]
    )
    assert legacy.one("gcp:servicenetworking/connection:Connection").urn in storage_class.dependencies
    source = legacy.one(DATASOURCE)
    assert source.inputs["spec"]["cloudStorage"]["serviceAccountName"] == "model-server"
    reader = next(
        b.urn
        for b in legacy.by_type("gcp:storage/bucketIAMMember:BucketIAMMember")
        if b.inputs["member"].startswith("principal://")
    )
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


def test_custom_resources_match_their_schemas(graphs: dict[str, StackGraph]) -> None:
    found = [resource for graph in graphs.values() for resource in custom_resources(graph.resources)]
    assert {r.inputs["kind"] for r in found} >= {"GCPDataSource", "ComputeClass"}
    for resource in found:
        assert problems(resource) == [], resource.urn


def test_built_in_kubernetes_objects_match_the_upstream_schema(graph: StackGraph) -> None:
    objects = built_in_objects(graph.resources)
    assert {"Namespace", "ServiceAccount", "PersistentVolumeClaim"} <= {r.inputs["kind"] for r in objects}
    for resource in objects:
        assert built_in_problems(resource) == [], resource.urn
