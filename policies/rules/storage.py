"""Cloud Storage: the model bucket stays private, versioned and, in prod, hard to destroy."""

from __future__ import annotations

from collections.abc import Sequence

from pulumi_policy import ReportViolation, ResourceValidationArgs

from .metadata import (
    CRITICAL,
    HIGH,
    MANDATORY,
    MEDIUM,
    UNKNOWN,
    checkov,
    get,
    is_prod,
    is_retiring,
    known,
    resource_policy,
)

BUCKET = "gcp:storage/bucket:Bucket"
BUCKET_IAM_MEMBER = "gcp:storage/bucketIAMMember:BucketIAMMember"
BUCKET_IAM_BINDING = "gcp:storage/bucketIAMBinding:BucketIAMBinding"
BUCKET_ACL = "gcp:storage/bucketAccessControl:BucketAccessControl"
OBJECT_ACL = "gcp:storage/defaultObjectAccessControl:DefaultObjectAccessControl"
PUBLIC_PRINCIPALS = {"allUsers", "allAuthenticatedUsers"}


def public_principals(props: object) -> list[str]:
    """The public principals among an IAM resource's `member` / `members`.

    A member can be an output (a service account's e-mail, a project number): then it is unknown in
    a first preview, but it is never one of the public literals, which are always known.
    """
    listed = known(props, "members", default=[])
    count = len(listed) if isinstance(listed, Sequence) and not isinstance(listed, str) else 0  # len reads no value
    members = [known(props, "member")] + [known(props, "members", i) for i in range(count)]
    return sorted({str(m) for m in members if m is not UNKNOWN and m in PUBLIC_PRINCIPALS})


def _uniform_access(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if get(args.props, "uniformBucketLevelAccess") is not True:
        report("uniformBucketLevelAccess is not true: object ACLs could grant access past IAM.", None)


def _public_access_prevention(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if get(args.props, "publicAccessPrevention") != "enforced":
        report("publicAccessPrevention is not 'enforced'.", None)


def _versioning(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if get(args.props, "versioning", "enabled") is not True:
        report("versioning.enabled is not true: an overwritten weight file could not be restored.", None)


def _not_public(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type in (BUCKET_ACL, OBJECT_ACL):
        entity = known(args.props, "entity")
        if entity in PUBLIC_PRINCIPALS:
            report(f"the ACL grants {entity}.", None)
        return
    for principal in public_principals(args.props):
        report(f"the bucket is granted to {principal}.", None)


def _prod_no_force_destroy(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if is_retiring(args.resource_type, args.props):
        return  # retiring without keeping the bucket: emptying it is the point
    if is_prod(args.resource_type, args.props) and get(args.props, "forceDestroy") is True:
        report("a prod bucket has forceDestroy: true (pulumi destroy would delete every object).", None)


POLICIES = [
    resource_policy(
        "bucket-uniform-access",
        "Buckets use uniform bucket-level access (IAM only, no object ACLs).",
        types={BUCKET},
        check=_uniform_access,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Set uniformBucketLevelAccess = true.",
        framework=checkov("CKV_GCP_29", "Ensure that Cloud Storage buckets have uniform bucket-level access enabled"),
        tags=["storage"],
    ),
    resource_policy(
        "bucket-public-access-prevention",
        "Public access prevention is enforced on buckets.",
        types={BUCKET},
        check=_public_access_prevention,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Set publicAccessPrevention = 'enforced'.",
        framework=checkov("CKV_GCP_114", "Ensure public access prevention is enforced on Cloud Storage bucket"),
        tags=["storage"],
    ),
    resource_policy(
        "bucket-versioning",
        "Buckets keep object versions (lifecycle rules bound their cost).",
        types={BUCKET},
        check=_versioning,
        severity=MEDIUM,
        enforcement=MANDATORY,
        remediation="Set versioning.enabled = true and keep the noncurrent-version lifecycle rules.",
        framework=checkov("CKV_GCP_78", "Ensure Cloud storage has versioning enabled"),
        tags=["storage", "reliability"],
    ),
    resource_policy(
        "bucket-not-public",
        "No bucket is readable by allUsers or allAuthenticatedUsers, through IAM or ACLs.",
        types={BUCKET_IAM_MEMBER, BUCKET_IAM_BINDING, BUCKET_ACL, OBJECT_ACL},
        check=_not_public,
        severity=CRITICAL,
        enforcement=MANDATORY,
        remediation="Grant the bucket to named principals (the serving KSA's principal) only.",
        framework=checkov("CKV_GCP_28", "Ensure that Cloud Storage bucket is not anonymously or publicly accessible"),
        tags=["storage", "iam"],
    ),
    resource_policy(
        "bucket-prod-no-force-destroy",
        "A prod bucket is never emptied by `pulumi destroy`.",
        types={BUCKET},
        check=_prod_no_force_destroy,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Keep forceDestroy false in prod (the program derives it from deletion protection).",
        tags=["storage", "reliability"],
    ),
]
