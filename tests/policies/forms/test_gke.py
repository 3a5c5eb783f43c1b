"""policies/rules/gke.py: every policy on an absent field and on each other wrong form."""

from __future__ import annotations

import pytest

from tests.policies.forms import Form, absent, at, check_form, shape

CLUSTER = ("gcp:container/cluster:Cluster", "gke-cluster")
SYSTEM_POOL = ("gcp:container/nodePool:NodePool", "gke-system")
TPU_POOL = ("gcp:container/nodePool:NodePool", "tier-small-pool")

FORMS = [
    absent("gke-private-nodes", "prod", CLUSTER, "privateClusterConfig.enablePrivateNodes"),
    absent("gke-private-nodes", "prod", CLUSTER, "privateClusterConfig"),
    # A pool can opt out of its cluster's private nodes (NodePool networkConfig.enablePrivateNodes).
    shape("gke-private-nodes", "false", "prod", TPU_POOL, "networkConfig.enablePrivateNodes", False),
    absent("gke-private-nodes", "prod", TPU_POOL, "networkConfig.enablePrivateNodes", fires=False),
    absent("gke-workload-identity", "prod", CLUSTER, "workloadIdentityConfig.workloadPool"),
    shape("gke-workload-identity", "empty", "prod", CLUSTER, "workloadIdentityConfig.workloadPool", ""),
    absent("gke-metadata-server", "prod", TPU_POOL, "nodeConfig.workloadMetadataConfig.mode"),
    absent("gke-metadata-server", "prod", CLUSTER, "nodeConfig.workloadMetadataConfig"),
    absent("gke-metadata-server", "prod", SYSTEM_POOL, "nodeConfig"),
    shape(
        "gke-metadata-server", "wrong", "prod", TPU_POOL, "nodeConfig.workloadMetadataConfig.mode", "MODE_UNSPECIFIED"
    ),
    absent("gke-shielded-nodes", "prod", CLUSTER, "enableShieldedNodes"),
    absent("gke-secure-boot", "prod", SYSTEM_POOL, "nodeConfig.shieldedInstanceConfig.enableSecureBoot"),
    absent("gke-secure-boot", "prod", CLUSTER, "nodeConfig.shieldedInstanceConfig"),
    absent("gke-secure-boot", "prod", TPU_POOL, "nodeConfig"),
    shape("gke-secure-boot", "false", "prod", CLUSTER, "nodeConfig.shieldedInstanceConfig.enableSecureBoot", False),
    # GKE turns integrity monitoring on unless told otherwise: only an explicit false fails.
    absent(
        "gke-integrity-monitoring",
        "prod",
        TPU_POOL,
        "nodeConfig.shieldedInstanceConfig.enableIntegrityMonitoring",
        fires=False,
    ),
    shape(
        "gke-integrity-monitoring",
        "false",
        "prod",
        TPU_POOL,
        "nodeConfig.shieldedInstanceConfig.enableIntegrityMonitoring",
        False,
    ),
    absent("gke-release-channel", "prod", CLUSTER, "releaseChannel.channel", expect="None"),
    absent("gke-release-channel", "prod", CLUSTER, "releaseChannel"),
    shape("gke-release-channel", "wrong", "prod", CLUSTER, "releaseChannel.channel", "regular"),
    absent("gke-dataplane-v2", "prod", CLUSTER, "datapathProvider"),
    shape("gke-dataplane-v2", "wrong", "prod", CLUSTER, "datapathProvider", "DATAPATH_PROVIDER_UNSPECIFIED"),
    absent("gke-no-default-service-account", "prod", CLUSTER, "nodeConfig.serviceAccount", expect="not set"),
    absent("gke-no-default-service-account", "prod", TPU_POOL, "nodeConfig", expect="not set"),
    shape("gke-no-default-service-account", "wrong", "prod", TPU_POOL, "nodeConfig.serviceAccount", "default"),
    absent("gke-deletion-protection-prod", "prod", CLUSTER, "deletionProtection", expect="deletionProtection"),
    # Outside prod neither protection is required.
    shape("gke-deletion-protection-prod", "false", "dev", CLUSTER, "deletionProtection", False, fires=False),
    absent("gke-no-legacy-abac", "prod", CLUSTER, "enableLegacyAbac", fires=False),
    shape("gke-no-legacy-abac", "wrong", "prod", CLUSTER, "enableLegacyAbac", True),
    absent("gke-no-client-certificate", "prod", CLUSTER, "masterAuth", fires=False),
    # The public endpoint (dev keeps its IP endpoint's public side closed by listing no network).
    absent(
        "gke-control-plane-access-restricted",
        "prod",
        CLUSTER,
        "privateClusterConfig.enablePrivateEndpoint",
        expect="no masterAuthorizedNetworksConfig",
    ),
    Form(
        "gke-control-plane-access-restricted",
        "empty",
        "prod",
        CLUSTER,
        lambda r: at("masterAuthorizedNetworksConfig", {"cidrBlocks": []})(
            at("privateClusterConfig.enablePrivateEndpoint", False)(r)
        ),
        "masterAuthorizedNetworksConfig.cidrBlocks=[]",
        expect="cidrBlocks is empty",
    ),
    Form(
        "gke-control-plane-access-restricted",
        "wrong",
        "prod",
        CLUSTER,
        lambda r: at(
            "masterAuthorizedNetworksConfig",
            {
                "gcpPublicCidrsAccessEnabled": True,
                "cidrBlocks": [{"cidrBlock": "198.51.100.0/24", "displayName": "vpn"}],
            },
        )(at("privateClusterConfig.enablePrivateEndpoint", False)(r)),
        "gcpPublicCidrsAccessEnabled=True",
        expect="all of GCP",
    ),
    Form(
        "gke-control-plane-access-restricted",
        "wrong",
        "prod",
        CLUSTER,
        lambda r: at("masterAuthorizedNetworksConfig", {"cidrBlocks": [{"cidrBlock": "::/0", "displayName": "v6"}]})(
            at("privateClusterConfig.enablePrivateEndpoint", False)(r)
        ),
        "cidrBlock=::/0",
        expect="internet",
    ),
    absent("gke-managed-prometheus", "prod", CLUSTER, "monitoringConfig.managedPrometheus.enabled"),
    absent("gke-managed-prometheus", "prod", CLUSTER, "monitoringConfig"),
    absent("gke-logging", "prod", CLUSTER, "loggingConfig", expect="SYSTEM_COMPONENTS"),
    shape("gke-logging", "empty", "prod", CLUSTER, "loggingConfig.enableComponents", [], expect="WORKLOADS"),
    shape("gke-logging", "wrong", "prod", CLUSTER, "loggingService", "none", expect="loggingService is none"),
    absent("gke-vpc-native", "prod", CLUSTER, "networkingMode"),
    absent("gke-vpc-native", "prod", CLUSTER, "ipAllocationPolicy"),
    # GKE's default node image is Container-Optimized OS with containerd.
    absent("gke-cos-containerd", "prod", TPU_POOL, "nodeConfig.imageType", fires=False),
    shape("gke-cos-containerd", "wrong", "prod", TPU_POOL, "nodeConfig.imageType", "COS"),
    shape("gke-cos-containerd", "wrong", "prod", TPU_POOL, "nodeConfig.imageType", "cos_containerd", fires=False),
    # pulumi-gcp: management.autoUpgrade and autoRepair are "Enabled by default".
    absent("gke-node-auto-upgrade", "prod", TPU_POOL, "management.autoUpgrade", fires=False),
    absent("gke-node-auto-upgrade", "prod", TPU_POOL, "management", fires=False),
    absent("gke-node-auto-repair", "prod", TPU_POOL, "management.autoRepair", fires=False),
    shape("gke-node-auto-repair", "false", "prod", SYSTEM_POOL, "management.autoRepair", False),
    # Only a flex-start pool may skip repair; flexStart false is an ordinary pool.
    Form(
        "gke-node-auto-repair",
        "false",
        "dev",
        TPU_POOL,
        at("nodeConfig.flexStart", False),
        "nodeConfig.flexStart=False with autoRepair false",
    ),
]


@pytest.mark.parametrize("form", FORMS, ids=str)
def test_form(pack, policy_graphs, form: Form) -> None:
    check_form(pack, policy_graphs, form)
