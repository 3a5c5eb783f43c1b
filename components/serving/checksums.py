"""Checksums of the Secret values a pod template reads, so a changed value rolls the workload (pure).

Kubernetes does not restart a pod whose Secret changed: an environment variable from a Secret is
read once, at container start. A pod template that carries a checksum of what it reads changes when
the value does, so `pulumi up` rolls every Deployment and LeaderWorkerSet that reads it.

The checksum is SHA-256 over a fixed prefix and the value, and it is deliberately not a Pulumi
secret: it appears in the preview (a rotation is visible as a template change), in the graph and in
the cluster. That is safe only for a value nobody can guess from its hash: the API key is generated
(48 letters and digits, about 285 bits) or, when set by hand, must be at least 32 characters
(`gateway.auth.apiKey`). The value itself stays a Pulumi secret end to end.
"""

from __future__ import annotations

import hashlib

import pulumi

ANNOTATION_PREFIX = "llm-platform/checksum."
_DOMAIN = b"llm-platform secret checksum v1\0"


def annotation(secret: str, key: str) -> str:
    """The pod-template annotation that carries the checksum of `key` in Secret `secret`."""
    return f"{ANNOTATION_PREFIX}{secret}.{key}"


def checksum(value: str) -> str:
    return hashlib.sha256(_DOMAIN + value.encode()).hexdigest()


def checksum_output(value: pulumi.Input[str]) -> pulumi.Output[str]:
    """The checksum of a (secret) value as a plain output: the hash is shown, the value never is."""
    return pulumi.Output.unsecret(pulumi.Output.from_input(value).apply(checksum))
