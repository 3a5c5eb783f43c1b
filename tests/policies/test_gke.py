"""policies/rules/gke.py: each policy passes on the recorded stacks and fails on one changed field."""

from __future__ import annotations

import pytest

from tests.policies.conftest import DELETE, Case, changed, check_case, find, judge, swapped

CLUSTER = ("gcp:container/cluster:Cluster", "gke-cluster")
SYSTEM_POOL = ("gcp:container/nodePool:NodePool", "gke-system")
TPU_POOL = ("gcp:container/nodePool:NodePool", "tier-small-pool")
FLEX_POOL = ("gcp:container/nodePool:NodePool", "tier-small-pool")

CASES = [
    Case(
        "gke-private-nodes", "prod", CLUSTER, lambda r: changed(r, {"privateClusterConfig.enablePrivateNodes": False})
    ),
    Case("gke-workload-identity", "prod", CLUSTER, lambda r: changed(r, {"workloadIdentityConfig": DELETE})),
    Case(
        "gke-metadata-server",
        "prod",
        TPU_POOL,
        lambda r: changed(r, {"nodeConfig.workloadMetadataConfig.mode": "GCE_METADATA"}),
        expect="nodeConfig.workloadMetadataConfig.mode",
    ),
    Case("gke-shielded-nodes", "prod", CLUSTER, lambda r: changed(r, {"enableShieldedNodes": False})),
    Case(
        "gke-secure-boot",
        "prod",
        SYSTEM_POOL,
        lambda r: changed(r, {"nodeConfig.shieldedInstanceConfig.enableSecureBoot": False}),
    ),
    Case(
        "gke-integrity-monitoring",
        "dev",
        CLUSTER,
        lambda r: changed(r, {"nodeConfig.shieldedInstanceConfig.enableIntegrityMonitoring": False}),
    ),
    Case("gke-release-channel", "prod", CLUSTER, lambda r: changed(r, {"releaseChannel.channel": "UNSPECIFIED"})),
    Case("gke-dataplane-v2", "prod", CLUSTER, lambda r: changed(r, {"datapathProvider": "LEGACY_DATAPATH"})),
    Case(
        "gke-no-default-service-account",
        "prod",
        SYSTEM_POOL,
        lambda r: changed(r, {"nodeConfig.serviceAccount": DELETE}),
        expect="Compute Engine default",
        id="pool-without-account",
    ),
    Case(
        "gke-no-default-service-account",
        "dev",
        CLUSTER,
        lambda r: changed(r, {"nodeConfig.serviceAccount": "123456789012-compute@developer.gserviceaccount.com"}),
        id="cluster-with-default-account",
    ),
    Case(
        "gke-deletion-protection-prod",
        "prod",
        CLUSTER,
        lambda r: changed(r, {"deletionProtection": False}),
        expect="deletionProtection",
        id="api-flag",
    ),
    Case(
        "gke-deletion-protection-prod",
        "prod",
        CLUSTER,
        lambda r: changed(r, protect=False),
        expect="protect",
        id="pulumi-protect",
    ),
    Case("gke-no-legacy-abac", "prod", CLUSTER, lambda r: changed(r, {"enableLegacyAbac": True})),
    Case(
        "gke-no-client-certificate",
        "prod",
        CLUSTER,
        lambda r: changed(r, {"masterAuth.clientCertificateConfig.issueClientCertificate": True}),
    ),
    Case(
        "gke-control-plane-access-restricted",
        "prod",
        CLUSTER,
        lambda r: changed(
            r,
            {
                "privateClusterConfig.enablePrivateEndpoint": False,
                "masterAuthorizedNetworksConfig": {"cidrBlocks": [{"cidrBlock": "0.0.0.0/0", "displayName": "all"}]},
            },
        ),
        expect="internet",
        id="open-cidr",
    ),
    Case(
        "gke-control-plane-access-restricted",
        "dev",
        CLUSTER,
        lambda r: changed(r, {"privateClusterConfig.enablePrivateEndpoint": False}),
        id="no-authorized-networks",
    ),
    Case(
        "gke-managed-prometheus",
        "prod",
        CLUSTER,
        lambda r: changed(r, {"monitoringConfig.managedPrometheus.enabled": False}),
    ),
    Case(
        "gke-logging",
        "prod",
        CLUSTER,
        lambda r: changed(r, {"loggingConfig.enableComponents": ["SYSTEM_COMPONENTS"]}),
        expect="WORKLOADS",
    ),
    Case("gke-vpc-native", "prod", CLUSTER, lambda r: changed(r, {"networkingMode": "ROUTES"})),
    Case("gke-cos-containerd", "prod", SYSTEM_POOL, lambda r: changed(r, {"nodeConfig.imageType": "UBUNTU"})),
    Case("gke-node-auto-upgrade", "prod", TPU_POOL, lambda r: changed(r, {"management.autoUpgrade": False})),
    Case("gke-node-auto-repair", "prod", TPU_POOL, lambda r: changed(r, {"management.autoRepair": False})),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy(pack, policy_graphs, case: Case) -> None:
    check_case(pack, policy_graphs, case)


def test_dns_only_control_plane_needs_no_authorized_networks(pack, policy_graphs) -> None:

    graph = policy_graphs["prod"]
    cluster = find(graph, CLUSTER)
    dns_only = changed(
        cluster,
        {"masterAuthorizedNetworksConfig": DELETE, "controlPlaneEndpointsConfig.ipEndpointsConfig.enabled": False},
    )
    report = judge(
        pack,
        swapped(graph, cluster, dns_only),
        dns_only,
        stack=False,
        policies=("gke-control-plane-access-restricted",),
    )
    assert not report.by_policy("gke-control-plane-access-restricted")


def test_flex_start_pool_may_skip_auto_repair(pack, policy_graphs) -> None:

    pool = find(policy_graphs["dev"], FLEX_POOL)
    assert pool.inputs["nodeConfig"]["flexStart"] is True and pool.inputs["management"]["autoRepair"] is False
    assert not judge(pack, policy_graphs["dev"], pool, stack=False, policies=("gke-node-auto-repair",)).by_policy(
        "gke-node-auto-repair"
    )
