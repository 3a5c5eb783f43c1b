"""Cloud Monitoring for the serving tiers: notification channels, one dashboard, per-tier SLOs with
burn-rate alerts, the platform's alert policies, and optional request analytics in BigQuery.

Everything is generated from the typed definitions in `dashboard`, `slos` and `alerts`.

First `pulumi up` on a fresh project:
- `monitoring.googleapis.com` (and `pubsub`, `bigquery`, `logging` when used) come first through the
  component's inherited API dependency.
- PromQL conditions set `disable_metric_validation`: the vLLM and kube state series do not exist until
  the workloads run, and the API rejects a condition on an unknown metric otherwise.
- A Pub/Sub notification channel publishes as the Monitoring notification service agent
  `service-<number>@gcp-sa-monitoring-notification.iam.gserviceaccount.com`
  (https://cloud.google.com/monitoring/support/notification-options#pubsub). A fresh project may not
  have it yet, so a `gcp.projects.ServiceIdentity` for monitoring.googleapis.com is generated first
  and the topic grant waits for it and for the channel.
- An SLO's burn-rate filter names the SLO's full resource name, so each alert depends on its SLO,
  and Pulumi deletes alerts before SLOs and channels on destroy (a channel still used by a policy
  cannot be deleted without `force_delete`).
- The log sink writes as its writer identity, which gets `roles/bigquery.dataEditor` on its dataset
  only. Partitioned tables expire partitions after the retention; prod protects the dataset and
  keeps its tables on destroy (`delete_contents_on_destroy` false), dev drops them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components.base import PlatformComponent
from components.identity.service_agents import service_agent
from components.naming import Naming
from components.operations import metrics
from components.operations.alerts import AlertDefinition, build_alerts, build_burn_rate_alerts
from components.operations.config import ObservabilityConfig
from components.operations.dashboard import Dashboard, build_dashboard
from components.operations.scope import Scope
from components.operations.slos import SloDefinition, build_slos

DATASET_WRITER_ROLE = "roles/bigquery.dataEditor"
LB_LOG_RESOURCE = "http_load_balancer"
MILLISECONDS_PER_DAY = 86_400_000


def request_log_filter(backend_regex: str, log_resource: str = LB_LOG_RESOURCE) -> str:
    """Logging query for the Gateway's load-balancer request logs of the serving tiers."""
    return f'resource.type="{log_resource}" AND resource.labels.backend_service_name=~"^{backend_regex}$"'


def dataset_id(naming: Naming, role: str) -> str:
    """BigQuery dataset ids take letters, digits and underscores only."""
    return naming.name(role).replace("-", "_")


@dataclass(frozen=True)
class ObservabilityArgs:
    project: str
    region: str
    naming: Naming
    scope: Scope
    config: ObservabilityConfig
    request_analytics: bool
    project_number: pulumi.Input[str]
    protect: bool
    retain_request_logs: bool = False  # a retiring stack that keeps its request logs: destroy leaves the dataset


def dashboard_definition(naming: Naming, scope: Scope, config: ObservabilityConfig) -> Dashboard:
    display_name = f"LLM serving ({naming.prefix})"
    return build_dashboard(display_name, scope, config.unconfirmed_tpu_panels, naming.labels)


def alert_definitions(
    scope: Scope, config: ObservabilityConfig, slos: Sequence[SloDefinition]
) -> list[AlertDefinition]:
    """Every alert policy of the stack: the burn rates of each SLO, then the platform's own."""
    return [*build_burn_rate_alerts(slos), *build_alerts(scope, config.alerts)]


def alert_title(naming: Naming, alert: AlertDefinition) -> str:
    """An alert policy's display name and its notifications' subject, marked with the stack's prefix."""
    return f"[{naming.prefix}] {alert.display_name}"


