"""How every policy of the pack is declared, and unknown-safe reads of the props the engine sends.

Each policy carries a name, description, severity, enforcement level (overridable per stack with a
policy config file), remediation text and, where one exists, a compliance framework reference.

The engine sends values it cannot know during a preview (outputs of resources still to be created)
as "unknown" sentinels; reading one through the props proxy raises, and the SDK turns that into an
advisory "can't run policy during preview" - a mandatory policy would then pass silently. So the
policies read only values the program sets from config or constants, test *presence* of a field by
iterating keys (which never touches a value), and read a value that may be computed with
`known()`, which says explicitly what happens when it is unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyComplianceFramework,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

MANDATORY = EnforcementLevel.MANDATORY
ADVISORY = EnforcementLevel.ADVISORY
LOW, MEDIUM, HIGH, CRITICAL = Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL

CHECKOV_VERSION = "3.3.30"  # the pinned release whose check ids and titles are cited
CIS_GKE_VERSION = "1.6.0"


def checkov(check_id: str, title: str) -> PolicyComplianceFramework:
    """A Checkov check this policy mirrors (id and title as in the pinned Checkov)."""
    return PolicyComplianceFramework(name="Checkov", version=CHECKOV_VERSION, reference=check_id, specification=title)


def cis_gke(control: str, title: str) -> PolicyComplianceFramework:
    """A recommendation of the CIS Google Kubernetes Engine (GKE) Benchmark."""
    return PolicyComplianceFramework(
        name="CIS Google Kubernetes Engine (GKE) Benchmark",
        version=CIS_GKE_VERSION,
        reference=control,
        specification=title,
    )


class Unknown:
    """What `known()` returns for a value the engine could not know yet."""

    def __repr__(self) -> str:
        return "<unknown during preview>"


UNKNOWN = Unknown()


def has(mapping: Any, key: str) -> bool:
    """Whether `key` is set, without reading its value (iteration never raises on unknowns)."""
    return isinstance(mapping, Mapping) and any(k == key for k in mapping)


def get(mapping: Any, *path: str | int, default: Any = None) -> Any:
    """The value at `path`, or `default` when a step is missing or not a container.

    Raises the SDK's UnknownValueError if the value (or a step) is unknown: use it only for fields
    the program sets from config or constants, which the engine always knows.
    """
    current = mapping
    for step in path:
        if isinstance(step, int):
            if not isinstance(current, Sequence) or isinstance(current, str) or step >= len(current):
                return default
        elif not has(current, step):
            return default
        current = current[step]
    return current


def known(mapping: Any, *path: str | int, default: Any = None) -> Any:
    """Like `get`, but an unknown value comes back as UNKNOWN instead of stopping the policy."""
    try:
        return get(mapping, *path, default=default)
    except UnknownValueError:
        return UNKNOWN


def items(value: Any) -> list[Any]:
    """A list field as a list (absent or not a list: empty)."""
    if isinstance(value, Sequence) and not isinstance(value, str):
        return list(value)
    return []


ResourceCheck = Callable[[ResourceValidationArgs, ReportViolation], None]
StackCheck = Callable[[StackValidationArgs, ReportViolation], None]


def resource_policy(
    name: str,
    description: str,
    *,
    types: Iterable[str] | Callable[[str], bool],
    check: ResourceCheck,
    severity: Severity,
    enforcement: EnforcementLevel,
    remediation: str,
    framework: PolicyComplianceFramework | None = None,
    tags: Sequence[str] = (),
    config_schema: Any = None,
) -> ResourceValidationPolicy:
    """A policy on single resources of `types` (a set of type tokens or a predicate on one)."""
    applies = types if callable(types) else frozenset(types).__contains__

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if applies(args.resource_type):
            check(args, report)

    return ResourceValidationPolicy(
        name=name,
        description=description,
        validate=validate,
        enforcement_level=enforcement,
        severity=severity,
        framework=framework,
        tags=list(tags),
        remediation_steps=remediation,
        config_schema=config_schema,
    )


def stack_policy(
    name: str,
    description: str,
    *,
    check: StackCheck,
    severity: Severity,
    enforcement: EnforcementLevel,
    remediation: str,
    framework: PolicyComplianceFramework | None = None,
    tags: Sequence[str] = (),
) -> StackValidationPolicy:
    """A policy on the whole stack (sees parents and dependencies)."""
    return StackValidationPolicy(
        name=name,
        description=description,
        validate=check,
        enforcement_level=enforcement,
        severity=severity,
        framework=framework,
        tags=list(tags),
        remediation_steps=remediation,
    )


# --- facts shared by several rule modules -------------------------------------------------------

ENV_LABEL = "env"
PROD = "prod"
# Where each GCP type of the platform carries its labels (checked against pulumi-gcp in the tests).
LABEL_FIELDS: dict[str, tuple[str, ...]] = {
    "gcp:storage/bucket:Bucket": ("labels",),
    "gcp:container/cluster:Cluster": ("resourceLabels",),
    "gcp:container/nodePool:NodePool": ("nodeConfig", "resourceLabels"),
    "gcp:compute/globalAddress:GlobalAddress": ("labels",),
    "gcp:compute/address:Address": ("labels",),
    "gcp:certificatemanager/dnsAuthorization:DnsAuthorization": ("labels",),
    "gcp:redis/instance:Instance": ("labels",),
    "gcp:lustre/instance:Instance": ("labels",),
    "gcp:parallelstore/instance:Instance": ("labels",),
    "gcp:artifactregistry/repository:Repository": ("labels",),
    "gcp:certificatemanager/certificate:Certificate": ("labels",),
    "gcp:certificatemanager/certificateMap:CertificateMap": ("labels",),
    "gcp:certificatemanager/certificateMapEntry:CertificateMapEntry": ("labels",),
    "gcp:pubsub/topic:Topic": ("labels",),
    "gcp:bigquery/dataset:Dataset": ("labels",),
    "gcp:compute/instance:Instance": ("labels",),
    "gcp:compute/disk:Disk": ("labels",),
    "gcp:compute/securityPolicy:SecurityPolicy": ("labels",),
    # Monitoring objects carry resource labels as `userLabels` (a channel's `labels` are its address).
    "gcp:monitoring/notificationChannel:NotificationChannel": ("userLabels",),
    "gcp:monitoring/alertPolicy:AlertPolicy": ("userLabels",),
    "gcp:monitoring/customService:CustomService": ("userLabels",),
    "gcp:monitoring/slo:Slo": ("userLabels",),
}


def labels_of(resource_type: str, props: Any) -> Any:
    """The resource's label map (None when the type takes none or the program set none)."""
    path = LABEL_FIELDS.get(resource_type)
    return get(props, *path) if path else None


def environment_of(resource_type: str, props: Any) -> str | None:
    """The `env` label the program puts on every labelled resource (from `llm-platform:environment`)."""
    labels = labels_of(resource_type, props)
    value = get(labels, ENV_LABEL) if isinstance(labels, Mapping) else None
    return value if isinstance(value, str) else None


def stack_environment(resources: Sequence[PolicyResource]) -> str | None:
    """The stack's environment, read from the `env` label of its labelled GCP resources."""
    for resource in resources:
        environment = environment_of(resource.resource_type, resource.props)
        if environment:
            return environment
    return None


def is_prod(resource_type: str, props: Any) -> bool:
    return environment_of(resource_type, props) == PROD


# The program labels a stack's stateful resources `retiring: "true"` when `llm-platform:retire` is set:
# the stack's own, explicit decision to lift their protection before `pulumi destroy`.
RETIRING_LABEL = "retiring"


def is_retiring(resource_type: str, props: Any) -> bool:
    labels = labels_of(resource_type, props)
    return isinstance(labels, Mapping) and get(labels, RETIRING_LABEL) == "true"
