"""GKE cluster and node pool hardening (mirrors components/gke/)."""

from __future__ import annotations

from pulumi_policy import ReportViolation, ResourceValidationArgs

from .metadata import (
    ADVISORY,
    CRITICAL,
    HIGH,
    LOW,
    MANDATORY,
    MEDIUM,
    UNKNOWN,
    checkov,
    cis_gke,
    get,
    has,
    is_prod,
    is_retiring,
    items,
    known,
    resource_policy,
)

CLUSTER = "gcp:container/cluster:Cluster"
NODE_POOL = "gcp:container/nodePool:NodePool"
RELEASE_CHANNELS = {"RAPID", "REGULAR", "STABLE", "EXTENDED"}
DEFAULT_COMPUTE_ACCOUNT_SUFFIX = "-compute@developer.gserviceaccount.com"
OPEN_CIDRS = {"0.0.0.0/0", "::/0"}


def _node_configs(args: ResourceValidationArgs) -> list[tuple[str, object]]:
    """The node config of a cluster (its first pool) or a pool; absent, GKE's defaults apply, so an
    absent `nodeConfig` is judged as an empty one (no Secure Boot, the default account)."""
    node_config = get(args.props, "nodeConfig")
    return [("nodeConfig", node_config if node_config is not None else {})]


