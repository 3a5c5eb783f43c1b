"""The typed stack config: valid stacks parse, every bad input names its key."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.config import ConfigError, parse_platform_config
from tests.helpers import BASE_CONFIG, LLAMA_8B, LLAMA_70B, tier, values
from tools.graph import ProgramError, evaluate


def test_committed_stacks_are_valid(stack_configs: dict[str, dict[str, str]]) -> None:
    dev = parse_platform_config(stack_configs["dev"])
    prod = parse_platform_config(stack_configs["prod"])
    assert (dev.environment, dev.protect) == ("dev", False)
    assert (prod.environment, prod.protect) == ("prod", True)


def test_defaults_fill_everything_optional() -> None:
    parsed = parse_platform_config(BASE_CONFIG)
    assert parsed.network.private_services_cidr_prefix == 20
    assert parsed.serving.namespace == "llm-serving"
    assert parsed.model_bucket.name is None


BAD_CONFIGS = [
    pytest.param(values({"llm-platform:bogus": "1"}), "llm-platform:bogus: unknown key", id="unknown-top-level-key"),
    pytest.param(
        values({"llm-platform:network": {"subnetCidr": "10.0.0.0/20", "mtu": 1460}}),
        "llm-platform:network.mtu: unknown key",
        id="unknown-nested-key",
    ),
    pytest.param(values(drop=("gcp:project",)), "gcp:project: required", id="missing-project"),
    pytest.param(
        values(drop=("llm-platform:environment",)), "llm-platform:environment: required", id="missing-environment"
    ),
    pytest.param(
        values({"gcp:project": "Bad_Project"}),
        "gcp:project: 'Bad_Project' is not a Google Cloud project id",
        id="bad-project-id",
    ),
    pytest.param(values({"gcp:region": "central"}), "gcp:region:", id="bad-region"),
    pytest.param(
        values({"gcp:zone": "us-east1-b"}),
        "gcp:zone: us-east1-b is not in region us-central1",
        id="zone-outside-region",
    ),
    pytest.param(
        values({"llm-platform:environment": "test"}),
        "llm-platform:environment: Input should be 'dev', 'staging' or 'prod'",
        id="bad-environment",
    ),
    pytest.param(
        values({"llm-platform:environment": "prod", "llm-platform:deletionProtection": "false"}),
        "llm-platform:deletionProtection: false is not allowed when environment is prod",
        id="prod-without-protection",
    ),
    pytest.param(
        values({"llm-platform:network": {"privateServicesCidrPrefix": 26}}),
        "llm-platform:network.privateServicesCidrPrefix: 26 is out of range (allowed: 8 <= value <= 24)",
        id="psa-range-too-small",
    ),
    pytest.param(
        values({"llm-platform:network": {"subnetCidr": "10.0.0.1/20"}}),
        "llm-platform:network.subnetCidr: '10.0.0.1/20' is not an IPv4 CIDR block",
        id="cidr-host-bits",
    ),
    pytest.param(
        values({"llm-platform:network": {"podsCidr": "8.8.0.0/14"}}),
        "llm-platform:network.podsCidr: '8.8.0.0/14' is not a private range",
        id="public-cidr",
    ),
    pytest.param(
        values({"llm-platform:network": {"subnetCidr": "10.16.0.0/20"}}),
        "llm-platform:network: subnetCidr 10.16.0.0/20 overlaps podsCidr 10.16.0.0/14",
        id="overlapping-ranges",
    ),
    pytest.param(
        values({"llm-platform:modelBucket": {"name": "Has.Upper"}}),
        "llm-platform:modelBucket.name: 'Has.Upper' is not a valid bucket name",
        id="bad-bucket-name",
    ),
    pytest.param(
        values({"llm-platform:modelBucket": {"noncurrentVersionRetentionDays": 0}}),
        "llm-platform:modelBucket.noncurrentVersionRetentionDays: 0 is out of range (allowed: 1 <= value <= 3650)",
        id="retention-zero",
    ),
    pytest.param(
        values({"llm-platform:modelBucket": {"location": "us central"}}),
        "llm-platform:modelBucket.location: 'us central' is not a Cloud Storage location",
        id="bad-bucket-location",
    ),
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
        values({"llm-platform:labels": {"Team": "x"}}),
        "llm-platform:labels: label key 'Team' is invalid",
        id="bad-label-key",
    ),
    pytest.param(
        values({"llm-platform:project": "other-project"}),
        "llm-platform:project: unknown key (set gcp:project instead)",
        id="project-in-own-namespace",
    ),
    # TPU shapes and sizing: every message names the tier and the numbers
    pytest.param(
        values({"gcp:zone": "us-central1-a"}),
        "gcp:zone: us-central1-a has no TPU7x capacity (allowed: us-central1-c, us-central1-ai1a)",
        id="zone-without-tpu7x",
    ),
    pytest.param(
        values({"llm-platform:tiers": {"small": tier(topology="2x2x3", machineType="tpu7x-standard-4t")}}),
        "llm-platform:tiers.small: topology 2x2x3 (12 chips) is not a TPU7x slice",
        id="invalid-topology",
    ),
    pytest.param(
        values({"llm-platform:tiers": {"small": tier(topology="2x2x1")}}),
        "llm-platform:tiers.small: topology 2x2x1 runs on tpu7x-standard-4t, not tpu7x-standard-1t",
        id="machine-type-topology-mismatch",
    ),
    pytest.param(
        values({"llm-platform:tiers": {"small": tier(machineType="ct5p-hightpu-4t")}}),
        "llm-platform:tiers.small: machine type 'ct5p-hightpu-4t' is not TPU7x",
        id="not-tpu7x",
    ),
    pytest.param(
        values({"llm-platform:tiers": {"small": tier(model=LLAMA_70B)}}),
        "llm-platform:tiers.small: model needs 291.5 GiB HBM (weights 131.5 + KV cache 160.0) but 1x1x1 has "
        "172.8 GiB usable",
        id="model-does-not-fit",
    ),
    pytest.param(
        values({"llm-platform:tiers": {"big": tier(machineType="tpu7x-standard-4t", topology="2x2x2", maxReplicas=2)}}),
        "llm-platform:tiers.big: a multi-host tier is one 2x2x2 slice (2 VMs) per node pool (allowed: maxReplicas 1",
        id="multi-host-replicas",
    ),
    pytest.param(
        values({"llm-platform:tiers": {"small": tier(capacity={"type": "flex-start"}, minReplicas=1)}}),
        "llm-platform:tiers.small: flex-start capacity has no static node count (allowed: minReplicas 0)",
        id="flex-start-static-count",
    ),
    pytest.param(
        values({"llm-platform:tiers": {"small": tier(capacity={"type": "reservation"})}}),
        "llm-platform:tiers.small.capacity: type reservation needs a reservation name",
        id="reservation-without-name",
    ),
    pytest.param(
        values({"llm-platform:tiers": {"small": tier(capacity={"type": "spot", "queuedProvisioning": True})}}),
        "llm-platform:tiers.small.capacity: queuedProvisioning needs type flex-start, not spot",
        id="queued-without-flex-start",
    ),
    pytest.param(
        values({"llm-platform:tiers": {"small": tier(capacity={"type": "preemptible"})}}),
        "llm-platform:tiers.small.capacity.type: Input should be 'on-demand', 'reservation', 'flex-start' or 'spot'",
        id="unknown-capacity-type",
    ),
    pytest.param(
        values({"llm-platform:tiers": {"small": tier(minReplicas=3, maxReplicas=2)}}),
        "llm-platform:tiers.small: minReplicas 3 is above maxReplicas 2",
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
        values({"llm-platform:tiers": {}}),
        "llm-platform:tiers: is empty (allowed: at least 1 entry)",
        id="no-tiers",
    ),
    pytest.param(
        values({"llm-platform:tiers": {"Small_Tier": tier()}}),
        "llm-platform:tiers.Small_Tier: 'Small_Tier' is not a Kubernetes name",
        id="bad-tier-name",
    ),
    pytest.param(
        values({"llm-platform:tiers": {"interactive-low-latency": tier()}}),
        "llm-platform:tiers.interactive-low-latency: name is 23 characters (allowed: at most 20",
        id="tier-name-too-long",
    ),
    pytest.param(
        values({"llm-platform:cluster": {"minMasterVersion": "1.33.5-gke.1000000"}}),
        "llm-platform:cluster.minMasterVersion: 1.33.5-gke.1000000 predates TPU7x support "
        "(allowed: 1.34.0-gke.2201000 or later)",
        id="gke-too-old",
    ),
    pytest.param(
        values({"llm-platform:cluster": {"masterIpv4Cidr": "172.16.0.0/24"}}),
        "llm-platform:cluster: masterIpv4Cidr 172.16.0.0/24 is not a /28",
        id="master-range-size",
    ),
    pytest.param(
        values({"llm-platform:cluster": {"releaseChannel": "EXTENDED"}}),
        "llm-platform:cluster.releaseChannel: Input should be 'RAPID', 'REGULAR' or 'STABLE'",
        id="release-channel",
    ),
    # Model store
    pytest.param(
        values({"llm-platform:modelStore": {"parallelstore": {"capacityGib": 10000}}}),
        "llm-platform:modelStore.parallelstore.capacityGib: 10000 GiB is not a Parallelstore capacity "
        "(allowed: 12000 to 100000 in steps of 4000",
        id="parallelstore-too-small",
    ),
    pytest.param(
        values({"llm-platform:modelStore": {"parallelstore": {"capacityGib": 14000}}}),
        "llm-platform:modelStore.parallelstore.capacityGib: 14000 GiB is not a Parallelstore capacity",
        id="parallelstore-off-step",
    ),
    pytest.param(
        values({"llm-platform:modelStore": {"parallelstore": {"capacityGib": 104000}}}),
        "llm-platform:modelStore.parallelstore.capacityGib: 104000 GiB is not a Parallelstore capacity",
        id="parallelstore-too-large",
    ),
    pytest.param(
        values({"llm-platform:modelStore": {"type": "filestore"}}),
        "llm-platform:modelStore.type: Input should be 'parallelstore' or 'gcsfuse'",
        id="unknown-store",
    ),
    pytest.param(
        values({"llm-platform:modelStore": {"prefix": "/models"}}),
        "llm-platform:modelStore.prefix: '/models' is not a bucket folder",
        id="bad-prefix",
    ),
    pytest.param(
        values({"llm-platform:modelStore": {"mountPath": "models"}}),
        "llm-platform:modelStore.mountPath: 'models' is not a usable mount path",
        id="relative-mount-path",
    ),
    pytest.param(
        values({"llm-platform:modelStore": {"parallelstore": {"fileStripeLevel": "maximum"}}}),
        "llm-platform:modelStore.parallelstore.fileStripeLevel: Input should be 'min', 'balanced' or 'max'",
        id="stripe-level",
    ),
    pytest.param(
        values({"llm-platform:modelStore": {"parallelstore": {"instanceId": "x"}}}),
        "llm-platform:modelStore.parallelstore.instanceId: unknown key (allowed: capacityGib, directoryStripeLevel, "
        "fileStripeLevel, mountLocality)",
        id="parallelstore-unknown-key",
    ),
    pytest.param(
        values({"llm-platform:cluster": {"masterAuthorizedNetworks": [{"cidr": "10.0.0.1/8", "name": "x"}]}}),
        "llm-platform:cluster.masterAuthorizedNetworks.0.cidr: '10.0.0.1/8' is not an IPv4 CIDR block (10.0.0.1/8 has "
        "host bits set; allowed: e.g. 203.0.113.0/24)",
        id="authorized-network-cidr",
    ),
]


@pytest.mark.parametrize(("bad", "expected"), BAD_CONFIGS)
def test_bad_config_names_its_key(bad: dict[str, str], expected: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_platform_config(bad)
    assert expected in str(raised.value)
    assert "Traceback" not in str(raised.value)


def test_every_problem_is_listed_at_once() -> None:
    bad = values({"llm-platform:bogus": "1", "gcp:project": "x", "llm-platform:serving": {"port": 1}})
    with pytest.raises(ConfigError) as raised:
        parse_platform_config(bad)
    lines = str(raised.value).splitlines()[1:]
    assert [line.split(":")[0:2] for line in lines] == [
        ["  gcp", "project"],
        ["  llm-platform", "bogus"],
        ["  llm-platform", "serving.port"],
    ]


def test_bad_config_stops_the_program_before_any_resource() -> None:
    with pytest.raises(ProgramError) as raised:
        evaluate("dev", config=values({"gcp:zone": "europe-west4-a"}))
    assert "gcp:zone: europe-west4-a is not in region us-central1" in str(raised.value)
    assert raised.value.registered == 0


@given(st.integers(min_value=0, max_value=200_000))
def test_parallelstore_capacity_rule(capacity: int) -> None:
    valid = 12000 <= capacity <= 100000 and capacity % 4000 == 0
    overrides = {"llm-platform:modelStore": {"parallelstore": {"capacityGib": capacity}}}
    if valid:
        assert parse_platform_config(values(overrides)).model_store.parallelstore.capacity_gib == capacity
    else:
        with pytest.raises(ConfigError, match="is not a Parallelstore capacity"):
            parse_platform_config(values(overrides))


def test_model_store_defaults_follow_the_environment() -> None:
    assert parse_platform_config(values()).model_store_type == "gcsfuse"
    assert parse_platform_config(values({"llm-platform:environment": "prod"})).model_store_type == "parallelstore"
    chosen = {"llm-platform:environment": "prod", "llm-platform:modelStore": {"type": "gcsfuse"}}
    assert parse_platform_config(values(chosen)).model_store_type == "gcsfuse"
