"""Security-relevant fields of the recorded stacks, asserted literally (not only through the snapshots).

Every grant's role and member, the network tag the TPU pools carry and the firewall rules that
target it, Binary Authorization's enforcement, and the Lustre importer's custom role. A change to
any of these is a security review, so it fails here with the value to review, before the snapshot
diff that `make snapshots` would accept.
"""

from __future__ import annotations

import pytest

from tools.graph import StackGraph

NODES = "serviceAccount:llm-{stack}-gke-nodes@replace-me-llm-{stack}.iam.gserviceaccount.com"
POOL = "principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/replace-me-llm-{stack}.svc.id.goog"
SERVING_KSA = POOL + "/subject/ns/llm-serving/sa/model-server"
ADAPTER_KSA = POOL + "/subject/ns/custom-metrics/sa/custom-metrics-stackdriver-adapter"
AGENT = "serviceAccount:service-123456789012@{domain}.iam.gserviceaccount.com"
BILLING = "serviceAccount:billing-budget-alert@system.gserviceaccount.com"

WEIGHTS_KSA = POOL + "/subject/ns/llm-serving/sa/llm-{stack}-weights-{digest}"


def _weights_grants(digest: str) -> dict[str, tuple[str, str]]:
    """A weights Job's two grants: its own folder (condition asserted in test_weights_job.py), the token."""
    member = WEIGHTS_KSA.replace("{digest}", digest)
    return {
        f"weights-{digest}-folder": ("roles/storage.objectUser", member),
        f"weights-{digest}-token": ("roles/secretmanager.secretAccessor", member),
    }


COMMON_GRANTS = {
    "gke-nodes-artifactregistry-reader": ("roles/artifactregistry.reader", NODES),
    "gke-nodes-container-defaultnodeserviceaccount": ("roles/container.defaultNodeServiceAccount", NODES),
    "gke-nodes-serviceusage-serviceusageconsumer": ("roles/serviceusage.serviceUsageConsumer", NODES),
    "metrics-adapter-monitoring-viewer": ("roles/monitoring.viewer", ADAPTER_KSA),
    "identity-model-reader": ("roles/storage.objectViewer", SERVING_KSA),
    "compile-cache-writer": ("roles/storage.objectUser", SERVING_KSA),
    "network-peering-agent-role": (
        "roles/servicenetworking.serviceAgent",
        AGENT.format(domain="service-networking", stack="{stack}"),
    ),
    "budget-publisher": ("roles/pubsub.publisher", BILLING),
    **_weights_grants("c6033c3921"),  # Llama 3.1 8B at 0e9e39f2...
}
PROD_GRANTS = {
    **_weights_grants("d38906ef27"),  # Llama 3.3 70B at 6f6073b4...
    **_weights_grants("6698ccb09b"),  # Llama 3.1 405B at 069992c7...
    **COMMON_GRANTS,
    "observability-requests-writer": (
        "roles/bigquery.dataEditor",
        AGENT.format(domain="gcp-sa-logging", stack="{stack}"),
    ),
    "observability-alerts-publisher": (
        "roles/pubsub.publisher",
        AGENT.format(domain="gcp-sa-monitoring-notification", stack="{stack}"),
    ),
    "model-store-importer-can-import": (
        "projects/replace-me-llm-{stack}/roles/llm_{stack}_lustreImporter",
        "serviceAccount:llm-{stack}-lustre-import@replace-me-llm-{stack}.iam.gserviceaccount.com",
    ),
    "model-store-importer-federation": (
        "roles/iam.workloadIdentityUser",
        "serviceAccount:replace-me-llm-{stack}.svc.id.goog[llm-serving/lustre-importer]",
    ),
    "model-store-agent-reads-bucket": (
        "roles/storage.objectViewer",
        AGENT.format(domain="gcp-sa-lustre", stack="{stack}"),
    ),
}
GRANTS = {"dev": COMMON_GRANTS, "prod": PROD_GRANTS}


def _is_grant(type_: str) -> bool:
    return type_.rsplit(":", 1)[-1].lower().endswith(("iammember", "iambinding", "iampolicy"))


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_grant_names_its_role_and_member(graphs: dict[str, StackGraph], stack: str) -> None:
    found = {r.name: (r.inputs["role"], r.inputs["member"]) for r in graphs[stack].resources if _is_grant(r.type)}
    expected = {
        name: (role.format(stack=stack), member.format(stack=stack)) for name, (role, member) in GRANTS[stack].items()
    }
    assert found == expected


def test_the_lustre_importer_holds_only_its_two_permissions(prod: StackGraph) -> None:
    """Not roles/lustre.admin (which can delete the instance): a custom role with importData and operations.get."""
    (role,) = prod.by_type("gcp:projects/iAMCustomRole:IAMCustomRole")
    assert role.inputs["roleId"] == "llm_prod_lustreImporter"
    assert role.inputs["permissions"] == ["lustre.instances.importData", "lustre.operations.get"]
    roles = {r.inputs.get("role") for r in prod.resources if _is_grant(r.type)}
    assert not {role for role in roles if role and role.startswith("roles/lustre.")}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_serving_pools_carry_the_tag_the_firewall_rules_target(graphs: dict[str, StackGraph], stack: str) -> None:
    graph = graphs[stack]
    tag = f"llm-{stack}-serving-node"
    pools = {p.name: p.inputs["nodeConfig"].get("tags") for p in graph.by_type("gcp:container/nodePool:NodePool")}
    assert {name: tags for name, tags in pools.items() if name != "gke-system"} == {
        name: [tag] for name in pools if name != "gke-system"
    }
    assert pools["gke-system"] is None  # the health checks reach the serving port of serving nodes only
    rules = {f.name: f.inputs for f in graph.by_type("gcp:compute/firewall:Firewall")}
    health = rules["network-allow-health-checks"]
    assert health["targetTags"] == [tag]
    assert health["sourceRanges"] == ["35.191.0.0/16", "130.211.0.0/22"]
    assert health["allows"] == [{"ports": ["8000"], "protocol": "tcp"}]
    assert health["direction"] == "INGRESS"
    if stack == "prod":
        assert rules["model-store-allow-lnet"]["targetTags"] == [tag]
        assert rules["model-store-allow-lnet"]["allows"] == [{"ports": ["988"], "protocol": "tcp"}]
        webhooks = rules["network-allow-control-plane-webhooks"]
        assert webhooks["sourceRanges"] == ["172.16.0.0/28"] and "targetTags" not in webhooks


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_binary_authorization_blocks_what_it_does_not_admit(graphs: dict[str, StackGraph], stack: str) -> None:
    graph = graphs[stack]
    policy = graph.one("gcp:binaryauthorization/policy:Policy").inputs
    assert policy["defaultAdmissionRule"] == {
        "enforcementMode": "ENFORCED_BLOCK_AND_AUDIT_LOG",
        "evaluationMode": "ALWAYS_DENY",
    }
    assert policy["globalPolicyEvaluationMode"] == "ENABLE"
    assert graph.one("gcp:container/cluster:Cluster").inputs["binaryAuthorization"] == {
        "evaluationMode": "PROJECT_SINGLETON_POLICY_ENFORCE"
    }
