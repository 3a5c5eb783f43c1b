"""What a rule is, how a row matches, and the engine that judges a stack against the table.

A rule says, for one resource type (and optionally only `when` a predicate holds), the APIs it
needs and the resources that must be upstream of it. `Graph` computes what is upstream: through
dependencies and providers, transitively; parents are not followed, since the engine creates a
child as soon as its own dependencies are ready. Values a first preview cannot know are judged
leniently (`same`): a value computed from another resource's output already depends on it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import PolicyResource, ReportViolation, StackValidationArgs, StackValidationPolicy

from ..metadata import HIGH, MANDATORY, UNKNOWN, known, stack_policy
from .resource_types import PROJECT_IAM_MEMBER, SERVICE

Match = Callable[[PolicyResource, PolicyResource], bool]  # (candidate upstream, the resource judged)


def value_at(resource: PolicyResource, *path: str | int) -> Any:
    return known(resource.props, *path)


def same(a: Any, b: Any) -> bool:
    """Equal, or not yet known (a value computed from an output depends on its resource anyway)."""
    return a is UNKNOWN or b is UNKNOWN or a == b


def any_candidate(candidate: PolicyResource, subject: PolicyResource) -> bool:
    return True


def named_by(field: str, *path: str) -> Match:
    """A candidate whose `field` is what the judged resource names at `path`."""
    return lambda candidate, subject: same(value_at(candidate, field), value_at(subject, *path))


def sets(*path: str) -> Callable[[PolicyResource], bool]:
    return lambda resource: value_at(resource, *path) is not None


@dataclass(frozen=True)
class Prerequisite:
    """A resource that must be upstream: of `type`, matching `match`.

    `if_in_stack`: required only when the stack creates such a resource (a namespace the stack does
    not own, say, is someone else's to order)."""

    what: str
    type: str
    match: Match = any_candidate
    if_in_stack: bool = False


@dataclass(frozen=True)
class Rule:
    type: str
    source: str
    apis: tuple[str, ...] = ()
    after: tuple[Prerequisite, ...] | Callable[[PolicyResource], tuple[Prerequisite, ...]] = ()
    when: Callable[[PolicyResource], bool] = field(default=lambda resource: True)

    def prerequisites(self, resource: PolicyResource) -> tuple[Prerequisite, ...]:
        after = self.after(resource) if callable(self.after) else self.after
        return (*(api(name) for name in self.apis), *after)


def api(name: str) -> Prerequisite:
    return Prerequisite(name, SERVICE, lambda candidate, _: value_at(candidate, "service") == name)


def grants(role: str, what: str, type_: str = PROJECT_IAM_MEMBER) -> Prerequisite:
    return Prerequisite(what, type_, lambda candidate, _: value_at(candidate, "role") == role)


def rule_after(type_: str, source: str, *after: Prerequisite, **options: Any) -> Rule:
    return Rule(type_, source, after=after, **options)


class Graph:
    """Upstream sets over dependencies and providers (parents are not creation order)."""

    def __init__(self, resources: list[PolicyResource]) -> None:
        self.resources = resources
        self.by_urn = {resource.urn: resource for resource in resources}
        self._upstream: dict[str, frozenset[str]] = {}

    def _direct(self, resource: PolicyResource) -> list[str]:
        urns = [dependency.urn for dependency in resource.dependencies]
        if resource.provider is not None:
            urns.append(resource.provider.urn)
        return urns

    def upstream(self, resource: PolicyResource) -> frozenset[str]:
        cached = self._upstream.get(resource.urn)
        if cached is not None:
            return cached
        found: set[str] = set()
        pending = self._direct(resource)
        while pending:
            urn = pending.pop()
            if urn in found:
                continue
            found.add(urn)
            if urn in self._upstream:
                found |= self._upstream[urn]
            elif urn in self.by_urn:
                pending.extend(self._direct(self.by_urn[urn]))
        self._upstream[resource.urn] = frozenset(found)
        return self._upstream[resource.urn]

    def satisfied(self, prerequisite: Prerequisite, resource: PolicyResource) -> bool:
        def matches(candidate: PolicyResource) -> bool:
            return candidate.resource_type == prerequisite.type and prerequisite.match(candidate, resource)

        upstream = self.upstream(resource)
        if any(matches(self.by_urn[urn]) for urn in upstream if urn in self.by_urn):
            return True
        return prerequisite.if_in_stack and not any(matches(candidate) for candidate in self.resources)


def missing(
    resources: list[PolicyResource], rules: tuple[Rule, ...]
) -> list[tuple[PolicyResource, Prerequisite, Rule]]:
    """Every (resource, prerequisite, rule) where the prerequisite is not upstream of the resource."""
    graph = Graph(resources)
    found = []
    for resource in resources:
        for rule in rules:
            if rule.type != resource.resource_type or not rule.when(resource):
                continue
            for prerequisite in rule.prerequisites(resource):
                if not graph.satisfied(prerequisite, resource):
                    found.append((resource, prerequisite, rule))
    return found


def _is_resource(resource: PolicyResource) -> bool:
    kind = resource.resource_type
    if kind == "pulumi:pulumi:Stack" or (kind.startswith("pulumi:providers:") and resource.name.startswith("default")):
        return False
    return kind.split(":", 1)[0] in ("gcp", "kubernetes", "random", "tls", "pulumi")


def creation_order_policies(rules: tuple[Rule, ...]) -> list[StackValidationPolicy]:
    """`stack-creation-order` and `stack-creation-order-covered`, judging against `rules`."""
    ruled_types = frozenset(rule.type for rule in rules)

    def creation_order(args: StackValidationArgs, report: ReportViolation) -> None:
        reported: set[tuple[str, str]] = set()
        for resource, prerequisite, rule in missing(list(args.resources), rules):
            if (resource.urn, prerequisite.what) in reported:
                continue
            reported.add((resource.urn, prerequisite.what))
            report(
                f"is not created after {prerequisite.what} ({prerequisite.type}): on a fresh project "
                f"the first `pulumi up` races it. Why: {rule.source}.",
                resource.urn,
            )

    def unruled(args: StackValidationArgs, report: ReportViolation) -> None:
        for resource in args.resources:
            kind = resource.resource_type
            if _is_resource(resource) and kind not in ruled_types:
                report(f"{kind} has no creation-order rule: add one to policies/rules/ordering/.", resource.urn)

    return [
        stack_policy(
            "stack-creation-order",
            "Every resource is created after the APIs, service agents, grants and hosts it needs "
            "(the rule table of policies/rules/ordering/), so the first `pulumi up` on a fresh project goes through.",
            check=creation_order,
            severity=HIGH,
            enforcement=MANDATORY,
            remediation="Pass the missing resource in depends_on (or take an input from its output).",
            tags=["reliability"],
        ),
        stack_policy(
            "stack-creation-order-covered",
            "Every resource type of the stack has a creation-order rule, so a new type is reviewed before it lands.",
            check=unruled,
            severity=HIGH,
            enforcement=MANDATORY,
            remediation="Add the type to the RULES of its concern's module in policies/rules/ordering/ with its "
            "APIs, prerequisites and source.",
            tags=["reliability"],
        ),
    ]
