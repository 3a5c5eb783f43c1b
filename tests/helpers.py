"""Small helpers shared by the graph tests."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import get_origin

import pytest

from components.concerns import parse_config
from components.config.errors import GCP_KEYS, NAMESPACE, ConfigError, annotation_at, model_at
from components.config.platform import PlatformConfig
from components.naming import Naming

LLAMA_8B = {
    "name": "meta-llama/Llama-3.1-8B-Instruct",
    "parametersBillion": 8.03,
    "layers": 32,
    "kvHeads": 8,
    "headDim": 128,
    "maxModelLen": 8192,
    "maxNumSeqs": 64,
}
LLAMA_70B = {**LLAMA_8B, "name": "meta-llama/Llama-3.3-70B-Instruct", "parametersBillion": 70.6, "layers": 80}
SMALL_TIER = {"machineType": "tpu7x-standard-1t", "topology": "1x1x1", "model": LLAMA_8B}

BASE_CONFIG = {
    "gcp:project": "example-project",
    "gcp:region": "us-central1",
    "gcp:zone": "us-central1-c",
    "llm-platform:environment": "dev",
    "llm-platform:tiers": json.dumps({"small": SMALL_TIER}),
}


def tier(**fields: object) -> dict[str, object]:
    """A tier config: the small tier with `fields` replaced."""
    return {**SMALL_TIER, **fields}


def values(overrides: Mapping[str, object] | None = None, drop: tuple[str, ...] = ()) -> dict[str, str]:
    """BASE_CONFIG with fully qualified overrides; objects become JSON text, as the engine passes them."""
    merged = {k: v for k, v in BASE_CONFIG.items() if k not in drop}
    for key, value in (overrides or {}).items():
        merged[key] = value if isinstance(value, str) else json.dumps(value)
    return merged


def config(overrides: Mapping[str, object] | None = None) -> PlatformConfig:
    return parse_config(values(overrides))


def naming(environment: str = "dev", stack: str = "test") -> Naming:
    return Naming(stack=stack, environment=environment)


def _location(key: str) -> tuple[str | int, ...] | None:
    """`llm-platform:a.b[0].c` or `gcp:zone` -> the path in the model tree; None for other namespaces."""
    for field, gcp_key in GCP_KEYS.items():
        if key == gcp_key:
            return (field,)
    if not key.startswith(f"{NAMESPACE}:"):
        return None
    tokens = re.findall(r"[^.\[\]]+|\[\d+\]", key.removeprefix(f"{NAMESPACE}:"))
    return tuple(int(t[1:-1]) if t.startswith("[") else t for t in tokens)


def names_a_leaf(key: str) -> bool:
    """Whether a message's key is one a user edits: a value, a map entry's name, or a key outside the model."""
    location = _location(key)
    if location is None or model_at(PlatformConfig, location) is None:
        return True
    holder = annotation_at(PlatformConfig, location[:-1])
    return get_origin(holder) is dict  # `tiers.<name>`: renaming the entry is the edit


def assert_rejected(bad: Mapping[str, str], expected: str) -> None:
    """`bad` is rejected with `expected` among its lines, and every line names a leaf key, never a model."""
    with pytest.raises(ConfigError) as raised:
        parse_config(bad)
    message = str(raised.value)
    assert expected in message
    for line in message.splitlines()[1:]:
        key = line.strip().split(": ", 1)[0]
        assert names_a_leaf(key), f"{key} is a group of keys, not the leaf to edit"
