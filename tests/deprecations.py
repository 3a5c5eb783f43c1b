"""What the program sends, checked against Google's own API definitions: no deprecated field or enum value.

The discovery documents shipped in `google-api-python-client` (pinned in requirements-dev.txt) say
which fields and enum values exist and which are deprecated (`deprecated: true`, `enumDeprecated`,
or a description that starts with "Deprecated"). pulumi-gcp is bridged from the Terraform provider,
whose field names mostly match the API's; where they do not, `RENAMES` maps a recorded input path
to the API path, and `PROVIDER_ONLY` lists inputs that exist only in the provider (ids, locations,
behaviour switches). An input that is neither in the API schema nor in those tables is reported as
unmapped, so a new field cannot slip past the check unreviewed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import googleapiclient

from tools.graph import Registration

DOCUMENTS = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"
_DEPRECATED_TEXT = re.compile(r"^\s*\[?deprecated\b", re.IGNORECASE)


@dataclass(frozen=True)
class ApiMapping:
    document: str  # e.g. "container.v1"
    schema: str
    renames: dict[str, str] = field(default_factory=dict)
    provider_only: frozenset[str] = frozenset({"project"})


MAINTENANCE = "maintenancePolicy.window.recurringWindow"
# The provider's list of exclusions is the API's map `window.maintenanceExclusions` of TimeWindows keyed
# by the exclusion's name; the map cannot be walked by path, so each exclusion is checked against the
# same TimeWindow schema the recurring window uses, and its name (the map key) is the provider's.
EXCLUSIONS = "maintenancePolicy.maintenanceExclusions"
MAPPINGS: dict[str, ApiMapping] = {
    "gcp:container/cluster:Cluster": ApiMapping(
        "container.v1",
        "Cluster",
        renames={
            "datapathProvider": "networkConfig.datapathProvider",
            "enableIntranodeVisibility": "networkConfig.enableIntraNodeVisibility",
            "gatewayApiConfig": "networkConfig.gatewayApiConfig",
            "enableLegacyAbac": "legacyAbac.enabled",
            "enableShieldedNodes": "shieldedNodes.enabled",
            "loggingConfig.enableComponents": "loggingConfig.componentConfig.enableComponents",
            "monitoringConfig.enableComponents": "monitoringConfig.componentConfig.enableComponents",
            "monitoringConfig.managedPrometheus": "monitoringConfig.managedPrometheusConfig",
            "minMasterVersion": "initialClusterVersion",
            "maintenancePolicy.recurringWindow": MAINTENANCE,
            "maintenancePolicy.recurringWindow.startTime": f"{MAINTENANCE}.window.startTime",
            "maintenancePolicy.recurringWindow.endTime": f"{MAINTENANCE}.window.endTime",
            EXCLUSIONS: f"{MAINTENANCE}.window",
            f"{EXCLUSIONS}.exclusionOptions": f"{MAINTENANCE}.window.maintenanceExclusionOptions",
        },
        # `networkingMode` becomes ipAllocationPolicy.useIpAliases; the rest are provider switches and ids.
        provider_only=frozenset(
            {
                "project",
                "location",
                "deletionProtection",
                "removeDefaultNodePool",
                "networkingMode",
                f"{EXCLUSIONS}.exclusionName",
            }
        ),
    ),
    "gcp:container/nodePool:NodePool": ApiMapping(
        "container.v1",
        "NodePool",
        renames={"nodeConfig": "config", "nodeLocations": "locations"},
        provider_only=frozenset({"project", "location", "cluster", "nodeCount"}),
    ),
    "gcp:compute/network:Network": ApiMapping(
        "compute.v1", "Network", renames={"routingMode": "routingConfig.routingMode"}
    ),
    "gcp:compute/subnetwork:Subnetwork": ApiMapping("compute.v1", "Subnetwork"),
    "gcp:compute/firewall:Firewall": ApiMapping(
        "compute.v1", "Firewall", renames={"allows": "allowed", "allows.protocol": "allowed.IPProtocol"}
    ),
    "gcp:compute/router:Router": ApiMapping("compute.v1", "Router"),
    "gcp:compute/routerNat:RouterNat": ApiMapping(
        "compute.v1", "RouterNat", provider_only=frozenset({"project", "region", "router"})
    ),
    "gcp:compute/globalAddress:GlobalAddress": ApiMapping("compute.v1", "Address"),
    "gcp:compute/address:Address": ApiMapping("compute.v1", "Address"),
    "gcp:compute/resourcePolicy:ResourcePolicy": ApiMapping("compute.v1", "ResourcePolicy"),
    "gcp:storage/bucket:Bucket": ApiMapping(
        "storage.v1",
        "Bucket",
        renames={
            "lifecycleRules": "lifecycle.rule",
            "publicAccessPrevention": "iamConfiguration.publicAccessPrevention",
            "uniformBucketLevelAccess": "iamConfiguration.uniformBucketLevelAccess.enabled",
        },
        # `withState` becomes condition.isLive; `forceDestroy` is a provider switch.
        provider_only=frozenset({"project", "forceDestroy", "lifecycleRules.condition.withState"}),
    ),
    "gcp:binaryauthorization/policy:Policy": ApiMapping("binaryauthorization.v1", "Policy"),
    "gcp:artifactregistry/repository:Repository": ApiMapping(
        "artifactregistry.v1", "Repository", provider_only=frozenset({"project", "location", "repositoryId"})
    ),
    "gcp:certificatemanager/certificate:Certificate": ApiMapping(
        "certificatemanager.v1", "Certificate", provider_only=frozenset({"project", "location"})
    ),
    "gcp:certificatemanager/dnsAuthorization:DnsAuthorization": ApiMapping(
        "certificatemanager.v1", "DnsAuthorization", provider_only=frozenset({"project", "location"})
    ),
    "gcp:certificatemanager/certificateMap:CertificateMap": ApiMapping("certificatemanager.v1", "CertificateMap"),
    "gcp:certificatemanager/certificateMapEntry:CertificateMapEntry": ApiMapping(
        "certificatemanager.v1", "CertificateMapEntry", provider_only=frozenset({"project", "map"})
    ),
    "gcp:compute/securityPolicy:SecurityPolicy": ApiMapping("compute.v1", "SecurityPolicy"),
    # compute v1 regionSecurityPolicies take the same SecurityPolicy body.
    "gcp:compute/regionSecurityPolicy:RegionSecurityPolicy": ApiMapping("compute.v1", "SecurityPolicy"),
    "gcp:redis/instance:Instance": ApiMapping(
        "redis.v1",
        "Instance",
        renames={"maintenancePolicy.weeklyMaintenanceWindows": "maintenancePolicy.weeklyMaintenanceWindow"},
        provider_only=frozenset({"project", "region", "deletionProtection"}),
    ),
    "gcp:monitoring/alertPolicy:AlertPolicy": ApiMapping("monitoring.v3", "AlertPolicy"),
    "gcp:monitoring/notificationChannel:NotificationChannel": ApiMapping("monitoring.v3", "NotificationChannel"),
    "gcp:monitoring/customService:CustomService": ApiMapping(
        "monitoring.v3", "Service", provider_only=frozenset({"project", "serviceId"})
    ),
    "gcp:monitoring/slo:Slo": ApiMapping(
        "monitoring.v3",
        "ServiceLevelObjective",
        renames={"requestBasedSli": "serviceLevelIndicator.requestBased"},
        # `rollingPeriodDays` becomes the `rollingPeriod` duration.
        provider_only=frozenset({"project", "service", "sloId", "rollingPeriodDays"}),
    ),
    "gcp:bigquery/dataset:Dataset": ApiMapping(
        "bigquery.v2",
        "Dataset",
        renames={"datasetId": "datasetReference.datasetId"},
        provider_only=frozenset({"project", "deleteContentsOnDestroy"}),
    ),
    "gcp:logging/projectSink:ProjectSink": ApiMapping(
        "logging.v2", "LogSink", provider_only=frozenset({"project", "uniqueWriterIdentity"})
    ),
    "gcp:pubsub/topic:Topic": ApiMapping("pubsub.v1", "Topic"),
    "gcp:billing/budget:Budget": ApiMapping(
        "billingbudgets.v1",
        "GoogleCloudBillingBudgetsV1Budget",
        renames={"allUpdatesRule": "notificationsRule"},
        provider_only=frozenset({"billingAccount"}),
    ),
}

# Types with no resource schema to check in a shipped discovery document, and why.
UNCHECKED = {
    "gcp:monitoring/dashboard:Dashboard": "its body is generated JSON, validated against the Monitoring v1 "
    "Dashboard schema in tests/unit/operations",
    "gcp:bigquery/datasetIamMember:DatasetIamMember": "an IAM binding (role, member)",
    "gcp:pubsub/topicIAMMember:TopicIAMMember": "an IAM binding (role, member)",
    "gcp:lustre/instance:Instance": "google-api-python-client ships no lustre discovery document",
    "gcp:projects/service:Service": "an API enablement, not a resource body",
    "gcp:projects/serviceIdentity:ServiceIdentity": "a generateServiceIdentity call, no body",
    "gcp:projects/iAMMember:IAMMember": "an IAM binding (role, member)",
    "gcp:projects/iAMCustomRole:IAMCustomRole": "IAM role (title, permissions), no deprecations to send",
    "gcp:projects/iAMAuditConfig:IAMAuditConfig": "part of the project IAM policy",
    "gcp:serviceaccount/account:Account": "IAM service account (id, display name)",
    "gcp:serviceaccount/iAMMember:IAMMember": "an IAM binding (role, member)",
    "gcp:secretmanager/secretIamMember:SecretIamMember": "an IAM binding (role, member)",
    "gcp:storage/bucketIAMMember:BucketIAMMember": "an IAM binding (role, member)",
    "gcp:servicenetworking/connection:Connection": "a servicenetworking connection (network, ranges)",
}

# Deprecated fields the Google provider forces on us, reviewed: (type, API path) -> why.
ALLOWED = {
    ("gcp:container/cluster:Cluster", "nodeConfig"): "the only way in the provider to give the transient "
    "default pool a least-privilege identity (removeDefaultNodePool deletes it at once)",
    ("gcp:container/cluster:Cluster", "initialNodeCount"): "required by the provider with removeDefaultNodePool",
    ("gcp:container/cluster:Cluster", "privateClusterConfig.enablePrivateNodes"): "pulumi-gcp 10.2 has no "
    "cluster-level networkConfig.defaultEnablePrivateNodes",
    ("gcp:container/cluster:Cluster", "privateClusterConfig.enablePrivateEndpoint"): "pulumi-gcp 10.2 has no "
    "ipEndpointsConfig.enablePublicEndpoint",
    ("gcp:container/cluster:Cluster", "masterAuthorizedNetworksConfig"): "sent only when a stack opens the "
    "public IP endpoint; pulumi-gcp 10.2 has no ipEndpointsConfig.authorizedNetworksConfig",
    ("gcp:container/cluster:Cluster", "addonsConfig.parallelstoreCsiDriverConfig"): "sent only to stacks that "
    "opted in to Parallelstore (modelStore.parallelstore.optIn)",
}


@dataclass(frozen=True)
class Finding:
    kind: str  # "deprecated field", "deprecated value", "not in the API schema"
    path: str
    api_path: str
    detail: str = ""


@cache
def document(name: str) -> dict[str, Any]:
    return dict(json.loads((DOCUMENTS / f"{name}.json").read_text(encoding="utf-8")))


def revision(name: str) -> str:
    return str(document(name)["revision"])


def _property(doc: dict[str, Any], schema: str, api_path: str) -> dict[str, Any] | None:
    """The schema property at a dotted API path (through `$ref` and array items), or None."""
    current: dict[str, Any] = {"$ref": schema}
    for segment in api_path.split("."):
        while "$ref" in current or current.get("type") == "array":
            current = doc["schemas"][current["$ref"]] if "$ref" in current else current["items"]
        found = current.get("properties", {}).get(segment)
        if found is None:
            return None
        current = found
    return current


def _is_deprecated(prop: dict[str, Any]) -> bool:
    return prop.get("deprecated") is True or bool(_DEPRECATED_TEXT.match(prop.get("description", "")))


def _deprecated_values(prop: dict[str, Any], value: Any) -> list[str]:
    target = prop["items"] if prop.get("type") == "array" and "items" in prop else prop
    enum, flags = target.get("enum", []), target.get("enumDeprecated", [])
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, str) and v in enum and flags and flags[enum.index(v)]]


def findings(resource: Registration) -> list[Finding]:
    """Every deprecated field, deprecated enum value or unmapped input of one recorded resource."""
    mapping = MAPPINGS[resource.type]
    doc = document(mapping.document)
    found: list[Finding] = []

    def walk(value: dict[str, Any], path: str, api_path: str) -> None:
        for key, child in value.items():
            pulumi_path = f"{path}.{key}" if path else key
            if pulumi_path in mapping.provider_only:
                continue
            target = mapping.renames.get(pulumi_path, f"{api_path}.{key}" if api_path else key)
            prop = _property(doc, mapping.schema, target)
            if prop is None:
                found.append(Finding("not in the API schema", pulumi_path, target))
                continue
            if _is_deprecated(prop):
                found.append(Finding("deprecated field", pulumi_path, target, prop.get("description", "")[:160]))
            for bad in _deprecated_values(prop, child):
                found.append(Finding("deprecated value", pulumi_path, target, bad))
            if "additionalProperties" in prop:  # a map of user data (labels), not fields
                continue
            for item in child if isinstance(child, list) else [child]:
                if isinstance(item, dict):
                    walk(item, pulumi_path, target)

    walk(resource.inputs, "", "")
    return found


def unreviewed(resource: Registration) -> list[Finding]:
    """Findings not covered by the reviewed allow-list."""
    return [f for f in findings(resource) if (resource.type, f.api_path) not in ALLOWED]
