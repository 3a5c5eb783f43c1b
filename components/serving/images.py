"""Container image references: pinned or rejected, and pulled through the stack's remote repository.

Pure functions. A reference follows the Docker grammar `[registry/]path[:tag][@sha256:digest]`; the
first path component is a registry when it contains a `.` or `:` or is `localhost`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The TPU7x-tested default: the image AI-Hypercomputer/tpu-recipes pins for its Ironwood vLLM recipe
# `inference/ironwood/vLLM/Qwen3.5-397B/qwen3_5-server.yaml` (2x2x1, c8cfe2f6). Tags are
# `nightly-<date>-<tpu-inference sha>-<vllm sha>`.
DEFAULT_VLLM_IMAGE = "vllm/vllm-tpu:nightly-20260626-c539adc-cc79815"
DOCKER_HUB_HOSTS = ("docker.io", "index.docker.io", "registry-1.docker.io")

_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_PATH_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")
# A tag is pinned when it carries a build date (nightly-20260626-...) or a full release version (v0.11.0).
_DATED = re.compile(r"(?<![0-9])20[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])(?![0-9])")
_RELEASE = re.compile(r"^v?[0-9]+\.[0-9]+\.[0-9]+([.+-][A-Za-z0-9.+-]*)?$")
PINNED_HINT = (
    "allowed: a dated tag such as nightly-20260626-c539adc-cc79815, a release version such as v0.11.0, "
    "or a digest @sha256:<64 hex>"
)


@dataclass(frozen=True)
class ImageRef:
    registry: str | None  # None: Docker Hub
    path: str
    tag: str | None
    digest: str | None

    @property
    def on_docker_hub(self) -> bool:
        return self.registry is None or self.registry in DOCKER_HUB_HOSTS

    @property
    def suffix(self) -> str:
        return (f":{self.tag}" if self.tag else "") + (f"@{self.digest}" if self.digest else "")


def parse_image(reference: str) -> ImageRef:
    """Split a reference; raises ValueError naming what is malformed."""
    rest, _, digest = reference.partition("@")
    if digest and not _DIGEST.match(digest):
        raise ValueError(f"{reference!r} has a malformed digest ({PINNED_HINT})")
    name, tag = rest, None
    last_slash = rest.rfind("/")
    if ":" in rest[last_slash + 1 :]:
        name, tag = rest.rsplit(":", 1)
        if not _TAG.match(tag):
            raise ValueError(f"{reference!r} has a malformed tag {tag!r} ({PINNED_HINT})")
    parts = name.split("/")
    registry = None
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        registry, parts = parts[0], parts[1:]
    if not parts or not all(_PATH_COMPONENT.match(p) for p in parts):
        raise ValueError(
            f"{reference!r} is not an image reference (allowed: [registry/]path[:tag][@sha256:digest], "
            "lowercase path, e.g. vllm/vllm-tpu:nightly-20260626-c539adc-cc79815)"
        )
    return ImageRef(registry=registry, path="/".join(parts), tag=tag, digest=digest or None)


def pinned_image(reference: str) -> str:
    """The reference if it cannot move under a running tier; else ValueError saying why."""
    image = parse_image(reference)
    if image.digest:
        return reference
    if image.tag is None:
        raise ValueError(
            f"{reference!r} has no tag, so it means :latest and can change under a running tier ({PINNED_HINT})"
        )
    if image.tag == "latest":
        raise ValueError(f"{reference!r} uses :latest, which moves with every push ({PINNED_HINT})")
    if not (_DATED.search(image.tag) or _RELEASE.match(image.tag)):
        raise ValueError(f"{reference!r}: tag {image.tag!r} is neither dated nor a release version ({PINNED_HINT})")
    return reference


def remote_repository_host(region: str) -> str:
    """Artifact Registry's Docker host for a region (artifact-registry/docs/docker/names)."""
    return f"{region}-docker.pkg.dev"


def pull_through(reference: str, *, region: str, project: str, repository: str) -> str:
    """Where nodes pull `reference` from: Docker Hub images through the stack's remote repository.

    A remote repository serves Docker Hub paths under its own: `REGION-docker.pkg.dev/PROJECT/REPO/
    vllm/vllm-tpu:TAG`. Official single-name images live under `library/` on Docker Hub. Images on
    other registries (Artifact Registry, gcr.io) are pulled where they are.
    """
    image = parse_image(reference)
    if not image.on_docker_hub:
        return reference
    path = image.path if "/" in image.path else f"library/{image.path}"
    return f"{remote_repository_host(region)}/{project}/{repository}/{path}{image.suffix}"
