"""The model folders the tiers serve, and the Job that puts each in place before a tier rolls: pure parts.

Every folder a tier serves gets one Job, by its own Kubernetes service account: with
`model.source.huggingFace` the Job fetches that pinned commit from the Hub into
`gs://BUCKET/<prefix><folder>/` (skipped when the folder's marker already names it); without, it
checks that a folder uploaded by hand holds a model (`config.json` and every weight file its index
names). `fetch_weights.py` is what the Job runs, standard library only, on a pinned Python image.

A fetched folder ends in its revision, so a new revision is a new folder beside the one running
replicas read, and every name here derives from the folder: a model change is a new service account,
grant and Job (created before the old ones go), never an edit of a Job in place (a Job's pod
template is immutable). A second `pulumi up` with nothing changed sees the same names and specs and
runs nothing.

Identity: the Job's federated principal gets `roles/storage.objectUser` (fetch) or
`roles/storage.objectViewer` (check) on the bucket under the condition
`resource.name.startsWith("projects/_/buckets/BUCKET/objects/<prefix><folder>/")`: it can write that
folder and nothing else (storage/docs/access-control/iam#conditions). The Hub token stays in Secret
Manager: the Job reads it at run time as its own principal, which holds
`roles/secretmanager.secretAccessor` on that one secret; only the version's name is in the graph.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pulumi
import pulumi_kubernetes as k8s

from components.config.fields import FieldError
from components.naming import Naming
from components.storage import fetch_weights
from components.storage.config import WeightsFetchConfig

if TYPE_CHECKING:
    from components.config.platform import PlatformConfig

# Docker Hub's official image, pinned by tag and digest (the digest as pinned in public Dockerfiles,
# e.g. `FROM python:3.12.8-slim-bookworm@sha256:2199a6...`); pulled through the stack's remote
# repository like every Docker Hub image. The script needs Python 3.11+ and nothing else.
PYTHON_IMAGE = "python:3.12.8-slim-bookworm@sha256:2199a62885a12290dc9c5be3ca0681d367576ab7bf037da120e564723292a2f0"
FETCH_SCRIPT = Path(fetch_weights.__file__).read_text(encoding="utf-8")
FETCH_ROLE = "roles/storage.objectUser"  # create, overwrite (delete) and read objects: resumable uploads
VERIFY_ROLE = "roles/storage.objectViewer"
TOKEN_ROLE = "roles/secretmanager.secretAccessor"
UID = 10001  # a high UID no host account has; the script writes nothing but stdout
APP = "model-weights"
WEIGHTS_LABEL = "llm-platform/weights"
# What the policy `tier-weights-produced` and the preview read off the graph.
STEP_ANNOTATION = "llm-platform/weights-step"  # fetch | verify | import
SOURCE_ANNOTATION = "llm-platform/weights-source"  # what the step copies or checks
PATHS_ANNOTATION = "llm-platform/weights-paths"  # JSON list: the model paths servers see once it completes

Mode = Literal["fetch", "verify"]


@dataclass(frozen=True)
class ModelWeights:
    """One folder under the store's prefix, the tiers that serve it, and where it comes from."""

    folder: str
    tiers: tuple[str, ...]
    repo: str | None = None  # None: uploaded by hand, checked only
    revision: str | None = None
    ignore_patterns: tuple[str, ...] = ()

    @property
    def mode(self) -> Mode:
        return "fetch" if self.repo else "verify"

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.folder.encode()).hexdigest()[:10]

    def object_prefix(self, store_prefix: str) -> str:
        return f"{store_prefix}{self.folder}/"

    def server_path(self, mount_path: str) -> str:
        """Where a server sees the folder: every store mounts the prefix at the mount path."""
        return f"{mount_path.rstrip('/')}/{self.folder}"

    def describe(self, bucket: str, store_prefix: str) -> str:
        where = f"gs://{bucket}/{self.object_prefix(store_prefix)}"
        return f"fetch of hf://{self.repo}@{self.revision} into {where}" if self.repo else f"check of {where}"


def weights_plan(config: PlatformConfig) -> list[ModelWeights]:
    """One entry per folder any tier serves, in folder order (the first tier's source wins; the config
    check refuses a second, different one)."""
    plan: dict[str, ModelWeights] = {}
    for name, tier in sorted(config.tiers.items()):
        model = tier.model
        known = plan.get(model.folder)
        if known is not None:
            plan[model.folder] = ModelWeights(
                known.folder, (*known.tiers, name), known.repo, known.revision, known.ignore_patterns
            )
            continue
        source = model.source.hub if model.source else None
        plan[model.folder] = ModelWeights(
            folder=model.folder,
            tiers=(name,),
            repo=model.hub_repo,
            revision=source.revision if source else None,
            ignore_patterns=tuple(source.ignore_patterns) if source else (),
        )
    return [plan[folder] for folder in sorted(plan)]


