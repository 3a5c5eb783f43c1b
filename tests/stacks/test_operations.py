"""Operations in the whole stacks (issue 12): cache, secrets, monitoring, analytics, budget."""

from __future__ import annotations

import json

import pytest

from components.operations.metrics import ALLOWED_METRIC_TYPES
from tests.unit.operations.helpers import (
    dashboard_metric_types,
    filter_metric_types,
    promql_metric_types,
    schema_problems,
)
from tools.graph import StackGraph
from tools.mocks import MOCK_REDIS_AUTH
from tools.stack_config import SECRET_PLACEHOLDER

ALERT = "gcp:monitoring/alertPolicy:AlertPolicy"


@pytest.fixture(params=["dev", "prod"])
def graph(request: pytest.FixtureRequest, graphs: dict[str, StackGraph]) -> StackGraph:
    return graphs[request.param]


def test_prod_redis_is_ha_authenticated_encrypted_private_and_protected(prod: StackGraph) -> None:
    redis = prod.one("gcp:redis/instance:Instance")
    inputs = redis.inputs
    assert (inputs["tier"], inputs["readReplicasMode"], inputs["replicaCount"]) == (
        "STANDARD_HA",
        "READ_REPLICAS_ENABLED",
        1,
    )
    assert inputs["authEnabled"] is True and inputs["transitEncryptionMode"] == "SERVER_AUTHENTICATION"
    assert inputs["connectMode"] == "PRIVATE_SERVICE_ACCESS"
    assert inputs["authorizedNetwork"] == prod.one("gcp:compute/network:Network").urn.rsplit("::", 1)[1] + "-id"
    assert inputs["persistenceConfig"]["persistenceMode"] == "RDB"
    assert redis.protect is True and inputs["deletionProtection"] is True
    assert prod.one("gcp:servicenetworking/connection:Connection").urn in redis.dependencies
    redis_schema_view = {k: inputs[k] for k in ("tier", "connectMode", "transitEncryptionMode", "readReplicasMode")}
    assert schema_problems("redis.v1", "Instance", redis_schema_view) == []


def test_dev_redis_is_the_cheap_variant(dev: StackGraph) -> None:
    redis = dev.one("gcp:redis/instance:Instance")
    assert redis.inputs["tier"] == "BASIC" and redis.inputs["memorySizeGb"] == 1
    assert redis.inputs["persistenceConfig"] == {"persistenceMode": "DISABLED"}
    assert redis.protect is False and redis.inputs["deletionProtection"] is False
    assert redis.inputs["authEnabled"] is True and redis.inputs["transitEncryptionMode"] == "SERVER_AUTHENTICATION"


def test_redis_auth_string_never_appears_in_plain_text(graph: StackGraph) -> None:
    (secret,) = [s for s in graph.by_type("kubernetes:core/v1:Secret") if s.inputs["metadata"]["name"] == "redis-cache"]
    assert secret.inputs["stringData"] == SECRET_PLACEHOLDER
    assert secret.inputs["metadata"]["namespace"] == graph.outputs["servingNamespace"]
    assert secret.provider == graph.one("pulumi:providers:kubernetes").urn
    assert MOCK_REDIS_AUTH not in graph.to_json()
    assert MOCK_REDIS_AUTH not in json.dumps(graph.outputs)
    assert graph.outputs["cache"] == {"host": "10.60.0.3", "port": 6378, "secret": "redis-cache"}


def test_operations_apis_are_enabled(graph: StackGraph) -> None:
    services = {s.inputs["service"] for s in graph.by_type("gcp:projects/service:Service")}
    assert {"redis.googleapis.com", "monitoring.googleapis.com", "billingbudgets.googleapis.com"} <= services
    assert {"pubsub.googleapis.com"} <= services
    assert ("bigquery.googleapis.com" in services) is (graph.stack == "prod")


def test_dashboard_has_a_section_per_tier_and_the_gateway_and_validates(graph: StackGraph) -> None:
    dashboard = json.loads(graph.one("gcp:monitoring/dashboard:Dashboard").inputs["dashboardJson"])
    assert schema_problems("monitoring.v1", "Dashboard", dashboard) == []
    headers = [t["widget"]["title"] for t in dashboard["mosaicLayout"]["tiles"] if "sectionHeader" in t["widget"]]
    pickers = ["Endpoint pickers"] if graph.outputs["endpoint"]["edge"] == "regional-inference" else []
    assert headers == [*(f"Tier {t}" for t in sorted(graph.outputs["tiers"])), "Gateway", *pickers]
    assert dashboard_metric_types(dashboard) <= ALLOWED_METRIC_TYPES
    cluster = graph.one("gcp:container/cluster:Cluster").inputs["name"]
    assert f'cluster=\\"{cluster}\\"' in json.dumps(dashboard["mosaicLayout"])


