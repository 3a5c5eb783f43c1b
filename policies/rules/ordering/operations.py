"""Creation order of the cache, observability and budget (components/operations)."""

from __future__ import annotations

from .engine import Prerequisite, Rule, grants, named_by, sets, value_at
from .resource_types import CONNECTION, TOPIC_IAM_MEMBER

# Where one type has two rows, the conditional one comes first: on a shared API prerequisite its
# source is the one the violation cites.
RULES: tuple[Rule, ...] = (
    Rule(
        "gcp:redis/instance:Instance",
        "A PRIVATE_SERVICE_ACCESS instance is placed in the peered range "
        "(https://cloud.google.com/memorystore/docs/redis/networking)",
        apis=("redis.googleapis.com",),
        after=(Prerequisite("the private services connection", CONNECTION),),
        when=lambda r: value_at(r, "connectMode") == "PRIVATE_SERVICE_ACCESS",
    ),
    Rule("gcp:redis/instance:Instance", "redis.googleapis.com serves it", apis=("redis.googleapis.com",)),
    *(
        Rule(type_, "monitoring.googleapis.com serves it", apis=("monitoring.googleapis.com",))
        for type_ in (
            "gcp:monitoring/alertPolicy:AlertPolicy",
            "gcp:monitoring/customService:CustomService",
            "gcp:monitoring/dashboard:Dashboard",
            "gcp:monitoring/notificationChannel:NotificationChannel",
        )
    ),
    Rule(
        "gcp:monitoring/slo:Slo",
        "An SLO belongs to an existing service "
        "(https://cloud.google.com/monitoring/api/ref_v3/rest/v3/services.serviceLevelObjectives/create)",
        apis=("monitoring.googleapis.com",),
        after=(
            Prerequisite(
                "its service",
                "gcp:monitoring/customService:CustomService",
                named_by("serviceId", "service"),
            ),
        ),
    ),
    Rule("gcp:pubsub/topic:Topic", "pubsub.googleapis.com serves it", apis=("pubsub.googleapis.com",)),
    Rule("gcp:bigquery/dataset:Dataset", "bigquery.googleapis.com serves it", apis=("bigquery.googleapis.com",)),
    Rule(
        "gcp:logging/projectSink:ProjectSink",
        "logging.googleapis.com serves it; the destination must exist "
        "(https://cloud.google.com/logging/docs/export/configure_export_v2)",
        apis=("logging.googleapis.com",),
        after=(Prerequisite("its BigQuery dataset", "gcp:bigquery/dataset:Dataset"),),
        when=lambda r: str(value_at(r, "destination")).startswith("bigquery.googleapis.com/"),
    ),
    Rule("gcp:logging/projectSink:ProjectSink", "logging.googleapis.com serves it", apis=("logging.googleapis.com",)),
    Rule(
        "gcp:billing/budget:Budget",
        "Billing publishes as billing-budget-alert@system.gserviceaccount.com, which needs "
        "roles/pubsub.publisher on the topic; the API adds it only when the caller may set the topic's "
        "IAM policy (https://cloud.google.com/billing/docs/how-to/budgets-programmatic-notifications)",
        apis=("billingbudgets.googleapis.com",),
        after=(grants("roles/pubsub.publisher", "the topic's publisher grant to Billing", TOPIC_IAM_MEMBER),),
        when=sets("allUpdatesRule", "pubsubTopic"),
    ),
    Rule(
        "gcp:billing/budget:Budget", "billingbudgets.googleapis.com serves it", apis=("billingbudgets.googleapis.com",)
    ),
    Rule(
        "pulumi:providers:gcp",
        "An explicit Google provider only configures calls; the resources that use it carry their own rules",
    ),
)
