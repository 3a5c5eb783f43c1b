"""The Observability component under mocks: channels, dashboard, SLOs, alerts, request analytics."""

from __future__ import annotations

import json

import pulumi
import pulumi_gcp as gcp

from components.operations import Observability, ObservabilityArgs, Scope, TierView
from components.operations.config import ObservabilityConfig
from components.operations.observability import alert_definitions, alert_title, dashboard_definition
from components.operations.slos import build_slos
from tests.conftest import RunComponent
from tests.helpers import naming
from tests.unit.operations.helpers import schema_problems
from tools.graph import StackGraph
from tools.mocks import MOCK_PROJECT_NUMBER

SCOPE = Scope(
    cluster="llm-test-gke",
    namespace="llm-serving",
    port=8000,
    tiers=(TierView("medium", "m", "2x2x1", False), TierView("small", "s", "1x1x1", False)),
)


def _observability(
    run_component: RunComponent, analytics: bool = False, protect: bool = False, **config: object
) -> StackGraph:
    def build() -> None:
        api = gcp.projects.Service("api", service="monitoring.googleapis.com")
        Observability(
            "obs",
            ObservabilityArgs(
                project="example-project",
                region="us-central1",
                naming=naming(),
                scope=SCOPE,
                config=ObservabilityConfig.model_validate(config),
                request_analytics=analytics,
                project_number=MOCK_PROJECT_NUMBER,
                protect=protect,
            ),
            pulumi.ResourceOptions(depends_on=[api]),
        )

    return run_component(build)


def test_email_and_pubsub_channels_reach_every_alert(run_component: RunComponent) -> None:
    graph = _observability(run_component, notificationEmails=["a@example.com"], pubsubNotifications=True)
    channels = graph.by_type("gcp:monitoring/notificationChannel:NotificationChannel")
    assert sorted(c.inputs["type"] for c in channels) == ["email", "pubsub"]
    email = next(c for c in channels if c.inputs["type"] == "email")
    assert email.inputs["labels"] == {"email_address": "a@example.com"}
    names = sorted(f"projects/example-project/notificationChannels/{c.name}" for c in channels)
    for alert in graph.by_type("gcp:monitoring/alertPolicy:AlertPolicy"):
        assert sorted(alert.inputs["notificationChannels"]) == names


def test_pubsub_channel_topic_grant_goes_to_the_notification_agent_after_the_channel(
    run_component: RunComponent,
) -> None:
    graph = _observability(run_component, pubsubNotifications=True)
    grant = graph.one("gcp:pubsub/topicIAMMember:TopicIAMMember")
    assert grant.inputs["role"] == "roles/pubsub.publisher"
    assert grant.inputs["member"] == (
        f"serviceAccount:service-{MOCK_PROJECT_NUMBER}@gcp-sa-monitoring-notification.iam.gserviceaccount.com"
    )
    assert graph.one("gcp:monitoring/notificationChannel:NotificationChannel").urn in grant.dependencies
    agents = graph.one("gcp:projects/serviceIdentity:ServiceIdentity")
    assert agents.inputs["service"] == "monitoring.googleapis.com" and agents.urn in grant.dependencies


def test_dashboard_json_in_the_graph_validates_and_carries_the_labels(run_component: RunComponent) -> None:
    dashboard = json.loads(
        _observability(run_component).one("gcp:monitoring/dashboard:Dashboard").inputs["dashboardJson"]
    )
    assert schema_problems("monitoring.v1", "Dashboard", dashboard) == []
    assert dashboard["labels"]["managed-by"] == "pulumi"


def test_burn_rate_alerts_select_their_own_slo(run_component: RunComponent) -> None:
    graph = _observability(run_component)
    slos = {s.name: s for s in graph.by_type("gcp:monitoring/slo:Slo")}
    assert len(slos) == 4 and len(graph.by_type("gcp:monitoring/customService:CustomService")) == 2
    burn = [a for a in graph.by_type("gcp:monitoring/alertPolicy:AlertPolicy") if a.name.endswith("-burn")]
    assert len(burn) == 8
    for alert in burn:
        key = alert.name.removeprefix("obs-alert-").rsplit("-", 2)[0]  # e.g. small-availability
        slo = slos[f"obs-slo-{key}"]
        assert slo.urn in alert.dependencies
        filters = [c["conditionThreshold"]["filter"] for c in alert.inputs["conditions"]]
        service = slo.inputs["service"]
        assert all(f'serviceLevelObjectives/{slo.inputs["sloId"]}"' in f and service in f for f in filters)
        assert alert.inputs["combiner"] == "AND"


