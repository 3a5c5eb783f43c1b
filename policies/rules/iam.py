"""IAM: least privilege, no primitive roles, no keys, nothing public (mirrors components/identity/)."""

from __future__ import annotations

import json

from pulumi_policy import ReportViolation, ResourceValidationArgs

from .metadata import CRITICAL, HIGH, MANDATORY, UNKNOWN, checkov, get, known, resource_policy
from .storage import public_principals

PRIMITIVE_ROLES = {"roles/owner", "roles/editor", "roles/viewer"}
IMPERSONATION_ROLES = {"roles/iam.serviceAccountUser", "roles/iam.serviceAccountTokenCreator"}
PROJECT_IAM = {
    "gcp:projects/iAMMember:IAMMember",
    "gcp:projects/iAMBinding:IAMBinding",
    "gcp:projects/iAMPolicy:IAMPolicy",
}
SERVICE_ACCOUNT_KEY = "gcp:serviceaccount/key:Key"


def is_iam_resource(resource_type: str) -> bool:
    """Every gcp IAM member / binding / policy type (`...IAMMember`, `...IAMBinding`, `...IAMPolicy`,
    whatever the resource's prefix and case: `TopicIAMMember`, `DatasetIamMember`, `SecretIamBinding`)."""
    kind = resource_type.rsplit(":", 1)[-1].lower()
    return resource_type.startswith("gcp:") and kind.endswith(("iammember", "iambinding", "iampolicy"))


def roles_of(props: object) -> list[str]:
    """Roles a member / binding grants, or every role in a policy document (when it is known)."""
    role = get(props, "role")
    if role is not None:
        return [str(role)]
    document = known(props, "policyData")
    if document is UNKNOWN or not isinstance(document, str):
        return []
    try:
        return [str(binding.get("role")) for binding in json.loads(document).get("bindings", [])]
    except (ValueError, AttributeError):
        return []


def _no_primitive_roles(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for role in roles_of(args.props):
        if role in PRIMITIVE_ROLES:
            report(f"grants the primitive role {role}.", None)


def _no_project_storage_roles(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for role in roles_of(args.props):
        if role.startswith("roles/storage."):
            report(f"grants {role} on the whole project; grant it on the bucket instead.", None)


def _no_keys(args: ResourceValidationArgs, report: ReportViolation) -> None:
    report("creates a service-account key; workloads authenticate with Workload Identity instead.", None)


def _no_public_principals(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type.startswith("gcp:storage/"):
        return  # bucket grants: `bucket-not-public`
    for principal in public_principals(args.props):
        report(f"grants a role to {principal}.", None)
    document = known(args.props, "policyData")
    if isinstance(document, str) and any(p in document for p in ("allUsers", "allAuthenticatedUsers")):
        report("the IAM policy document names allUsers or allAuthenticatedUsers.", None)


def _no_project_impersonation(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for role in roles_of(args.props):
        if role in IMPERSONATION_ROLES:
            report(f"grants {role} on the whole project: it can act as every service account there.", None)


POLICIES = [
    resource_policy(
        "iam-no-primitive-roles",
        "No IAM grant uses a primitive role (owner, editor, viewer).",
        types=is_iam_resource,
        check=_no_primitive_roles,
        severity=CRITICAL,
        enforcement=MANDATORY,
        remediation="Grant the predefined role that covers the need (e.g. roles/storage.objectViewer on a bucket).",
        framework=checkov("CKV_GCP_117", "Ensure basic roles are not used at project level."),
        tags=["iam"],
    ),
    resource_policy(
        "iam-no-project-storage-roles",
        "Storage roles are granted on buckets, never on the whole project.",
        types=PROJECT_IAM,
        check=_no_project_storage_roles,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Use gcp.storage.BucketIAMMember on the bucket the workload needs.",
        tags=["iam", "storage"],
    ),
    resource_policy(
        "iam-no-service-account-keys",
        "No service-account key is created (keys are long-lived secrets).",
        types={SERVICE_ACCOUNT_KEY},
        check=_no_keys,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Use Workload Identity Federation (pods) or the runtime's attached identity instead of a key.",
        tags=["iam"],
    ),
    resource_policy(
        "iam-no-public-principals",
        "No IAM grant names allUsers or allAuthenticatedUsers.",
        types=is_iam_resource,
        check=_no_public_principals,
        severity=CRITICAL,
        enforcement=MANDATORY,
        remediation="Grant named principals only.",
        tags=["iam"],
    ),
    resource_policy(
        "iam-no-project-impersonation",
        "No project-wide Service Account User or Token Creator grant.",
        types=PROJECT_IAM,
        check=_no_project_impersonation,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Grant roles/iam.serviceAccountUser on the one service account that needs it.",
        framework=checkov(
            "CKV_GCP_41",
            "Ensure that IAM users are not assigned the Service Account User or Service Account Token Creator roles "
            "at project level",
        ),
        tags=["iam"],
    ),
]
