"""`llm-platform:serving.*` and `llm-platform:tiers.<name>.*`: every message names the leaf key and the numbers."""

from __future__ import annotations

import pytest

from tests.helpers import LLAMA_8B, LLAMA_70B, assert_rejected, tier, values

BAD_CONFIGS = [
    pytest.param(
        values({"llm-platform:serving": {"namespace": "Serving_NS"}}),
        "llm-platform:serving.namespace: 'Serving_NS' is not a Kubernetes name",
        id="bad-namespace",
    ),
    pytest.param(
        values({"llm-platform:serving": {"port": 80}}),
        "llm-platform:serving.port: 80 is out of range (allowed: 1024 <= value <= 65535)",
        id="privileged-port",
    ),
    pytest.param(
        values({"llm-platform:tiers": {"small": tier(topology="2x2x3", machineType="tpu7x-standard-4t")}}),
        "llm-platform:tiers.small.topology: topology 2x2x3 (12 chips) is not a TPU7x slice",
        id="invalid-topology",
    ),
    pytest.param(
        values({"llm-platform:tiers": {"small": tier(topology="2x2x1")}}),
        "llm-platform:tiers.small.machineType: topology 2x2x1 runs on tpu7x-standard-4t, not tpu7x-standard-1t",
        id="machine-type-topology-mismatch",
    ),
    pytest.param(
        values({"llm-platform:tiers": {"small": tier(machineType="ct5p-hightpu-4t")}}),
        "llm-platform:tiers.small.machineType: machine type 'ct5p-hightpu-4t' is not TPU7x",
        id="not-tpu7x",
    ),
    pytest.param(
        values({"llm-platform:tiers": {"small": tier(model=LLAMA_70B)}}),
        "llm-platform:tiers.small.topology: model needs 291.5 GiB HBM (weights 131.5 + KV cache 160.0) but 1x1x1 "
        "has 172.8 GiB usable",
        id="model-does-not-fit",
    ),
    pytest.param(
        values({"llm-platform:tiers": {"big": tier(machineType="tpu7x-standard-4t", topology="2x2x2", maxReplicas=2)}}),
        "llm-platform:tiers.big.maxReplicas: 2: a multi-host tier is one 2x2x2 slice (2 VMs) per node pool (allowed: 1",
        id="multi-host-replicas",
    ),
    pytest.param(
        values({"llm-platform:tiers": {"small": tier(capacity={"type": "flex-start"}, minReplicas=1)}}),
        "llm-platform:tiers.small.minReplicas: 1: flex-start capacity has no static node count (allowed: 0)",
        id="flex-start-static-count",
    ),
    pytest.param(
        values({"llm-platform:tiers": {"small": tier(minReplicas=3, maxReplicas=2)}}),
        "llm-platform:tiers.small.minReplicas: 3 is above maxReplicas 2",
        id="replica-bounds",
    ),
    pytest.param(
        values({"llm-platform:tiers": {"small": tier(model={**LLAMA_8B, "weightDtype": "fp4"})}}),
        "llm-platform:tiers.small.model.weightDtype: Input should be 'bf16', 'fp16', 'fp8', 'int8' or 'int4'",
        id="unknown-dtype",
    ),
    pytest.param(
        values({"llm-platform:tiers": {"small": tier(model={**LLAMA_8B, "experts": 8})}}),
        "llm-platform:tiers.small.model.experts: unknown key (allowed: headDim, kvCacheDtype",
        id="unknown-model-key",
    ),
    pytest.param(
        values({"llm-platform:tiers": {"Small_Tier": tier()}}),
        "llm-platform:tiers.Small_Tier: 'Small_Tier' is not a Kubernetes name",
        id="bad-tier-name",
    ),
]


@pytest.mark.parametrize(("bad", "expected"), BAD_CONFIGS)
def test_bad_config_names_its_key(bad: dict[str, str], expected: str) -> None:
    assert_rejected(bad, expected)
