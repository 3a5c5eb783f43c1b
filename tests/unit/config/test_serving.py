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
    pytest.param(
        values({"llm-platform:tiers": {"small": tier(image="vllm/vllm-tpu:latest")}}),
        "llm-platform:tiers.small.image: 'vllm/vllm-tpu:latest' uses :latest, which moves with every push",
        id="latest-image",
    ),
    pytest.param(
        values({"llm-platform:serving": {"image": "vllm/vllm-tpu"}}),
        "llm-platform:serving.image: 'vllm/vllm-tpu' has no tag",
        id="untagged-image",
    ),
    pytest.param(
        values({"llm-platform:tiers": {"small": tier(model={"preset": "llama-9"})}}),
        "llm-platform:tiers.small.model.preset: 'llama-9' is not a known preset (allowed: gemma-3-27b-it",
        id="unknown-preset",
    ),
    pytest.param(
        values(
            {
                "llm-platform:tiers": {
                    "small": tier(model={"preset": "qwen3-32b", "maxModelLen": 65536, "maxNumSeqs": 1})
                }
            }
        ),
        "llm-platform:tiers.small.model.maxModelLen: 65536 is above the model's context of 40960 tokens",
        id="context-too-long",
    ),
    pytest.param(
        values({"llm-platform:tiers": {"small": tier(model={**LLAMA_8B, "kvCacheDtype": "int8"})}}),
        "llm-platform:tiers.small.model.kvCacheDtype: int8 is not a vLLM KV-cache type (allowed: bf16, fp16, fp8)",
        id="kv-dtype-vllm-lacks",
    ),
    pytest.param(
        values({"llm-platform:tiers": {"small": tier(dataParallelSize=3)}}),
        "llm-platform:tiers.small.dataParallelSize: 3 does not divide the slice's 2 TensorCores",
        id="tp-times-dp",
    ),
    pytest.param(
        values(
            {
                "llm-platform:tiers": {
                    "big": tier(
                        machineType="tpu7x-standard-4t",
                        topology="2x2x2",
                        dataParallelSize=2,
                        model={"preset": "llama-3.1-405b-instruct", "maxModelLen": 4096, "maxNumSeqs": 8},
                    )
                }
            }
        ),
        "llm-platform:tiers.big.dataParallelSize: 2: a multi-host tier runs one tensor-parallel engine",
        id="multi-host-data-parallel",
    ),
    pytest.param(
        values({"llm-platform:tiers": {"small": tier(vllmArgs=["--max-model-len=4096", "--async-scheduling"])}}),
        "llm-platform:tiers.small.vllmArgs: sets --max-model-len, which the platform derives",
        id="derived-flag-twice",
    ),
    pytest.param(
        values({"llm-platform:tiers": {"small": tier(env={"VLLM_API_KEY": "x"})}}),
        "llm-platform:tiers.small.env: VLLM_API_KEY is set by the platform",
        id="platform-env",
    ),
    pytest.param(
        values({"llm-platform:tiers": {"small": tier(startupTimeoutSeconds=600)}}),
        "llm-platform:tiers.small.startupTimeoutSeconds: 600 is out of range (allowed: 1800 <= value",
        id="startup-too-short",
    ),
    pytest.param(
        values(
            {
                "llm-platform:serving": {
                    "registry": {"upstreamCredentials": {"username": "u", "passwordSecretVersion": "my-token"}}
                }
            }
        ),
        "llm-platform:serving.registry.upstreamCredentials.passwordSecretVersion: 'my-token' is not a Secret Manager "
        "version",
        id="secret-version",
    ),
]


@pytest.mark.parametrize(("bad", "expected"), BAD_CONFIGS)
def test_bad_config_names_its_key(bad: dict[str, str], expected: str) -> None:
    assert_rejected(bad, expected)
