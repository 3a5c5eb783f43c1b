"""The plans of `flows.py` as NetworkPolicies (networking.k8s.io/v1), one component per namespace."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components.base import PlatformComponent
from components.isolation.flows import NAMESPACE_LABEL, Peer, Plan, Rule

LABELS = {"app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "llm-platform"}


def peer_args(peer: Peer) -> k8s.networking.v1.NetworkPolicyPeerArgs:
    if peer.cidr is not None:
        block = k8s.networking.v1.IPBlockArgs(cidr=peer.cidr, except_=list(peer.excepted) or None)
        return k8s.networking.v1.NetworkPolicyPeerArgs(ip_block=block)
    namespace = (
        k8s.meta.v1.LabelSelectorArgs(match_labels={NAMESPACE_LABEL: peer.namespace})
        if peer.namespace is not None
        else None
    )
    pods = k8s.meta.v1.LabelSelectorArgs(match_labels=dict(peer.pods)) if peer.pods is not None else None
    return k8s.networking.v1.NetworkPolicyPeerArgs(namespace_selector=namespace, pod_selector=pods)


def port_args(rule: Rule) -> list[k8s.networking.v1.NetworkPolicyPortArgs] | None:
    return [
        k8s.networking.v1.NetworkPolicyPortArgs(protocol=protocol, port=port) for protocol, port in rule.ports
    ] or None


def spec_args(plan: Plan) -> k8s.networking.v1.NetworkPolicySpecArgs:
    """A plan with no rules of a type denies that direction for the pods it selects."""
    return k8s.networking.v1.NetworkPolicySpecArgs(
        pod_selector=k8s.meta.v1.LabelSelectorArgs(match_labels=dict(plan.pods) or None),
        policy_types=list(plan.types),
        ingress=[
            k8s.networking.v1.NetworkPolicyIngressRuleArgs(
                from_=[peer_args(peer) for peer in rule.peers], ports=port_args(rule)
            )
            for rule in plan.ingress
        ]
        or None,
        egress=[
            k8s.networking.v1.NetworkPolicyEgressRuleArgs(
                to=[peer_args(peer) for peer in rule.peers], ports=port_args(rule)
            )
            for rule in plan.egress
        ]
        or None,
    )


def reasons(plan: Plan) -> dict[str, str]:
    """Why each rule exists, in order, on the object itself (`kubectl describe` shows it)."""
    why = [f"ingress: {rule.why}" for rule in plan.ingress] + [f"egress: {rule.why}" for rule in plan.egress]
    return {"llm-platform/flows": "; ".join(why) or "deny every ingress and egress not allowed by another policy"}


@dataclass(frozen=True)
class NamespaceIsolationArgs:
    namespace: str
    plans: Sequence[Plan]
    provider: k8s.Provider
    namespace_resource: pulumi.Resource | None = None  # the namespace, when this program creates it


class NamespaceIsolation(PlatformComponent):
    """A namespace's default deny and its allowances. The default deny is created after every allowance,
    so no moment exists where it blocks a flow the allowances are about to permit."""

    def __init__(self, name: str, args: NamespaceIsolationArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("isolation:NamespaceIsolation", name, opts)
        after = [args.namespace_resource] if args.namespace_resource else []
        allowances = [plan for plan in args.plans if plan.ingress or plan.egress]
        self.allowances = [self._policy(name, plan, args, after) for plan in allowances]
        self.denials = [
            self._policy(name, plan, args, [*after, *self.allowances])
            for plan in args.plans
            if not (plan.ingress or plan.egress)
        ]
        self.policies = [*self.allowances, *self.denials]
        self.register_outputs({"namespace": args.namespace, "policies": [plan.name for plan in args.plans]})

    def _policy(
        self, name: str, plan: Plan, args: NamespaceIsolationArgs, after: list[pulumi.Resource]
    ) -> k8s.networking.v1.NetworkPolicy:
        return k8s.networking.v1.NetworkPolicy(
            f"{name}-{plan.name}",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=plan.name, namespace=args.namespace, labels=LABELS, annotations=reasons(plan)
            ),
            spec=spec_args(plan),
            opts=self.child(provider=args.provider, depends_on=after),
        )
