"""Memorystore for Redis: AUTH, TLS, private access, HA and persistence in prod (issue 12's `Cache`)."""

from __future__ import annotations

from pulumi_policy import ReportViolation, ResourceValidationArgs

from .metadata import HIGH, MANDATORY, MEDIUM, checkov, get, is_prod, resource_policy

REDIS = "gcp:redis/instance:Instance"


def _auth(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if get(args.props, "authEnabled") is not True:
        report("authEnabled is not true: any client on the network could read and write the cache.", None)


def _tls(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if get(args.props, "transitEncryptionMode") != "SERVER_AUTHENTICATION":
        report(
            "transitEncryptionMode is not SERVER_AUTHENTICATION: the AUTH string would cross the wire in clear.", None
        )


def _ha_in_prod(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if is_prod(args.resource_type, args.props) and get(args.props, "tier") != "STANDARD_HA":
        report("a prod instance is not STANDARD_HA.", None)


def _private_service_access(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if get(args.props, "connectMode") != "PRIVATE_SERVICE_ACCESS":
        report("connectMode is not PRIVATE_SERVICE_ACCESS (the stack's private services peering).", None)


def _persistence_in_prod(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if is_prod(args.resource_type, args.props) and get(args.props, "persistenceConfig", "persistenceMode") != "RDB":
        report("a prod instance has no RDB persistence.", None)


POLICIES = [
    resource_policy(
        "redis-auth",
        "Redis requires AUTH.",
        types={REDIS},
        check=_auth,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Set authEnabled = true and hand the AUTH string to workloads as a Kubernetes Secret.",
        framework=checkov("CKV_GCP_95", "Ensure Memorystore for Redis has AUTH enabled"),
        tags=["cache"],
    ),
    resource_policy(
        "redis-tls",
        "Redis encrypts traffic in transit.",
        types={REDIS},
        check=_tls,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Set transitEncryptionMode = 'SERVER_AUTHENTICATION' and give clients the server CA.",
        framework=checkov("CKV_GCP_97", "Ensure Memorystore for Redis uses intransit encryption"),
        tags=["cache"],
    ),
    resource_policy(
        "redis-ha-prod",
        "A prod Redis instance is highly available (STANDARD_HA).",
        types={REDIS},
        check=_ha_in_prod,
        severity=MEDIUM,
        enforcement=MANDATORY,
        remediation="Set tier = 'STANDARD_HA' (with a read replica) in prod.",
        tags=["cache", "reliability"],
    ),
    resource_policy(
        "redis-private-service-access",
        "Redis attaches through the stack's private services access peering.",
        types={REDIS},
        check=_private_service_access,
        severity=MEDIUM,
        enforcement=MANDATORY,
        remediation="Set connectMode = 'PRIVATE_SERVICE_ACCESS'.",
        tags=["cache", "network"],
    ),
    resource_policy(
        "redis-persistence-prod",
        "A prod Redis instance persists RDB snapshots.",
        types={REDIS},
        check=_persistence_in_prod,
        severity=MEDIUM,
        enforcement=MANDATORY,
        remediation="Set persistenceConfig {persistenceMode: RDB, rdbSnapshotPeriod: ...} in prod.",
        tags=["cache", "reliability"],
    ),
]
