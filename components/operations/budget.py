"""A monthly billing budget on the stack's project, with a Pub/Sub feed and the alert channels.

First `pulumi up` on a fresh project:
- Creating a budget needs Billing Account Costs Manager (`roles/billing.costsManager`) or Billing
  Account Administrator on the billing account, and `billingbudgets.googleapis.com`. With user
  credentials the Budget API also needs a quota project
  (https://cloud.google.com/billing/docs/how-to/budget-api-access-control): the budget goes through
  its own provider with `billing_project` = the stack's project and `user_project_override`, so no
  other resource's quota project changes and no provider-wide config is needed.
- The filter names the project by number (`projects/<NUMBER>`): the API stores budgets by number,
  so a project id would read back as a change on every update.
- `calendar_period` and `credit_types_treatment` are written out as the API's defaults so a read
  does not plan a change.
- Billing publishes budget notifications as `billing-budget-alert@system.gserviceaccount.com`; the
  topic grants it `roles/pubsub.publisher` before the budget names the topic. The Budget API adds
  the same binding itself only when the caller may set the topic's IAM policy.
- The amount's currency must be the billing account's, or the API rejects the budget.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components.base import PlatformComponent
from components.naming import Naming
from components.operations.config import BudgetConfig

BUDGET_PUBLISHER = "serviceAccount:billing-budget-alert@system.gserviceaccount.com"
# `BudgetAllUpdatesRule.monitoringNotificationChannels`: at most five.
MAX_BUDGET_CHANNELS = 5


@dataclass(frozen=True)
class BudgetArgs:
    project: str
    project_number: pulumi.Input[str]
    naming: Naming
    config: BudgetConfig
    notification_channels: Sequence[pulumi.Input[str]]


class Budget(PlatformComponent):
    def __init__(self, name: str, args: BudgetArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("operations:Budget", name, opts)
        config = args.config
        assert config.billing_account is not None  # the config requires it when the budget is enabled
        self.topic = gcp.pubsub.Topic(
            f"{name}-topic",
            name=args.naming.name("budget"),
            project=args.project,
            labels=args.naming.labels,
            opts=self.child(),
        )
        self.publisher = gcp.pubsub.TopicIAMMember(
            f"{name}-publisher",
            project=args.project,
            topic=self.topic.name,
            role="roles/pubsub.publisher",
            member=BUDGET_PUBLISHER,
            opts=self.child(),
        )
        self.provider = gcp.Provider(
            f"{name}-quota-project",
            project=args.project,
            billing_project=args.project,
            user_project_override=True,
            opts=self.child(),
        )
        self.budget = gcp.billing.Budget(
            f"{name}-budget",
            billing_account=config.billing_account,
            display_name=f"{args.naming.prefix} monthly",
            budget_filter=gcp.billing.BudgetBudgetFilterArgs(
                projects=[pulumi.Output.concat("projects/", args.project_number)],
                calendar_period="MONTH",
                credit_types_treatment="INCLUDE_ALL_CREDITS",
            ),
            amount=gcp.billing.BudgetAmountArgs(
                specified_amount=gcp.billing.BudgetAmountSpecifiedAmountArgs(
                    currency_code=config.currency, units=str(config.amount)
                )
            ),
            threshold_rules=[
                gcp.billing.BudgetThresholdRuleArgs(threshold_percent=t.percent, spend_basis=t.basis)
                for t in config.thresholds
            ],
            all_updates_rule=gcp.billing.BudgetAllUpdatesRuleArgs(
                pubsub_topic=self.topic.id,
                schema_version="1.0",
                monitoring_notification_channels=list(args.notification_channels),
            ),
            opts=self.child(provider=self.provider, depends_on=[self.publisher]),
        )
        self.register_outputs({"budget": self.budget.name, "topic": self.topic.id})
