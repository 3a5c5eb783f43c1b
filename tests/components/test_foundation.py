"""Foundation components under mocks: types, key fields, parents, dependencies, options."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from components.model_bucket import ModelBucket, ModelBucketArgs
from components.network import HEALTH_CHECK_RANGES, Network, NetworkArgs
from components.project_services import ProjectServices, ProjectServicesArgs
from components.workload_identity import BUCKET_READ_ROLE, WorkloadIdentity, WorkloadIdentityArgs
from tests.conftest import RunComponent
from tests.helpers import config, naming
from tools.graph import StackGraph


def _component(graph: StackGraph, type_: str) -> str:
    return graph.one(type_).urn


def test_project_services_never_disable_on_destroy(run_component: RunComponent) -> None:
    graph = run_component(
        lambda: ProjectServices(
            "svc", ProjectServicesArgs(project="p-123456", services=["a.googleapis.com", "b.googleapis.com"])
        )
    )
    services = graph.by_type("gcp:projects/service:Service")
    assert sorted(s.inputs["service"] for s in services) == ["a.googleapis.com", "b.googleapis.com"]
    parent = _component(graph, "llm-platform:project:Services")
    for service in services:
        assert service.parent == parent
        assert service.inputs["disableOnDestroy"] is False
        assert service.inputs["disableDependentServices"] is False


def _network(run_component: RunComponent, overrides: dict[str, object] | None = None) -> StackGraph:
    cfg = config(overrides)

    def build() -> None:
        dependency = gcp.projects.Service("api", service="compute.googleapis.com")
        Network(
            "net",
            NetworkArgs(project=cfg.project, region=cfg.region, naming=naming(), config=cfg.network, serving_port=8000),
            pulumi.ResourceOptions(depends_on=[dependency]),
        )

    return run_component(build)


def test_network_is_custom_mode_with_parallelstore_mtu(run_component: RunComponent) -> None:
    graph = _network(run_component)
    vpc = graph.one("gcp:compute/network:Network")
    assert vpc.inputs["autoCreateSubnetworks"] is False
    assert vpc.inputs["mtu"] == 8896
    subnet = graph.one("gcp:compute/subnetwork:Subnetwork")
    assert subnet.inputs["privateIpGoogleAccess"] is True
    assert [r["rangeName"] for r in subnet.inputs["secondaryIpRanges"]] == ["pods", "services"]
    assert vpc.urn in subnet.dependencies


def test_every_network_child_is_parented_and_waits_for_the_apis(run_component: RunComponent) -> None:
    graph = _network(run_component)
    component = _component(graph, "llm-platform:network:Network")
    api = graph.one("gcp:projects/service:Service").urn
    children = graph.children(component)
    assert len(children) == 7
    assert all(api in child.dependencies for child in children)


def test_private_nodes_get_nat_egress(run_component: RunComponent) -> None:
    graph = _network(run_component)
    nat = graph.one("gcp:compute/routerNat:RouterNat")
    router = graph.one("gcp:compute/router:Router")
    assert nat.inputs["sourceSubnetworkIpRangesToNat"] == "ALL_SUBNETWORKS_ALL_IP_RANGES"
    assert router.urn in nat.dependencies


def test_health_check_firewall_opens_only_the_serving_port(run_component: RunComponent) -> None:
    graph = _network(run_component)
    firewall = graph.one("gcp:compute/firewall:Firewall")
    assert firewall.inputs["direction"] == "INGRESS"
    assert firewall.inputs["sourceRanges"] == list(HEALTH_CHECK_RANGES)
    assert firewall.inputs["allows"] == [{"ports": ["8000"], "protocol": "tcp"}]
    assert firewall.inputs["targetTags"] == [naming().node_tag]


def test_private_services_access(run_component: RunComponent) -> None:
    graph = _network(run_component, {"llm-platform:network": {"privateServicesCidrPrefix": 22}})
    address = graph.one("gcp:compute/globalAddress:GlobalAddress")
    assert address.inputs["purpose"] == "VPC_PEERING"
    assert address.inputs["addressType"] == "INTERNAL"
    assert address.inputs["prefixLength"] == 22
    connection = graph.one("gcp:servicenetworking/connection:Connection")
    assert connection.inputs["service"] == "servicenetworking.googleapis.com"
    assert connection.inputs["reservedPeeringRanges"] == [address.inputs["name"]]
    assert address.urn in connection.dependencies


def _bucket(run_component: RunComponent, protect: bool) -> StackGraph:
    cfg = config()
    return run_component(
        lambda: ModelBucket(
            "models",
            ModelBucketArgs(
                project=cfg.project, region=cfg.region, naming=naming(), config=cfg.model_bucket, protect=protect
            ),
        )
    )


def test_bucket_is_private_and_versioned(run_component: RunComponent) -> None:
    bucket = _bucket(run_component, protect=False).one("gcp:storage/bucket:Bucket")
    assert bucket.inputs["uniformBucketLevelAccess"] is True
    assert bucket.inputs["publicAccessPrevention"] == "enforced"
    assert bucket.inputs["versioning"] == {"enabled": True}
    assert bucket.inputs["location"] == "US-CENTRAL1"
    conditions = [rule["condition"] for rule in bucket.inputs["lifecycleRules"]]
    assert {"daysSinceNoncurrentTime": 30, "withState": "ARCHIVED"} in conditions
    assert {"numNewerVersions": 3, "withState": "ARCHIVED"} in conditions
    assert bucket.inputs["labels"]["managed-by"] == "pulumi"


def test_protected_bucket_is_never_force_destroyed(run_component: RunComponent) -> None:
    unprotected = _bucket(run_component, protect=False).one("gcp:storage/bucket:Bucket")
    protected = _bucket(run_component, protect=True).one("gcp:storage/bucket:Bucket")
    assert (unprotected.protect, unprotected.inputs["forceDestroy"]) == (False, True)
    assert (protected.protect, protected.inputs["forceDestroy"]) == (True, False)


def test_workload_identity_grants_bucket_read_to_the_ksa_principal_only(run_component: RunComponent) -> None:
    graph = run_component(
        lambda: WorkloadIdentity(
            "wi",
            WorkloadIdentityArgs(
                project="acme-llm",
                project_number="999",
                namespace="serve",
                service_account="vllm",
                model_bucket="acme-models",
            ),
        )
    )
    (binding,) = graph.resources[1:]
    assert binding.type == "gcp:storage/bucketIAMMember:BucketIAMMember"
    assert binding.parent == graph.resources[0].urn
    assert binding.inputs == {
        "bucket": "acme-models",
        "member": "principal://iam.googleapis.com/projects/999/locations/global/workloadIdentityPools/"
        "acme-llm.svc.id.goog/subject/ns/serve/sa/vllm",
        "role": BUCKET_READ_ROLE,
    }
