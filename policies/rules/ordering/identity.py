"""Creation order of service accounts, roles and grants (components/identity, and every IAM member).

A grant names a principal: one in the Workload Identity pool waits for the cluster that creates the
pool; one to a Google service agent waits for what creates the agent (`agents.AGENT_ORIGINS`).
"""

from __future__ import annotations

import re

from pulumi_policy import PolicyResource

from .agents import agent_domain, agent_origin
from .engine import Prerequisite, Rule, value_at
from .resource_types import (
    BUCKET_IAM_MEMBER,
    CLUSTER,
    DATASET_IAM_MEMBER,
    IAM_MEMBERS,
    PROJECT_IAM_MEMBER,
    SECRET_IAM_MEMBER,
    SERVICE_ACCOUNT_IAM_MEMBER,
    TOPIC_IAM_MEMBER,
)

# A Workload Identity Federation member: `principal[Set]://.../workloadIdentityPools/P.svc.id.goog/...`
# or the older `serviceAccount:P.svc.id.goog[ns/ksa]`.
WORKLOAD_POOL = re.compile(r"\.svc\.id\.goog\b")
IAM_SOURCE = "the API rejects a grant to a principal that does not exist yet (`Service account ... does not exist`)"


def names_workload_pool(resource: PolicyResource) -> bool:
    member = value_at(resource, "member")
    return isinstance(member, str) and WORKLOAD_POOL.search(member) is not None


RULES: tuple[Rule, ...] = (
    Rule(
        "gcp:serviceaccount/account:Account", "iam.googleapis.com serves service accounts", apis=("iam.googleapis.com",)
    ),
    Rule(
        "gcp:projects/iAMCustomRole:IAMCustomRole",
        "iam.googleapis.com serves custom roles",
        apis=("iam.googleapis.com",),
    ),
    Rule(
        "gcp:projects/iAMAuditConfig:IAMAuditConfig",
        "a project IAM policy change is a Cloud Resource Manager call",
        apis=("cloudresourcemanager.googleapis.com",),
    ),
    *(
        Rule(type_, f"{IAM_SOURCE}: {api_name} serves the grant", apis=(api_name,))
        for type_, api_name in (
            (PROJECT_IAM_MEMBER, "cloudresourcemanager.googleapis.com"),
            (BUCKET_IAM_MEMBER, "storage.googleapis.com"),
            (TOPIC_IAM_MEMBER, "pubsub.googleapis.com"),
            (DATASET_IAM_MEMBER, "bigquery.googleapis.com"),
            (SERVICE_ACCOUNT_IAM_MEMBER, "iam.googleapis.com"),
            (SECRET_IAM_MEMBER, "secretmanager.googleapis.com"),
        )
    ),
    *(
        Rule(
            type_,
            "The pool PROJECT.svc.id.goog exists only once a cluster with Workload Identity exists "
            "(googleforgames/global-multiplayer-demo#39, terraform-google-kubernetes-engine#916, PR #301)",
            after=(Prerequisite("the cluster that creates the Workload Identity pool", CLUSTER),),
            when=names_workload_pool,
        )
        for type_ in IAM_MEMBERS
    ),
    *(
        Rule(
            type_,
            "A service agent exists only once its service creates it: a grant to one that is assumed "
            "fails on a fresh project (https://cloud.google.com/iam/docs/service-agents; "
            "terraform-provider-google #14720); AGENT_ORIGINS says what brings each agent into being",
            after=lambda r: agent_origin(r),
            when=lambda r: isinstance(agent_domain(r), str),
        )
        for type_ in IAM_MEMBERS
    ),
)
