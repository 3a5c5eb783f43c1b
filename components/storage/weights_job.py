"""One model folder put in place before the tiers that serve it roll: the Job and its own identity.

`weights.py` says what the Job does and why each name and grant is what it is.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s

from components.base import PlatformComponent
from components.identity.workload_identity import ksa_principal
from components.naming import Naming
from components.storage.config import WeightsFetchConfig
from components.storage.weights import (
    APP,
    FETCH_ROLE,
    FETCH_SCRIPT,
    TOKEN_ROLE,
    VERIFY_ROLE,
    WEIGHTS_LABEL,
    ModelWeights,
    folder_condition,
    job_environment,
    job_name,
    job_pod,
    job_spec,
    ksa_name,
    secret_of,
    step_annotations,
)


@dataclass(frozen=True)
class ModelWeightsJobArgs:
    weights: ModelWeights
    naming: Naming
    project_number: pulumi.Input[str]
    workload_pool: pulumi.Input[str]
    namespace: pulumi.Input[str]
    bucket: pulumi.Input[str]  # the bucket's output: the grant waits for the bucket
    bucket_name: str  # the same name, known at program time: the Job's names, environment and annotations
    store_prefix: str
    # The model paths servers see once this Job completes: the folder on a store that reads the bucket
    # itself (Cloud Storage FUSE); none where a later step copies it (a Lustre import, the populator).
    server_paths: tuple[str, ...]
    fetch: WeightsFetchConfig
    image: str
    node_selector: dict[str, str]
    provider: k8s.Provider


class ModelWeightsJob(PlatformComponent):
    """Fetches (or checks) one folder of the model bucket, as a principal that may touch that folder only."""

    def __init__(self, name: str, args: ModelWeightsJobArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("storage:ModelWeights", name, opts)
        self._name, self._args = name, args
        self.weights = args.weights
        self.ksa = self._ksa()
        self.principal = pulumi.Output.all(args.project_number, args.workload_pool, args.namespace).apply(
            lambda parts: ksa_principal(
                str(parts[0]), str(parts[1]), str(parts[2]), ksa_name(args.naming, args.weights)
            )
        )
        self.folder_grant = self._folder_grant()
        self.token_grant = self._token_grant()
        self.job = self._job()
        self.register_outputs({"job": self.job.metadata.name, "mode": args.weights.mode})

    def _ksa(self) -> k8s.core.v1.ServiceAccount:
        args = self._args
        return k8s.core.v1.ServiceAccount(
            f"{self._name}-ksa",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=ksa_name(args.naming, args.weights),
                namespace=args.namespace,
                labels={"app.kubernetes.io/part-of": "llm-platform", WEIGHTS_LABEL: args.weights.digest},
            ),
            automount_service_account_token=False,
            opts=self.child(provider=args.provider),
        )

    def _folder_grant(self) -> gcp.storage.BucketIAMMember:
        """Write (fetch) or read (check) access to objects under this folder, nothing else in the bucket."""
        args, weights = self._args, self._args.weights
        object_prefix = weights.object_prefix(args.store_prefix)
        return gcp.storage.BucketIAMMember(
            f"{self._name}-folder",
            bucket=args.bucket,
            role=FETCH_ROLE if weights.mode == "fetch" else VERIFY_ROLE,
            member=self.principal,
            condition=gcp.storage.BucketIAMMemberConditionArgs(
                title=f"weights-{weights.digest}",
                description=f"Only objects under {object_prefix}"[:256],
                expression=folder_condition(args.bucket_name, object_prefix),
            ),
            opts=self.child(),
        )

    def _token_grant(self) -> gcp.secretmanager.SecretIamMember | None:
        args = self._args
        version = args.fetch.token_secret_version
        if args.weights.mode != "fetch" or version is None:
            return None
        project, secret = secret_of(version)
        return gcp.secretmanager.SecretIamMember(
            f"{self._name}-token",
            project=project,
            secret_id=secret,
            role=TOKEN_ROLE,
            member=self.principal,
            opts=self.child(),
        )

    def _job(self) -> k8s.batch.v1.Job:
        """Awaited by Pulumi: whatever depends on this component waits until the folder is in place."""
        args, weights = self._args, self._args.weights
        env = job_environment(weights, args.bucket_name, args.store_prefix, args.fetch)
        spec = (
            args.image,
            FETCH_SCRIPT,
            str(args.fetch.timeout_minutes),
            *(f"{k}={v}" for k, v in sorted(env.items())),
        )
        source = weights.describe(args.bucket_name, args.store_prefix)
        pod = job_pod(ksa_name(args.naming, weights), args.image, env, args.node_selector)
        return k8s.batch.v1.Job(
            f"{self._name}-job",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=job_name(args.naming, weights, *spec),
                namespace=args.namespace,
                labels={
                    "app.kubernetes.io/part-of": "llm-platform",
                    "app.kubernetes.io/name": APP,
                    WEIGHTS_LABEL: weights.digest,
                },
                annotations={
                    **step_annotations(weights.mode, source, args.server_paths),
                    # A failed Job is replaced on the next update instead of being waited on again.
                    "pulumi.com/replaceUnready": "true",
                },
            ),
            spec=job_spec(weights, args.fetch, pod),
            opts=self.child(
                provider=args.provider,
                depends_on=[r for r in (self.ksa, self.folder_grant, self.token_grant) if r is not None],
                custom_timeouts=pulumi.CustomTimeouts(create=f"{args.fetch.timeout_minutes + 10}m"),
            ),
        )
