"""Identity: Workload Identity Federation grants to Kubernetes service accounts' principals.

Creates: a bucket-scoped `roles/storage.objectViewer` for the serving KSA's federated principal
(`llm-platform:identity:WorkloadIdentity`); no Google service account, no key.
Config keys: none of its own; the namespace and KSA names come from `llm-platform:serving.*`.
APIs: iam.
Outputs: the serving principal and the bucket grant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.identity.workload_identity import (
    WorkloadIdentity,
    WorkloadIdentityArgs,
    ksa_principal,
)

if TYPE_CHECKING:
    from components.config.platform import PlatformConfig

__all__ = ["WorkloadIdentity", "WorkloadIdentityArgs", "ksa_principal", "required_services"]


def required_services(config: PlatformConfig) -> set[str]:
    return {"iam.googleapis.com"}