def _private_nodes(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == NODE_POOL:  # a pool inherits the cluster's setting unless it opts out
        if get(args.props, "networkConfig", "enablePrivateNodes") is False:
            report("networkConfig.enablePrivateNodes is false: this pool's nodes would get public IP addresses.", None)
        return
    if get(args.props, "privateClusterConfig", "enablePrivateNodes") is not True:
        report("privateClusterConfig.enablePrivateNodes is not true: nodes would get public IP addresses.", None)


def _workload_identity(args: ResourceValidationArgs, report: ReportViolation) -> None:
    # The pool name is `<project>.svc.id.goog`, built from config: presence decides, and when the
    # value is known it must name a pool (an empty string enables nothing).
    pool = known(args.props, "workloadIdentityConfig", "workloadPool")
    if not has(get(args.props, "workloadIdentityConfig"), "workloadPool") or pool == "":
        report("workloadIdentityConfig.workloadPool is not set: pods would use the node's identity.", None)


def _metadata_server(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for path, node_config in _node_configs(args):
        if get(node_config, "workloadMetadataConfig", "mode") != "GKE_METADATA":
            report(f"{path}.workloadMetadataConfig.mode is not GKE_METADATA.", None)


def _shielded_nodes(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if get(args.props, "enableShieldedNodes") is not True:
        report("enableShieldedNodes is not true.", None)


def _secure_boot(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for path, node_config in _node_configs(args):
        if get(node_config, "shieldedInstanceConfig", "enableSecureBoot") is not True:
            report(f"{path}.shieldedInstanceConfig.enableSecureBoot is not true.", None)


def _integrity_monitoring(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for path, node_config in _node_configs(args):
        if get(node_config, "shieldedInstanceConfig", "enableIntegrityMonitoring") is False:
            report(f"{path}.shieldedInstanceConfig.enableIntegrityMonitoring is false.", None)


def _release_channel(args: ResourceValidationArgs, report: ReportViolation) -> None:
    channel = get(args.props, "releaseChannel", "channel")
    if channel not in RELEASE_CHANNELS:
        report(f"releaseChannel.channel is {channel!r}; one of {sorted(RELEASE_CHANNELS)} is required.", None)


def _dataplane_v2(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if get(args.props, "datapathProvider") != "ADVANCED_DATAPATH":
        report("datapathProvider is not ADVANCED_DATAPATH: no built-in network policy enforcement.", None)


def _no_default_service_account(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for path, node_config in _node_configs(args):
        # The e-mail is an output of the node account (unknown in a first preview); GKE falls back to
        # the Compute Engine default account only when the field is absent, so presence decides.
        if not has(node_config, "serviceAccount"):
            report(f"{path}.serviceAccount is not set: nodes would run as the Compute Engine default account.", None)
            continue
        email = known(node_config, "serviceAccount")
        if email is not UNKNOWN and (email == "default" or str(email).endswith(DEFAULT_COMPUTE_ACCOUNT_SUFFIX)):
            report(f"{path}.serviceAccount is the Compute Engine default service account.", None)


def _deletion_protection_in_prod(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if not is_prod(args.resource_type, args.props) or is_retiring(args.resource_type, args.props):
        return  # a retiring stack lifts the guard on purpose (stack-retiring-unblocked checks it)
    if get(args.props, "deletionProtection") is not True:
        report("a prod cluster needs deletionProtection: true.", None)
    if not args.opts.protect:
        report("a prod cluster needs the `protect` resource option.", None)


def _no_legacy_abac(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if get(args.props, "enableLegacyAbac") is True:
        report("enableLegacyAbac is true.", None)


def _no_client_certificate(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if get(args.props, "masterAuth", "clientCertificateConfig", "issueClientCertificate") is True:
        report("masterAuth.clientCertificateConfig.issueClientCertificate is true.", None)


def _control_plane_access(args: ResourceValidationArgs, report: ReportViolation) -> None:
    endpoints = get(args.props, "controlPlaneEndpointsConfig")
    if get(endpoints, "ipEndpointsConfig", "enabled") is False:
        return  # only the DNS endpoint: every request is authorized by IAM
    if get(args.props, "privateClusterConfig", "enablePrivateEndpoint") is True:
        return
    authorized = get(args.props, "masterAuthorizedNetworksConfig")
    if authorized is None:
        report("the public control-plane endpoint has no masterAuthorizedNetworksConfig.", None)
        return
    if get(authorized, "gcpPublicCidrsAccessEnabled") is True:
        report("masterAuthorizedNetworksConfig.gcpPublicCidrsAccessEnabled opens the endpoint to all of GCP.", None)
    blocks = items(get(authorized, "cidrBlocks"))
    if not blocks:
        report("masterAuthorizedNetworksConfig.cidrBlocks is empty: name who may reach the endpoint.", None)
    for block in blocks:
        if get(block, "cidrBlock") in OPEN_CIDRS:
            report("masterAuthorizedNetworksConfig.cidrBlocks opens the endpoint to the internet.", None)


def _managed_prometheus(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if get(args.props, "monitoringConfig", "managedPrometheus", "enabled") is not True:
        report("monitoringConfig.managedPrometheus.enabled is not true: serving metrics would not be collected.", None)


def _logging(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if get(args.props, "loggingService") == "none":
        report("loggingService is none.", None)
    components = set(items(get(args.props, "loggingConfig", "enableComponents")))
    missing = {"SYSTEM_COMPONENTS", "WORKLOADS"} - components
    if missing:
        report(f"loggingConfig.enableComponents lacks {sorted(missing)}.", None)


def _vpc_native(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if get(args.props, "networkingMode") != "VPC_NATIVE" or not has(args.props, "ipAllocationPolicy"):
        report("the cluster is not VPC-native (networkingMode VPC_NATIVE with an ipAllocationPolicy).", None)


def _cos_containerd(args: ResourceValidationArgs, report: ReportViolation) -> None:
    image = get(args.props, "nodeConfig", "imageType")
    if image is not None and not str(image).upper().startswith("COS_CONTAINERD"):
        report(f"nodeConfig.imageType is {image!r}; COS_CONTAINERD is required.", None)


def _auto_upgrade(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if get(args.props, "management", "autoUpgrade") is False:
        report("management.autoUpgrade is false.", None)


def _auto_repair(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if get(args.props, "nodeConfig", "flexStart") is True:
        return  # DWS flex-start nodes cannot be repaired in place; capacity is returned instead
    if get(args.props, "management", "autoRepair") is False:
        report("management.autoRepair is false on a pool that is not flex-start.", None)


CLUSTER_ONLY = {CLUSTER}
POOLS = {NODE_POOL}
BOTH = {CLUSTER, NODE_POOL}

BINAUTHZ_POLICY = "gcp:binaryauthorization/policy:Policy"
GKE_SYSTEM_IMAGES = "gke.gcr.io/**"


def _binauthz_exact(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for i, pattern in enumerate(items(get(args.props, "admissionWhitelistPatterns"))):
        name = get(pattern, "namePattern")
        if not isinstance(name, str) or not name:
            report(f"admissionWhitelistPatterns[{i}] has no namePattern.", None)
        elif name.endswith("*") and name != GKE_SYSTEM_IMAGES:
            report(f"admissionWhitelistPatterns[{i}] {name!r} admits every image under a path, not a pinned one.", None)


POLICIES = [
    resource_policy(
        "binauthz-pinned-images-only",
        "Binary Authorization admits pinned references only: no wildcard but GKE's system images.",
        types={BINAUTHZ_POLICY},
        check=_binauthz_exact,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="List each image by repository path and tag or digest (concerns' admitted_images).",
        tags=["gke", "supply-chain"],
    ),
    resource_policy(
        "gke-private-nodes",
        "GKE nodes have no public IP addresses.",
        types=BOTH,
        check=_private_nodes,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Set privateClusterConfig.enablePrivateNodes = true (egress goes through Cloud NAT) and never "
        "networkConfig.enablePrivateNodes = false on a pool.",
        framework=checkov("CKV_GCP_64", "Ensure clusters are created with Private Nodes"),
        tags=["gke", "network"],
    ),
    resource_policy(
        "gke-workload-identity",
        "Pods authenticate to Google Cloud through Workload Identity, never the node's identity.",
        types=CLUSTER_ONLY,
        check=_workload_identity,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Set workloadIdentityConfig.workloadPool = '<project>.svc.id.goog'.",
        tags=["gke", "identity"],
    ),
    resource_policy(
        "gke-metadata-server",
        "Nodes run the GKE metadata server, which hides the node's credentials from pods.",
        types=BOTH,
        check=_metadata_server,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Set nodeConfig.workloadMetadataConfig.mode = 'GKE_METADATA' on the cluster and every pool.",
        framework=checkov("CKV_GCP_69", "Ensure the GKE Metadata Server is Enabled"),
        tags=["gke", "identity"],
    ),
    resource_policy(
        "gke-shielded-nodes",
        "Shielded GKE nodes are enabled on the cluster.",
        types=CLUSTER_ONLY,
        check=_shielded_nodes,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Set enableShieldedNodes = true.",
        framework=cis_gke("5.5.5", "Ensure Shielded GKE Nodes are Enabled"),
        tags=["gke", "checkov:CKV_GCP_71"],
    ),
    resource_policy(
        "gke-secure-boot",
        "Every node boots with Secure Boot.",
        types=BOTH,
        check=_secure_boot,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Set nodeConfig.shieldedInstanceConfig.enableSecureBoot = true on the cluster and every pool.",
        framework=checkov("CKV_GCP_68", "Ensure Secure Boot for Shielded GKE Nodes is Enabled"),
        tags=["gke"],
    ),
    resource_policy(
        "gke-integrity-monitoring",
        "Integrity monitoring of shielded nodes is not turned off.",
        types=BOTH,
        check=_integrity_monitoring,
        severity=MEDIUM,
        enforcement=MANDATORY,
        remediation="Leave nodeConfig.shieldedInstanceConfig.enableIntegrityMonitoring at true.",
        framework=checkov("CKV_GCP_72", "Ensure Integrity Monitoring for Shielded GKE Nodes is Enabled"),
        tags=["gke"],
    ),
    resource_policy(
        "gke-release-channel",
        "The cluster is enrolled in a release channel, so GKE keeps it patched.",
        types=CLUSTER_ONLY,
        check=_release_channel,
        severity=MEDIUM,
        enforcement=MANDATORY,
        remediation="Set llm-platform:cluster.releaseChannel (REGULAR by default).",
        framework=cis_gke(
            "5.5.4", "When creating New Clusters - Automate GKE version management using Release Channels"
        ),
        tags=["gke", "checkov:CKV_GCP_70"],
    ),
    resource_policy(
        "gke-dataplane-v2",
        "The cluster runs Dataplane V2, whose CNI enforces Kubernetes network policies.",
        types=CLUSTER_ONLY,
        check=_dataplane_v2,
        severity=MEDIUM,
        enforcement=MANDATORY,
        remediation="Set datapathProvider = 'ADVANCED_DATAPATH' (a new cluster: it cannot be changed in place).",
        framework=cis_gke("4.3.1", "Ensure that the CNI in use supports Network Policies"),
        tags=["gke", "network"],
    ),
    resource_policy(
        "gke-no-default-service-account",
        "No node runs as the Compute Engine default service account.",
        types=BOTH,
        check=_no_default_service_account,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Set nodeConfig.serviceAccount to the platform's least-privilege node account everywhere.",
        framework=cis_gke(
            "5.2.1", "Ensure GKE clusters are not running using the Compute Engine default service account"
        ),
        tags=["gke", "identity"],
    ),
    resource_policy(
        "gke-deletion-protection-prod",
        "A prod cluster is protected from deletion in GKE and in Pulumi.",
        types=CLUSTER_ONLY,
        check=_deletion_protection_in_prod,
        severity=CRITICAL,
        enforcement=MANDATORY,
        remediation="Keep llm-platform:deletionProtection true in prod (it sets deletionProtection and protect); "
        "to take the stack down, set llm-platform:retire (docs/operations.md, Retiring a stack).",
        tags=["gke", "reliability"],
    ),
    resource_policy(
        "gke-no-legacy-abac",
        "Legacy ABAC authorization is off; RBAC alone decides.",
        types=CLUSTER_ONLY,
        check=_no_legacy_abac,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Set enableLegacyAbac = false.",
        framework=checkov("CKV_GCP_7", "Ensure Legacy Authorization is set to Disabled on Kubernetes Engine Clusters"),
        tags=["gke", "identity"],
    ),
    resource_policy(
        "gke-no-client-certificate",
        "The cluster issues no client certificate (a static, unrevocable credential).",
        types=CLUSTER_ONLY,
        check=_no_client_certificate,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Set masterAuth.clientCertificateConfig.issueClientCertificate = false.",
        framework=checkov(
            "CKV_GCP_13", "Ensure client certificate authentication to Kubernetes Engine Clusters is disabled"
        ),
        tags=["gke", "identity"],
    ),
    resource_policy(
        "gke-control-plane-access-restricted",
        "The control plane is reachable only from named networks, or only through the IAM-authorized DNS endpoint.",
        types=CLUSTER_ONLY,
        check=_control_plane_access,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="List your CI / VPN egress in llm-platform:cluster.masterAuthorizedNetworks (never 0.0.0.0/0), "
        "or serve the control plane only through its DNS endpoint.",
        framework=checkov("CKV_GCP_20", "Ensure master authorized networks is set to enabled in GKE clusters"),
        tags=["gke", "network"],
    ),
    resource_policy(
        "gke-managed-prometheus",
        "Managed Service for Prometheus is on, so vLLM and TPU metrics reach Cloud Monitoring and the HPA.",
        types=CLUSTER_ONLY,
        check=_managed_prometheus,
        severity=MEDIUM,
        enforcement=MANDATORY,
        remediation="Set monitoringConfig.managedPrometheus.enabled = true.",
        framework=checkov("CKV_GCP_8", "Ensure Stackdriver Monitoring is set to Enabled on Kubernetes Engine Clusters"),
        tags=["gke", "observability"],
    ),
    resource_policy(
        "gke-logging",
        "System and workload logs go to Cloud Logging.",
        types=CLUSTER_ONLY,
        check=_logging,
        severity=MEDIUM,
        enforcement=MANDATORY,
        remediation="Set loggingConfig.enableComponents to include SYSTEM_COMPONENTS and WORKLOADS.",
        framework=checkov("CKV_GCP_1", "Ensure Stackdriver Logging is set to Enabled on Kubernetes Engine Clusters"),
        tags=["gke", "observability"],
    ),
    resource_policy(
        "gke-vpc-native",
        "The cluster is VPC-native (alias IP ranges for pods and services).",
        types=CLUSTER_ONLY,
        check=_vpc_native,
        severity=MEDIUM,
        enforcement=MANDATORY,
        remediation="Set networkingMode = 'VPC_NATIVE' with an ipAllocationPolicy naming the subnet's ranges.",
        framework=checkov("CKV_GCP_23", "Ensure Kubernetes Cluster is created with Alias IP ranges enabled"),
        tags=["gke", "network"],
    ),
    resource_policy(
        "gke-cos-containerd",
        "Node pools run Container-Optimized OS with containerd.",
        types=POOLS,
        check=_cos_containerd,
        severity=MEDIUM,
        enforcement=MANDATORY,
        remediation="Set nodeConfig.imageType = 'COS_CONTAINERD'.",
        framework=cis_gke("5.5.1", "Ensure Container-Optimized OS (cos_containerd) is used for GKE node images"),
        tags=["gke", "checkov:CKV_GCP_22"],
    ),
    resource_policy(
        "gke-node-auto-upgrade",
        "Node pools upgrade automatically with the control plane.",
        types=POOLS,
        check=_auto_upgrade,
        severity=MEDIUM,
        enforcement=MANDATORY,
        remediation="Set management.autoUpgrade = true (upgrades run inside the maintenance window).",
        framework=checkov("CKV_GCP_10", "Ensure 'Automatic node upgrade' is enabled for Kubernetes Clusters"),
        tags=["gke"],
    ),
    resource_policy(
        "gke-node-auto-repair",
        "Node pools repair unhealthy nodes automatically (except DWS flex-start pools, which cannot).",
        types=POOLS,
        check=_auto_repair,
        severity=LOW,
        enforcement=ADVISORY,
        remediation="Set management.autoRepair = true unless the pool is flex-start.",
        framework=checkov("CKV_GCP_9", "Ensure 'Automatic node repair' is enabled for Kubernetes Clusters"),
        tags=["gke", "reliability"],
    ),
]