def config_problems(config: PlatformConfig) -> list[FieldError]:
    """Two tiers may share a folder only if they agree on where it comes from."""
    problems: list[FieldError] = []
    first: dict[str, tuple[str, str | None]] = {}
    for name, tier in sorted(config.tiers.items()):
        folder, repo = tier.model.folder, tier.model.hub_repo
        if folder not in first:
            first[folder] = (name, repo)
            continue
        other, other_repo = first[folder]
        if repo != other_repo:
            origin = f"fetches it from {other_repo}" if other_repo else "expects it uploaded by hand"
            problems.append(
                FieldError(
                    f"tiers.{name}.model.path",
                    f"folder {folder!r} is also tier {other}'s, which {origin} (allowed: the same source as tier "
                    f"{other}, or another path)",
                )
            )
    return problems


def ksa_name(naming: Naming, weights: ModelWeights) -> str:
    return f"{naming.prefix}-weights-{weights.digest}"


def job_name(naming: Naming, weights: ModelWeights, *spec: str) -> str:
    """Changes with anything the pod runs (image, script, source, destination), so such a change is a
    new Job rather than an edit the API server refuses."""
    digest = hashlib.sha256("\n".join(spec).encode()).hexdigest()[:10]
    return f"{ksa_name(naming, weights)}-{digest}"


def folder_condition(bucket: str, object_prefix: str) -> str:
    """The CEL condition of the Job's grant: objects under its own folder only."""
    return f'resource.name.startsWith("projects/_/buckets/{bucket}/objects/{object_prefix}")'


def secret_of(version: str) -> tuple[str, str]:
    """(project, secret) of `projects/P/secrets/S/versions/V`."""
    parts = version.split("/")
    return parts[1], parts[3]


def job_environment(weights: ModelWeights, bucket: str, store_prefix: str, fetch: WeightsFetchConfig) -> dict[str, str]:
    """What the script reads: never the token itself, only the name of its Secret Manager version."""
    env = {"MODE": weights.mode, "BUCKET": bucket, "DEST": weights.object_prefix(store_prefix)}
    if weights.mode == "fetch":
        env |= {
            "REPO": str(weights.repo),
            "REVISION": str(weights.revision),
            "IGNORE": json.dumps(list(weights.ignore_patterns)),
            "PARALLEL": str(fetch.parallel_files),
        }
        if fetch.token_secret_version:
            env["TOKEN_SECRET"] = fetch.token_secret_version
    return {**env, "PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1"}


def job_pod(
    ksa: pulumi.Input[str], image: str, env: dict[str, str], node_selector: dict[str, str]
) -> k8s.core.v1.PodSpecArgs:
    """The Job's pod on the system pool under the restricted Pod Security profile; it reaches Google
    through the metadata server (Workload Identity), never the Kubernetes API."""
    return k8s.core.v1.PodSpecArgs(
        service_account_name=ksa,
        restart_policy="Never",
        node_selector=node_selector,
        automount_service_account_token=False,
        security_context=k8s.core.v1.PodSecurityContextArgs(
            run_as_non_root=True,
            run_as_user=UID,
            run_as_group=UID,
            seccomp_profile=k8s.core.v1.SeccompProfileArgs(type="RuntimeDefault"),
        ),
        containers=[
            k8s.core.v1.ContainerArgs(
                name="weights",
                image=image,
                command=["python3", "-c", FETCH_SCRIPT],
                env=[k8s.core.v1.EnvVarArgs(name=key, value=value) for key, value in env.items()],
                resources=k8s.core.v1.ResourceRequirementsArgs(
                    requests={"cpu": "500m", "memory": "512Mi"}, limits={"cpu": "2", "memory": "2Gi"}
                ),
                security_context=k8s.core.v1.SecurityContextArgs(
                    allow_privilege_escalation=False,
                    read_only_root_filesystem=True,
                    capabilities=k8s.core.v1.CapabilitiesArgs(drop=["ALL"]),
                ),
                volume_mounts=[k8s.core.v1.VolumeMountArgs(name="tmp", mount_path="/tmp")],
            )
        ],
        volumes=[k8s.core.v1.VolumeArgs(name="tmp", empty_dir=k8s.core.v1.EmptyDirVolumeSourceArgs(size_limit="64Mi"))],
    )


def job_spec(
    weights: ModelWeights, fetch: WeightsFetchConfig, pod: k8s.core.v1.PodSpecArgs
) -> k8s.batch.v1.JobSpecArgs:
    """Two retries (a retry keeps the files already complete), no longer than the configured timeout."""
    return k8s.batch.v1.JobSpecArgs(
        backoff_limit=2,
        active_deadline_seconds=fetch.timeout_minutes * 60,
        template=k8s.core.v1.PodTemplateSpecArgs(
            metadata=k8s.meta.v1.ObjectMetaArgs(labels={"app.kubernetes.io/name": APP, WEIGHTS_LABEL: weights.digest}),
            spec=pod,
        ),
    )


def step_annotations(step: str, source: str, server_paths: Sequence[str]) -> dict[str, str]:
    """How a step that puts weights in place says what it does, and which model paths exist once it completes."""
    return {STEP_ANNOTATION: step, SOURCE_ANNOTATION: source, PATHS_ANNOTATION: json.dumps(sorted(server_paths))}
