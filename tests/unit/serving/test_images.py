"""Images are pinned, and Docker Hub images are pulled through the stack's remote repository."""

from __future__ import annotations

import pytest

from components.serving.images import DEFAULT_VLLM_IMAGE, parse_image, pinned_image, pull_through

DIGEST = "sha256:" + "a" * 64


@pytest.mark.parametrize(
    "reference",
    [
        DEFAULT_VLLM_IMAGE,
        "vllm/vllm-tpu:nightly-20260730-30dcf7a-48aa8d8",
        "docker.io/vllm/vllm-tpu:v0.11.0",
        f"vllm/vllm-tpu@{DIGEST}",
        f"vllm/vllm-tpu:nightly@{DIGEST}",
        "us-docker.pkg.dev/p/r/vllm-tpu:2026-06-26".replace("2026-06-26", "build-20260626"),
        "localhost:5000/team/server:1.2.3",
    ],
)
def test_pinned_references_are_accepted(reference: str) -> None:
    assert pinned_image(reference) == reference


@pytest.mark.parametrize(
    ("reference", "why"),
    [
        ("vllm/vllm-tpu", "has no tag"),
        ("vllm/vllm-tpu:latest", "uses :latest"),
        ("vllm/vllm-tpu:nightly", "neither dated nor a release version"),
        ("vllm/vllm-tpu:nightly-20261399-abc", "neither dated nor a release version"),
        ("vllm/vllm-tpu@sha256:abc", "malformed digest"),
        ("VLLM/Server:v1.0.0", "is not an image reference"),
    ],
)
def test_moving_or_malformed_references_are_rejected(reference: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        pinned_image(reference)


def test_docker_hub_images_go_through_the_remote_repository() -> None:
    where = {"region": "us-central1", "project": "p", "repository": "hub"}
    assert pull_through(DEFAULT_VLLM_IMAGE, **where) == (
        "us-central1-docker.pkg.dev/p/hub/vllm/vllm-tpu:nightly-20260626-c539adc-cc79815"
    )
    assert (
        pull_through("docker.io/library/busybox:1.36.1", **where)
        == "us-central1-docker.pkg.dev/p/hub/library/busybox:1.36.1"
    )
    assert pull_through("busybox:1.36.1", **where) == "us-central1-docker.pkg.dev/p/hub/library/busybox:1.36.1"
    assert pull_through(f"vllm/vllm-tpu@{DIGEST}", **where).endswith(f"/hub/vllm/vllm-tpu@{DIGEST}")
    elsewhere = "us-docker.pkg.dev/other/images/vllm-tpu:v1.0.0"
    assert pull_through(elsewhere, **where) == elsewhere


def test_parse_keeps_registry_port_apart_from_the_tag() -> None:
    image = parse_image("localhost:5000/server")
    assert (image.registry, image.path, image.tag) == ("localhost:5000", "server", None)
