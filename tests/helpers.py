"""Small helpers shared by the graph tests."""

from __future__ import annotations

import json
from collections.abc import Mapping

from components.config import PlatformConfig, parse_platform_config
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
    return parse_platform_config(values(overrides))


def naming(environment: str = "dev", stack: str = "test") -> Naming:
    return Naming(stack=stack, environment=environment)
