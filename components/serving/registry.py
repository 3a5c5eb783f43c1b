"""The Artifact Registry remote repository serving images pull Docker Hub through.

A DOCKER repository in REMOTE_REPOSITORY mode over Docker Hub, in the stack's region: nodes pull
`REGION-docker.pkg.dev/PROJECT/REPO/vllm/vllm-tpu:TAG`, the repository fetches from Docker Hub on
the first pull and serves its cached copy afterwards (no Docker Hub rate limit or outage on a
scale-up). The node service account already holds `roles/artifactregistry.reader`.

Optional upstream credentials (a Docker Hub user and a Secret Manager version holding its token)
lift Docker Hub's anonymous pull limits; the Artifact Registry service agent then needs
`roles/secretmanager.secretAccessor` on that secret, so the program creates the agent
(`gcp.projects.ServiceIdentity`) and grants it before the repository.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components.base import PlatformComponent
from components.identity.service_agents import service_agent
from components.naming import Naming
from components.serving.config import RegistryConfig
from components.serving.images import pull_through, remote_repository_host

SECRET_ACCESSOR = "roles/secretmanager.secretAccessor"


def secret_of(version: str) -> str:
    """`projects/P/secrets/S/versions/N` -> `projects/P/secrets/S`."""
    return version.rsplit("/versions/", 1)[0]


def repository_id(config: RegistryConfig, naming: Naming) -> str:
    """The remote repository's id: what Binary Authorization's admitted paths and the pods both name."""
    return config.repository_id or naming.name("dockerhub")


@dataclass(frozen=True)
class RemoteRegistryArgs:
    project: str
    project_number: pulumi.Input[str]
    region: str
    naming: Naming
    config: RegistryConfig


class RemoteRegistry(PlatformComponent):
    def __init__(self, name: str, args: RemoteRegistryArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("serving:RemoteRegistry", name, opts)
        config = args.config
        self.repository_id = repository_id(config, args.naming)
        self.project, self.region = args.project, args.region
        credentials = None
        grants: list[pulumi.Resource] = []
        if config.upstream_credentials is not None:
            upstream = config.upstream_credentials
            agent = gcp.projects.ServiceIdentity(
                f"{name}-agent", project=args.project, service="artifactregistry.googleapis.com", opts=self.child()
            )
            grants.append(
                gcp.secretmanager.SecretIamMember(
                    f"{name}-upstream-secret",
                    project=args.project,
                    secret_id=secret_of(upstream.password_secret_version),
                    role=SECRET_ACCESSOR,
                    member=service_agent(args.project_number, "gcp-sa-artifactregistry"),
                    opts=self.child(depends_on=[agent]),
                )
            )
            credentials = gcp.artifactregistry.RepositoryRemoteRepositoryConfigUpstreamCredentialsArgs(
                username_password_credentials=gcp.artifactregistry.RepositoryRemoteRepositoryConfigUpstreamCredentialsUsernamePasswordCredentialsArgs(
                    username=upstream.username, password_secret_version=upstream.password_secret_version
                )
            )
        self.repository = gcp.artifactregistry.Repository(
            f"{name}-repository",
            project=args.project,
            location=args.region,
            repository_id=self.repository_id,
            description="Docker Hub pull-through cache for model-server images",
            format="DOCKER",
            mode="REMOTE_REPOSITORY",
            remote_repository_config=gcp.artifactregistry.RepositoryRemoteRepositoryConfigArgs(
                description="Docker Hub",
                docker_repository=gcp.artifactregistry.RepositoryRemoteRepositoryConfigDockerRepositoryArgs(
                    public_repository="DOCKER_HUB"
                ),
                upstream_credentials=credentials,
            ),
            labels=args.naming.labels,
            opts=self.child(depends_on=grants),
        )
        self.image_prefix = f"{remote_repository_host(args.region)}/{args.project}/{self.repository_id}"
        self.register_outputs({"repository": self.repository.name, "image_prefix": self.image_prefix})

    def image(self, reference: str) -> str:
        """Where nodes pull `reference` from (Docker Hub images through this repository)."""
        return pull_through(reference, region=self.region, project=self.project, repository=self.repository_id)