def test_every_tier_has_two_slos_each_with_fast_and_slow_burn_alerts(graph: StackGraph) -> None:
    tiers = set(graph.outputs["tiers"])
    slos = graph.by_type("gcp:monitoring/slo:Slo")
    assert len(slos) == 2 * len(tiers)
    burn = [a for a in graph.by_type(ALERT) if a.name.endswith("-burn")]
    assert {a.name.removeprefix("observability-alert-") for a in burn} == {
        f"{t}-{k}-{w}-burn" for t in tiers for k in ("availability", "latency") for w in ("fast", "slow")
    }
    large = [s for s in slos if s.name == "observability-slo-large-latency"]
    if large:  # prod overrides the large tier's threshold
        assert large[0].inputs["requestBasedSli"]["distributionCut"]["range"]["max"] == 120000


def test_other_alerts_are_documented_and_read_only_allowed_metrics(graph: StackGraph) -> None:
    others = [a for a in graph.by_type(ALERT) if not a.name.endswith("-burn")]
    assert len(others) >= 5
    for alert in others:
        assert "Check first" in alert.inputs["documentation"]["content"], alert.name
        assert (
            schema_problems("monitoring.v3", "AlertPolicy", {k: v for k, v in alert.inputs.items() if k != "project"})
            == []
        )
        for condition in alert.inputs["conditions"]:
            if "conditionPrometheusQueryLanguage" in condition:
                used = promql_metric_types(condition["conditionPrometheusQueryLanguage"]["query"])
            else:
                threshold = condition["conditionThreshold"]
                used = filter_metric_types(threshold["filter"] + threshold.get("denominatorFilter", ""))
            assert used <= ALLOWED_METRIC_TYPES, alert.name


def test_alerts_page_the_configured_channels(prod: StackGraph) -> None:
    channels = prod.by_type("gcp:monitoring/notificationChannel:NotificationChannel")
    assert sorted(c.inputs["type"] for c in channels) == ["email", "pubsub"]
    assert all(len(a.inputs["notificationChannels"]) == 2 for a in prod.by_type(ALERT))


def test_request_analytics_only_in_prod_and_the_writer_holds_nothing_outside_its_dataset(graph: StackGraph) -> None:
    sinks = graph.by_type("gcp:logging/projectSink:ProjectSink")
    if graph.stack == "dev":
        assert sinks == []
        return
    (sink,) = sinks
    dataset = graph.one("gcp:bigquery/dataset:Dataset")
    assert dataset.protect is True
    assert dataset.inputs["defaultPartitionExpirationMs"] == 90 * 86_400_000
    writer = "serviceAccount:service-123456789012@gcp-sa-logging.iam.gserviceaccount.com"
    grants = [r for r in graph.resources if r.inputs.get("member") == writer]
    assert [(g.type, g.inputs["role"], g.inputs["datasetId"]) for g in grants] == [
        ("gcp:bigquery/datasetIamMember:DatasetIamMember", "roles/bigquery.dataEditor", dataset.inputs["datasetId"])
    ]
    assert sink.inputs["bigqueryOptions"] == {"usePartitionedTables": True}


def test_budget_has_thresholds_a_topic_and_the_project_number(graph: StackGraph) -> None:
    budget = graph.one("gcp:billing/budget:Budget")
    assert budget.inputs["budgetFilter"]["projects"] == ["projects/123456789012"]
    assert len(budget.inputs["thresholdRules"]) == 4
    assert budget.inputs["allUpdatesRule"]["pubsubTopic"] == graph.outputs["budgetTopic"]
    assert budget.inputs["amount"]["specifiedAmount"]["units"] == ("250000" if graph.stack == "prod" else "2000")
    channels = graph.by_type("gcp:monitoring/notificationChannel:NotificationChannel")
    assert len(budget.inputs["allUpdatesRule"]["monitoringNotificationChannels"]) == len(channels)


def test_cluster_exports_the_kube_state_metrics_the_alerts_read(graph: StackGraph) -> None:
    components = graph.one("gcp:container/cluster:Cluster").inputs["monitoringConfig"]["enableComponents"]
    assert {"DEPLOYMENT", "STATEFULSET", "HPA"} <= set(components)