def test_alert_policies_validate_against_the_monitoring_v3_schema(run_component: RunComponent) -> None:
    for alert in _observability(run_component).by_type("gcp:monitoring/alertPolicy:AlertPolicy"):
        document = {k: v for k, v in alert.inputs.items() if k != "project"}
        assert schema_problems("monitoring.v3", "AlertPolicy", document) == [], alert.name
        assert alert.inputs["documentation"]["mimeType"] == "text/markdown"


def test_request_analytics_sink_writes_to_one_partitioned_dataset_with_a_dataset_scoped_grant(
    run_component: RunComponent,
) -> None:
    graph = _observability(run_component, analytics=True, protect=True, requestAnalytics={"retentionDays": 14})
    dataset = graph.one("gcp:bigquery/dataset:Dataset")
    sink = graph.one("gcp:logging/projectSink:ProjectSink")
    grant = graph.one("gcp:bigquery/datasetIamMember:DatasetIamMember")
    assert dataset.inputs["datasetId"] == "llm_test_requests"
    assert dataset.inputs["defaultPartitionExpirationMs"] == 14 * 86_400_000
    assert dataset.protect is True and dataset.inputs["deleteContentsOnDestroy"] is False
    assert sink.inputs["destination"] == "bigquery.googleapis.com/projects/example-project/datasets/llm_test_requests"
    assert sink.inputs["bigqueryOptions"] == {"usePartitionedTables": True}
    assert sink.inputs["uniqueWriterIdentity"] is True
    assert sink.inputs["filter"].startswith('resource.type="http_load_balancer"')
    assert (grant.inputs["role"], grant.inputs["datasetId"]) == ("roles/bigquery.dataEditor", "llm_test_requests")
    assert grant.inputs["member"].endswith("@gcp-sa-logging.iam.gserviceaccount.com")
    assert sink.urn in grant.dependencies


def test_no_analytics_resources_when_off(run_component: RunComponent) -> None:
    graph = _observability(run_component)
    assert graph.by_type("gcp:logging/projectSink:ProjectSink") == []
    assert graph.by_type("gcp:bigquery/dataset:Dataset") == []


def test_the_dashboard_is_named_and_labelled_for_the_stack_and_honours_the_optional_panels() -> None:
    stack = naming("prod", "prod")
    with_optional = dashboard_definition(stack, SCOPE, ObservabilityConfig())
    assert with_optional.display_name == "LLM serving (llm-prod)"
    assert with_optional.labels == stack.labels
    assert any(c.optional for c in with_optional.charts)
    without = dashboard_definition(stack, SCOPE, ObservabilityConfig.model_validate({"unconfirmedTpuPanels": False}))
    assert not any(c.optional for c in without.charts)


def test_alert_definitions_are_the_slo_burn_rates_then_the_platform_alerts() -> None:
    config = ObservabilityConfig()
    slos = build_slos(SCOPE, config.slo)
    keys = [alert.key for alert in alert_definitions(SCOPE, config, slos)]
    burn = [key for key in keys if key.endswith("-burn")]
    assert keys[: len(burn)] == burn and len(burn) == 2 * len(slos)
    assert set(keys[len(burn) :]) == {
        "ttft-p99",
        "error-ratio",
        "tpu-saturated",
        "tpu-stuck",
        "pods-not-ready",
        "medium-queue-at-max",
        "small-queue-at-max",
    }
    assert len(keys) == len(set(keys))


def test_alert_titles_carry_the_stack_prefix(run_component: RunComponent) -> None:
    alert = alert_definitions(SCOPE, ObservabilityConfig(), [])[0]
    assert alert_title(naming(), alert) == f"[llm-test] {alert.display_name}"
    policy = _observability(run_component).by_type("gcp:monitoring/alertPolicy:AlertPolicy")[0]
    assert policy.inputs["displayName"] == policy.inputs["documentation"]["subject"]
    assert policy.inputs["displayName"].startswith("[llm-test] ")
