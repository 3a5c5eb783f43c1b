"""The Cloud Storage bucket that holds model weights: private, versioned, protected in prod."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components.base import PlatformComponent
from components.naming import Naming
from components.storage.config import ModelBucketConfig, default_bucket_name


@dataclass(frozen=True)
class ModelBucketArgs:
    project: str
    region: str
    naming: Naming
    config: ModelBucketConfig
    protect: bool
    retain_on_delete: bool = False  # a retiring stack that keeps its weights: destroy leaves the bucket


class ModelBucket(PlatformComponent):
    def __init__(self, name: str, args: ModelBucketArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("storage:ModelBucket", name, opts)
        config = args.config
        # Known at program time: names and annotations that must not wait for the bucket to exist.
        self.bucket_name = config.name or default_bucket_name(args.project, args.naming.stack)
        self.bucket = gcp.storage.Bucket(
            f"{name}-bucket",
            name=self.bucket_name,
            project=args.project,
            location=(config.location or args.region).upper(),
            storage_class="STANDARD",
            uniform_bucket_level_access=True,
            public_access_prevention="enforced",
            versioning=gcp.storage.BucketVersioningArgs(enabled=True),
            lifecycle_rules=[
                gcp.storage.BucketLifecycleRuleArgs(
                    action=gcp.storage.BucketLifecycleRuleActionArgs(type="Delete"),
                    condition=gcp.storage.BucketLifecycleRuleConditionArgs(
                        days_since_noncurrent_time=config.noncurrent_version_retention_days,
                        with_state="ARCHIVED",
                    ),
                ),
                gcp.storage.BucketLifecycleRuleArgs(
                    action=gcp.storage.BucketLifecycleRuleActionArgs(type="Delete"),
                    condition=gcp.storage.BucketLifecycleRuleConditionArgs(
                        num_newer_versions=config.max_noncurrent_versions,
                        with_state="ARCHIVED",
                    ),
                ),
            ],
            # A protected or kept bucket is never emptied by `pulumi destroy`.
            force_destroy=not args.protect and not args.retain_on_delete,
            labels=args.naming.stateful_labels,
            opts=self.child(protect=args.protect, retain_on_delete=args.retain_on_delete),
        )
        # Who read or changed which weights: Data Access audit logs exist only per project (or folder,
        # organisation), not per bucket (https://docs.cloud.google.com/logging/docs/audit/configure-data-access).
        self.audit = (
            gcp.projects.IAMAuditConfig(
                f"{name}-data-access-logs",
                project=args.project,
                service="storage.googleapis.com",
                audit_log_configs=[
                    gcp.projects.IAMAuditConfigAuditLogConfigArgs(log_type="DATA_READ"),
                    gcp.projects.IAMAuditConfigAuditLogConfigArgs(log_type="DATA_WRITE"),
                ],
                opts=self.child(),
            )
            if config.data_access_logs
            else None
        )
        self.name = self.bucket.name
        self.url = self.bucket.url
        self.register_outputs({"name": self.bucket.name, "url": self.bucket.url})
