"""The Budget component under mocks."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from components.operations import Budget, BudgetArgs
from components.operations.config import BudgetConfig
from tests.conftest import RunComponent
from tests.helpers import naming
from tests.unit.operations.helpers import schema_problems
from tools.graph import StackGraph
from tools.mocks import MOCK_PROJECT_NUMBER

ACCOUNT = "01ABCD-23EF45-6789AB"


def _budget(run_component: RunComponent, **config: object) -> StackGraph:
    def build() -> None:
        api = gcp.projects.Service("api", service="billingbudgets.googleapis.com")
        Budget(
            "budget",
            BudgetArgs(
                project="example-project",
                project_number=MOCK_PROJECT_NUMBER,
                naming=naming(),
                config=BudgetConfig.model_validate({"billingAccount": ACCOUNT, **config}),
                notification_channels=["projects/example-project/notificationChannels/1"],
            ),
            pulumi.ResourceOptions(depends_on=[api]),
        )

    return run_component(build)


def test_budget_is_scoped_to_the_project_number_with_the_default_thresholds(run_component: RunComponent) -> None:
    budget = _budget(run_component, amount=500, currency="EUR").one("gcp:billing/budget:Budget")
    inputs = budget.inputs
    assert inputs["billingAccount"] == ACCOUNT
    assert inputs["budgetFilter"] == {
        "calendarPeriod": "MONTH",
        "creditTypesTreatment": "INCLUDE_ALL_CREDITS",
        "projects": [f"projects/{MOCK_PROJECT_NUMBER}"],
    }
    assert inputs["amount"] == {"specifiedAmount": {"currencyCode": "EUR", "units": "500"}}
    assert inputs["thresholdRules"] == [
        {"spendBasis": "CURRENT_SPEND", "thresholdPercent": 0.5},
        {"spendBasis": "CURRENT_SPEND", "thresholdPercent": 0.8},
        {"spendBasis": "CURRENT_SPEND", "thresholdPercent": 1.0},
        {"spendBasis": "FORECASTED_SPEND", "thresholdPercent": 1.0},
    ]
    for rule in inputs["thresholdRules"]:
        assert schema_problems("billingbudgets.v1", "GoogleCloudBillingBudgetsV1ThresholdRule", rule) == []
    assert schema_problems("billingbudgets.v1", "GoogleCloudBillingBudgetsV1Filter", inputs["budgetFilter"]) == []


def test_all_updates_go_to_the_topic_the_billing_agent_may_publish_to(run_component: RunComponent) -> None:
    graph = _budget(run_component)
    budget = graph.one("gcp:billing/budget:Budget")
    topic = graph.one("gcp:pubsub/topic:Topic")
    grant = graph.one("gcp:pubsub/topicIAMMember:TopicIAMMember")
    assert budget.inputs["allUpdatesRule"] == {
        "monitoringNotificationChannels": ["projects/example-project/notificationChannels/1"],
        "pubsubTopic": f"projects/example-project/topics/{topic.inputs['name']}",
        "schemaVersion": "1.0",
    }
    assert grant.inputs["member"] == "serviceAccount:billing-budget-alert@system.gserviceaccount.com"
    assert grant.inputs["role"] == "roles/pubsub.publisher"
    assert grant.urn in budget.dependencies


def test_budget_uses_its_own_provider_with_the_project_as_quota_project(run_component: RunComponent) -> None:
    graph = _budget(run_component)
    provider = graph.one("pulumi:providers:gcp")
    assert provider.inputs["billingProject"] == "example-project"
    assert provider.inputs["userProjectOverride"] in (True, "true")
    assert graph.one("gcp:billing/budget:Budget").provider == provider.urn
    assert graph.one("gcp:pubsub/topic:Topic").provider == ""  # everything else keeps the default provider
