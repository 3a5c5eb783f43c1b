"""Tenants under mocks: GatewayAuth with three tenants in front of a Deployment tier and a LeaderWorkerSet tier.

One small program, evaluated once per module (twice for the rotation test): three generated keys, one
Secret, each tier's vLLM given exactly the keys of the tenants allowed on it, and no key in the graph.
"""

from __future__ import annotations

import base64
import copy
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest

from components.gateway import GatewayAuth, GatewayAuthArgs
from components.gateway.auth import TENANT_KEYS_SECRET
from components.gateway.config import AuthConfig
from components.serving import InferenceTier
from components.serving.checksums import ANNOTATION_PREFIX
from components.serving.vllm_release import load as load_release
from tests.components.serving.test_inference_tier import LARGE, MEDIUM, tier_args, tier_dependencies
from tests.schemas import built_in_objects, built_in_problems, custom_resources, problems
from tools.graph import StackGraph, record
from tools.mocks import MOCK_SECRET_MARKER

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
LWS = "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet"
PASSWORD = "random:index/randomPassword:RandomPassword"
# alpha and beta have their own limits; beta may call medium only; gamma everything under the general limit.
TENANTS: dict[str, Any] = {
    "alpha": {"rateLimit": {"count": 100, "intervalSec": 60}},
    "beta": {"rateLimit": {"count": 10, "intervalSec": 10}, "tiers": ["medium"]},
    "gamma": {},
}
ENVS = {"alpha": "VLLM_API_KEY_ALPHA", "beta": "VLLM_API_KEY_BETA", "gamma": "VLLM_API_KEY_GAMMA"}


def _program(tenants: dict[str, Any]) -> StackGraph:
    config = AuthConfig.model_validate({"tenants": tenants})

    def build() -> None:
        provider, claim, mount, adapter = tier_dependencies()
        auth = GatewayAuth(
            "auth", GatewayAuthArgs(project="p", config=config, namespace="llm-serving", provider=provider)
        )
        for tier, tier_config in (("medium", MEDIUM), ("large", LARGE)):
            args = tier_args(tier, tier_config, provider, mount, claim, adapter, tenant_keys=auth.keys_for(tier))
            InferenceTier(f"serving-{tier}", args)
        (secret,) = auth.secrets
        assert isinstance(secret, k8s.core.v1.Secret)
        pulumi.export("secretKeys", pulumi.Output.unsecret(secret.data.apply(lambda data: sorted(data or {}))))
        pulumi.export("tenantApiKeys", pulumi.Output.secret(auth.tenant_keys))

    return record(build, stack="test", project="llm-platform")


@pytest.fixture(scope="module")
def tenants() -> StackGraph:
    return _program(TENANTS)


def _serving_container(pod: dict[str, Any]) -> dict[str, Any]:
    (container,) = pod["spec"]["containers"]
    return container


def _key_envs(container: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e["valueFrom"]["secretKeyRef"] for e in container["env"] if "API_KEY" in e["name"]}


def _checksums(pod: dict[str, Any]) -> set[str]:
    return {key for key in pod["metadata"]["annotations"] if key.startswith(ANNOTATION_PREFIX)}


def test_three_tenants_get_three_generated_keys_in_one_masked_secret(tenants: StackGraph) -> None:
    passwords = tenants.by_type(PASSWORD)
    assert sorted(p.name for p in passwords) == ["auth-tenant-alpha", "auth-tenant-beta", "auth-tenant-gamma"]
    assert all(p.inputs == {"length": 48, "special": False} for p in passwords)
    (secret,) = tenants.by_type("kubernetes:core/v1:Secret")
    assert secret.inputs["metadata"]["name"] == TENANT_KEYS_SECRET
    assert secret.inputs["data"] == "[secret]" and "stringData" not in secret.inputs
    assert tenants.outputs["secretKeys"] == ["tenant-alpha", "tenant-beta", "tenant-gamma"]
    assert tenants.outputs["tenantApiKeys"] == "[secret]"


def test_no_key_is_in_the_graph_in_any_encoding(tenants: StackGraph) -> None:
    text = tenants.to_json()
    assert MOCK_SECRET_MARKER not in text
    for tenant in TENANTS:
        key = f"sk-{tenant}-{MOCK_SECRET_MARKER}-auth-tenant-{tenant}"
        assert base64.b64encode(key.encode()).decode() not in text


def test_a_deployment_tier_takes_every_allowed_key_after_one_flag(tenants: StackGraph) -> None:
    pod = tenants.one(DEPLOYMENT).inputs["spec"]["template"]
    container = _serving_container(pod)
    args = container["args"]
    assert args.count("--api-key") == 1
    start = args.index("--api-key")
    assert args[start:] == ["--api-key", "$(VLLM_API_KEY_ALPHA)", "$(VLLM_API_KEY_BETA)", "$(VLLM_API_KEY_GAMMA)"]
    assert _key_envs(container) == {env: {"name": TENANT_KEYS_SECRET, "key": f"tenant-{t}"} for t, env in ENVS.items()}
    assert "VLLM_API_KEY" not in _key_envs(container)
    assert _checksums(pod) == {f"{ANNOTATION_PREFIX}{TENANT_KEYS_SECRET}.tenant-{t}" for t in TENANTS}
    # The pinned vLLM takes several keys after one flag, and a repeated flag would replace them.
    assert load_release().flag("--api-key").takes_several


