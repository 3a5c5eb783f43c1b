"""Whole-stack rules: a budget, labels everywhere, protected prod state, every resource in a component."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs, StackValidationArgs

from .metadata import (
    HIGH,
    LABEL_FIELDS,
    MANDATORY,
    MEDIUM,
    PROD,
    get,
    is_retiring,
    labels_of,
    resource_policy,
    stack_environment,
    stack_policy,
)

BUDGET = "gcp:billing/budget:Budget"
REQUIRED_LABELS = ("env", "app", "stack", "managed-by")
# Resources whose loss loses data or takes the service down for long (prod must protect them).
STATEFUL_TYPES = {
    "gcp:storage/bucket:Bucket",
    "gcp:container/cluster:Cluster",
    "gcp:redis/instance:Instance",
    "gcp:lustre/instance:Instance",
    "gcp:parallelstore/instance:Instance",
    "gcp:bigquery/dataset:Dataset",
    "gcp:sql/databaseInstance:DatabaseInstance",
    "gcp:filestore/instance:Instance",
}
ROOT_STACK = "pulumi:pulumi:Stack"
PROVIDERS = "pulumi:providers:"


def _budget(args: StackValidationArgs, report: ReportViolation) -> None:
    budgets = [r for r in args.resources if r.resource_type == BUDGET]
    if not budgets:
        report("the stack has no billing budget: TPU7x spend has no alert.", None)
    for budget in budgets:
        if not get(budget.props, "budgetFilter", "projects"):
            report("the budget is not scoped to the stack's project (budgetFilter.projects).", budget.urn)


def _labels(args: StackValidationArgs, report: ReportViolation) -> None:
    for resource in args.resources:
        if resource.resource_type not in LABEL_FIELDS:
            continue
        labels = labels_of(resource.resource_type, resource.props)
        field = ".".join(LABEL_FIELDS[resource.resource_type])
        if not isinstance(labels, Mapping):
            report(f"{field} is not set.", resource.urn)
            continue
        missing = [key for key in REQUIRED_LABELS if not get(labels, key)]
        if missing:
            report(f"{field} lacks {missing}.", resource.urn)


def _prod_protected(args: StackValidationArgs, report: ReportViolation) -> None:
    if stack_environment(args.resources) != PROD:
        return
    for resource in args.resources:
        if resource.resource_type not in STATEFUL_TYPES or resource.opts.protect:
            continue
        if not is_retiring(resource.resource_type, resource.props):  # retiring lifts protection on purpose
            report(f"a prod {resource.resource_type.rsplit(':', 1)[-1]} is not protected.", resource.urn)


# Provider-side guards that make `pulumi destroy` fail on a resource whose Pulumi protection is off:
# the field and whether its value (None: absent) lets the destroy through. An absent deletionProtection
# blocks (the cluster's provider default is true; the Redis SDK docs: "set to true or unset ... will
# fail"); an absent Lustre deletionPolicy is DELETE.
DELETION_GUARDS: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "gcp:container/cluster:Cluster": ("deletionProtection", lambda value: value is False),
    "gcp:redis/instance:Instance": ("deletionProtection", lambda value: value is False),
    "gcp:lustre/instance:Instance": ("deletionPolicy", lambda value: value != "PREVENT"),
}


def _retiring_unblocked(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if not is_retiring(args.resource_type, args.props):
        return
    if args.opts.protect:
        report("a retiring resource still has the `protect` option: pulumi destroy would stop at it.", None)
    guard = DELETION_GUARDS.get(args.resource_type)
    if guard is None:
        return
    field, lets_through = guard
    value = get(args.props, field)
    if not lets_through(value):
        shown = "unset (the provider's default blocks)" if value is None else value
        report(f"a retiring resource still sets {field}: {shown}: pulumi destroy would fail on it.", None)


def _in_components(args: StackValidationArgs, report: ReportViolation) -> None:
    for resource in args.resources:
        kind = resource.resource_type
        if kind == ROOT_STACK or (kind.startswith(PROVIDERS) and resource.name.startswith("default")):
            continue  # the stack itself and the engine's default providers
        if kind.split(":", 1)[0] not in ("gcp", "kubernetes", "random", "tls", "pulumi"):
            continue  # a component of the program
        parent = resource.parent
        if parent is None or parent.resource_type == ROOT_STACK:
            report(f"{kind} is created at the top of the stack, outside every component.", resource.urn)


POLICIES = [
    stack_policy(
        "stack-budget-exists",
        "The stack has a billing budget scoped to its project.",
        check=_budget,
        severity=MEDIUM,
        enforcement=MANDATORY,
        remediation="Set llm-platform:budget.billingAccount (and amount): the program then creates the budget.",
        tags=["cost"],
    ),
    stack_policy(
        "stack-labels",
        "Every labelled GCP resource carries the env, app, stack and managed-by labels.",
        check=_labels,
        severity=MEDIUM,
        enforcement=MANDATORY,
        remediation="Pass naming.labels to the resource's labels (resourceLabels on clusters and node configs).",
        tags=["cost", "operations"],
    ),
    stack_policy(
        "stack-prod-stateful-protected",
        "In prod every stateful resource has the `protect` option.",
        check=_prod_protected,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Create stateful resources with protect=config.protect (true in prod).",
        tags=["reliability"],
    ),
    resource_policy(
        "stack-retiring-unblocked",
        "A resource of a stack being retired (label retiring: true) has no guard left that blocks pulumi destroy.",
        types=STATEFUL_TYPES,
        check=_retiring_unblocked,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Set llm-platform:retire and let the program lift every guard (protect, deletionProtection, "
        "Lustre deletionPolicy); never label a resource retiring by hand.",
        tags=["reliability"],
    ),
    stack_policy(
        "stack-resources-in-components",
        "Every cloud and Kubernetes resource is created inside a component, never at the top of the stack.",
        check=_in_components,
        severity=MEDIUM,
        enforcement=MANDATORY,
        remediation="Create the resource in its concern's component with opts=self.child(...).",
        tags=["operations"],
    ),
]
