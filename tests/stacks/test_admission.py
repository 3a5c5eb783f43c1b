"""Binary Authorization admits exactly what each stack pins: its pods' images, and GKE's system images.

Patterns are matched as the API documents `admissionWhitelistPatterns[].namePattern` (v1beta1
AdmissionWhitelistPattern): the pattern is matched against the image reference as the pod names it
(tag or digest included: "gcr.io/nginx* matches gcr.io/nginx@latest"); a trailing `*` matches text
without `/`, a trailing `**` matches subdirectories too; anything else must be equal. The default rule
is ALWAYS_DENY (asserted in test_security_fields.py), so what no pattern matches is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tools.graph import StackGraph

POLICY = "gcp:binaryauthorization/policy:Policy"
GKE_IMAGES = "gke.gcr.io/**"


def admitted(patterns: list[str], image: str) -> bool:
    for pattern in patterns:
        if pattern.endswith("**"):
            if image.startswith(pattern[:-2]):
                return True
        elif pattern.endswith("*"):
            rest = image[len(pattern) - 1 :]
            if image.startswith(pattern[:-1]) and "/" not in rest:
                return True
        elif image == pattern:
            return True
    return False


def test_the_matcher_follows_the_documented_examples() -> None:
    assert admitted(["gcr.io/nginx*"], "gcr.io/nginx@latest")
    assert not admitted(["gcr.io/nginx*"], "gcr.io/nginx/image")
    assert admitted(["gcr.io/nginx**"], "gcr.io/nginx/image")
    assert not admitted(["gcr.io/nginx:1.27"], "gcr.io/nginx:1.28")


def _images(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "image" and isinstance(item, str):
                yield item
            else:
                yield from _images(item)
    elif isinstance(value, list):
        for item in value:
            yield from _images(item)


def _pod_images(graph: StackGraph) -> set[str]:
    found = {image for r in graph.resources if r.type.startswith("kubernetes:") for image in _images(r.inputs)}
    for chart in graph.by_type("kubernetes:helm.sh/v4:Chart"):  # opaque offline: the image its values pin
        manager = chart.inputs["values"]["image"]["manager"]
        found.add(f"{manager['repository']}:{manager['tag']}")
    return found


def _patterns(graph: StackGraph) -> list[str]:
    return [p["namePattern"] for p in graph.one(POLICY).inputs["admissionWhitelistPatterns"]]


@pytest.mark.parametrize("stack", ["dev", "staging", "prod", "legacy"])
def test_every_pinned_image_is_admitted_and_nothing_more(graphs: dict[str, StackGraph], stack: str) -> None:
    graph = graphs[stack]
    patterns, images = _patterns(graph), _pod_images(graph)
    assert images and all(admitted(patterns, image) for image in images), sorted(images)
    # Every pattern but GKE's is one of the references the pods name: no path, no wildcard beyond them.
    assert sorted(set(patterns) - {GKE_IMAGES}) == sorted(images)


@pytest.mark.parametrize("stack", ["dev", "staging", "prod", "legacy"])
def test_an_image_the_stack_does_not_pin_is_refused(graphs: dict[str, StackGraph], stack: str) -> None:
    graph = graphs[stack]
    patterns = _patterns(graph)
    served = next(image for image in _pod_images(graph) if "/vllm/vllm-tpu:" in image)
    repository = served.split("/vllm/vllm-tpu:")[0]
    for stranger in (
        f"{repository}/library/nginx:1.27.3",  # any Docker Hub image through the same remote repository
        f"{repository}/vllm/vllm-tpu:nightly-20990101-0000000-0000000",  # the same image, another tag
        f"{repository}/vllm/vllm-tpu:latest",
        served.replace("nightly-", "nightly-x"),
        "docker.io/vllm/vllm-tpu:nightly-20260626-c539adc-cc79815",  # the pinned tag, not from the stack's mirror
    ):
        assert not admitted(patterns, stranger), stranger
    assert admitted(patterns, "gke.gcr.io/gcs-fuse-csi-driver-sidecar-mounter:v1.17.2-gke.0")  # GKE's sidecars