def test_the_allow_list_keeps_a_tenants_key_off_the_other_tiers(tenants: StackGraph) -> None:
    spec = tenants.one(LWS).inputs["spec"]["leaderWorkerTemplate"]
    leader, worker = spec["leaderTemplate"], spec["workerTemplate"]
    (script,) = _serving_container(leader)["args"]
    assert script.endswith(' --api-key "${VLLM_API_KEY_ALPHA}" "${VLLM_API_KEY_GAMMA}"')
    assert script.count("--api-key") == 1 and "BETA" not in script
    expected = {ENVS[t]: {"name": TENANT_KEYS_SECRET, "key": f"tenant-{t}"} for t in ("alpha", "gamma")}
    # Workers read what the leader reads, as with the single key (one group rolls as one).
    for pod in (leader, worker):
        assert _key_envs(_serving_container(pod)) == expected
        assert _checksums(pod) == {f"{ANNOTATION_PREFIX}{TENANT_KEYS_SECRET}.tenant-{t}" for t in ("alpha", "gamma")}
    assert "--api-key" not in " ".join(_serving_container(worker)["args"])


def test_a_new_key_for_one_tenant_rolls_only_the_tiers_that_read_it(tenants: StackGraph) -> None:
    rotated = _program({**TENANTS, "beta": {**TENANTS["beta"], "apiKey": "sk-beta-" + "r" * 40}})
    before = {r.urn: r for r in tenants.resources}
    after = {r.urn: r for r in rotated.resources}
    changed = {urn for urn in before.keys() & after.keys() if before[urn].inputs != after[urn].inputs}
    (deployment,) = [urn for urn in changed if "Deployment" in urn]
    assert changed == {deployment}  # the LeaderWorkerSet does not read beta's key; the Secret's data is masked
    old, new = copy.deepcopy(before[deployment].inputs), copy.deepcopy(after[deployment].inputs)
    key = f"{ANNOTATION_PREFIX}{TENANT_KEYS_SECRET}.tenant-beta"
    old_pod, new_pod = old["spec"]["template"], new["spec"]["template"]
    assert old_pod["metadata"]["annotations"].pop(key) != new_pod["metadata"]["annotations"].pop(key)
    assert old == new
    assert set(before) - set(after) == {u for u in before if u.endswith("::auth-tenant-beta")}
    assert "r" * 40 not in rotated.to_json()


def test_every_object_passes_its_schema(tenants: StackGraph) -> None:
    for resource in custom_resources(tenants.resources):
        assert problems(resource) == [], resource.urn
    for resource in built_in_objects(tenants.resources):
        assert built_in_problems(resource) == [], resource.urn


def test_a_supplied_key_is_used_as_is() -> None:
    config = AuthConfig.model_validate({"tenants": {"legacy": {"apiKey": "an-old-shared-key-0123456789abcdef"}}})
    seen: dict[str, Any] = {}

    def build() -> None:
        provider = k8s.Provider("cluster", kubeconfig="apiVersion: v1\nkind: Config\n")
        auth = GatewayAuth(
            "auth", GatewayAuthArgs(project="p", config=config, namespace="llm-serving", provider=provider)
        )
        seen["refs"] = auth.keys_for("small")
        pulumi.export("key", pulumi.Output.unsecret(auth.tenant_keys["legacy"]))

    graph = record(build, stack="test", project="llm-platform")
    assert graph.by_type(PASSWORD) == []
    assert graph.outputs["key"] == "an-old-shared-key-0123456789abcdef"
    assert [ref.env for ref in seen["refs"]] == ["VLLM_API_KEY_LEGACY"]


# What both edges' Cloud Armor policies hold for TENANTS: one throttle per rate-limited tenant, per key,
# between the WAF rules and the general throttle (gamma has no limit of its own).
TENANT_RULES = [
    {
        "action": "throttle",
        "description": "tenant alpha: 100 per 60 s per key",
        "match": {"expr": {"expression": "request.headers['authorization'].startsWith('Bearer sk-alpha-')"}},
        "priority": 9900,
        "rateLimitOptions": {
            "conformAction": "allow",
            "enforceOnKey": "HTTP_HEADER",
            "enforceOnKeyName": "Authorization",
            "exceedAction": "deny(429)",
            "rateLimitThreshold": {"count": 100, "intervalSec": 60},
        },
    },
    {
        "action": "throttle",
        "description": "tenant beta: 10 per 10 s per key",
        "match": {"expr": {"expression": "request.headers['authorization'].startsWith('Bearer sk-beta-')"}},
        "priority": 9901,
        "rateLimitOptions": {
            "conformAction": "allow",
            "enforceOnKey": "HTTP_HEADER",
            "enforceOnKeyName": "Authorization",
            "exceedAction": "deny(429)",
            "rateLimitThreshold": {"count": 10, "intervalSec": 10},
        },
    },
]


def assert_tenant_throttles(rules: list[dict[str, Any]]) -> None:
    """The tenants' rules as TENANT_RULES says, after every WAF rule and before the general throttle."""
    ordered = sorted(rules, key=lambda r: r["priority"])
    tenant_rules = [r for r in ordered if r.get("description", "").startswith("tenant ")]
    assert tenant_rules == TENANT_RULES
    waf = [r for r in ordered if "evaluatePreconfiguredWaf" in r["match"].get("expr", {}).get("expression", "")]
    general = next(r for r in ordered if r["action"] == "throttle" and r not in tenant_rules)
    assert max(r["priority"] for r in waf) < tenant_rules[0]["priority"]
    assert tenant_rules[-1]["priority"] < general["priority"]
    # With tenants, rateLimit.key apiKey still counts per Authorization header.
    assert general["rateLimitOptions"]["enforceOnKey"] == "HTTP_HEADER"
    assert all(len(r.get("description", "")) <= 64 for r in ordered)
    assert "mock-generated-secret" not in str(ordered)