class Observability(PlatformComponent):
    def __init__(self, name: str, args: ObservabilityArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("operations:Observability", name, opts)
        self.channels = self._email_channels(name, args)
        self.alert_topic: gcp.pubsub.Topic | None = None
        if args.config.pubsub_notifications:
            self.channels.append(self._pubsub_channel(name, args))
        channel_names = [channel.name for channel in self.channels]

        self.dashboard_definition = dashboard_definition(args.naming, args.scope, args.config)
        self.dashboard = gcp.monitoring.Dashboard(
            f"{name}-dashboard",
            project=args.project,
            dashboard_json=self.dashboard_definition.to_json(),
            opts=self.child(),
        )
        self.services = self._tier_services(name, args)
        self.slo_definitions = build_slos(args.scope, args.config.slo)
        self.slos = self._slos(name, args)
        self.alert_definitions = alert_definitions(args.scope, args.config, self.slo_definitions)
        self.alerts = self._alert_policies(name, args, channel_names)

        self.dataset: gcp.bigquery.Dataset | None = None
        if args.request_analytics:
            self._request_analytics(name, args)

        self.dashboard_id = self.dashboard.id
        self.register_outputs(
            {
                "dashboard": self.dashboard.id,
                "slos": sorted(self.slos),
                "alerts": sorted(self.alerts),
                "channels": channel_names,
            }
        )

    def _email_channels(self, name: str, args: ObservabilityArgs) -> list[gcp.monitoring.NotificationChannel]:
        return [
            gcp.monitoring.NotificationChannel(
                f"{name}-email-{index}",
                project=args.project,
                display_name=f"{args.naming.prefix} on-call {address}",
                type="email",
                labels={"email_address": address},
                user_labels=args.naming.labels,
                opts=self.child(),
            )
            for index, address in enumerate(args.config.notification_emails)
        ]

    def _pubsub_channel(self, name: str, args: ObservabilityArgs) -> gcp.monitoring.NotificationChannel:
        """The alerts topic, its channel and the grant that lets Monitoring publish to it."""
        naming = args.naming
        self.alert_topic = gcp.pubsub.Topic(
            f"{name}-alerts", name=naming.name("alerts"), project=args.project, labels=naming.labels, opts=self.child()
        )
        channel = gcp.monitoring.NotificationChannel(
            f"{name}-pubsub",
            project=args.project,
            display_name=f"{naming.prefix} alerts topic",
            type="pubsub",
            labels={"topic": self.alert_topic.id},
            user_labels=naming.labels,
            opts=self.child(),
        )
        # Make sure Monitoring's service agents exist before granting one of them (a fresh project
        # has none until Monitoring creates them), and grant only after the channel exists.
        agents = gcp.projects.ServiceIdentity(
            f"{name}-monitoring-agents",
            project=args.project,
            service="monitoring.googleapis.com",
            opts=self.child(),
        )
        self.alert_topic_publisher = gcp.pubsub.TopicIAMMember(
            f"{name}-alerts-publisher",
            project=args.project,
            topic=self.alert_topic.name,
            role="roles/pubsub.publisher",
            member=service_agent(args.project_number, "gcp-sa-monitoring-notification"),
            opts=self.child(depends_on=[agents, channel]),
        )
        return channel

    def _tier_services(self, name: str, args: ObservabilityArgs) -> dict[str, gcp.monitoring.CustomService]:
        naming = args.naming
        return {
            tier: gcp.monitoring.CustomService(
                f"{name}-service-{tier}",
                project=args.project,
                service_id=naming.name(f"tier-{tier}"),
                display_name=f"{naming.prefix} tier {tier} ({metrics.workload_name(tier)} behind the Gateway)",
                user_labels=naming.labels,
                opts=self.child(),
            )
            for tier in args.scope.tier_names
        }

    def _slos(self, name: str, args: ObservabilityArgs) -> dict[str, gcp.monitoring.Slo]:
        return {
            slo.key: gcp.monitoring.Slo(
                f"{name}-slo-{slo.key}",
                project=args.project,
                service=self.services[slo.tier].service_id,
                slo_id=f"{slo.kind}",
                display_name=slo.display_name,
                goal=slo.goal,
                rolling_period_days=slo.rolling_period_days,
                request_based_sli=slo.sli_args(),
                user_labels=args.naming.labels,
                opts=self.child(),
            )
            for slo in self.slo_definitions
        }

    def _alert_policies(
        self, name: str, args: ObservabilityArgs, channel_names: list[pulumi.Output[str]]
    ) -> dict[str, gcp.monitoring.AlertPolicy]:
        slo_names = {key: slo.name for key, slo in self.slos.items()}
        return {
            alert.key: gcp.monitoring.AlertPolicy(
                f"{name}-alert-{alert.key}",
                project=args.project,
                display_name=alert_title(args.naming, alert),
                combiner=alert.combiner,
                severity=alert.severity,
                conditions=alert.condition_args(slo_names),
                documentation=gcp.monitoring.AlertPolicyDocumentationArgs(
                    subject=alert_title(args.naming, alert),
                    content=alert.documentation,
                    mime_type="text/markdown",
                ),
                notification_channels=channel_names,
                user_labels=args.naming.labels,
                opts=self.child(),
            )
            for alert in self.alert_definitions
        }

    def _request_analytics(self, name: str, args: ObservabilityArgs) -> None:
        retention = args.config.request_analytics
        self.dataset = gcp.bigquery.Dataset(
            f"{name}-requests",
            project=args.project,
            dataset_id=dataset_id(args.naming, "requests"),
            location=retention.location or args.region,
            description="Load-balancer request logs of the serving Gateway (one partition per day)",
            default_partition_expiration_ms=retention.retention_days * MILLISECONDS_PER_DAY,
            delete_contents_on_destroy=not args.protect and not args.retain_request_logs,
            labels=args.naming.stateful_labels,
            opts=self.child(protect=args.protect, retain_on_delete=args.retain_request_logs),
        )
        self.sink = gcp.logging.ProjectSink(
            f"{name}-requests-sink",
            project=args.project,
            name=args.naming.name("lb-requests"),
            description="Gateway request logs of the serving tiers to BigQuery",
            destination=pulumi.Output.concat(
                "bigquery.googleapis.com/projects/", args.project, "/datasets/", self.dataset.dataset_id
            ),
            filter=request_log_filter(args.scope.backend_regex(), args.scope.lb_log_resource),
            unique_writer_identity=True,
            bigquery_options=gcp.logging.ProjectSinkBigqueryOptionsArgs(use_partitioned_tables=True),
            opts=self.child(),
        )
        self.sink_writer = gcp.bigquery.DatasetIamMember(
            f"{name}-requests-writer",
            project=args.project,
            dataset_id=self.dataset.dataset_id,
            role=DATASET_WRITER_ROLE,
            member=self.sink.writer_identity,
            opts=self.child(),
        )
