"""A small evaluator of Kubernetes NetworkPolicy semantics (networking.k8s.io/v1), for the flow tests.

It reads NetworkPolicies as recorded in a stack graph and answers whether a connection from a source
to a destination on a port passes, the way the API documents it
(https://kubernetes.io/docs/concepts/services-networking/network-policies/):
- a pod selected by no policy of a type (Ingress / Egress) is unrestricted in that direction;
- otherwise a connection passes only if some rule of some policy selecting the pod allows it; the
  source pod's egress and the destination pod's ingress must both allow it;
- a peer with only `podSelector` means pods of the policy's own namespace, with only
  `namespaceSelector` every pod of the matching namespaces, with both the matching pods there;
  `ipBlock` matches addresses (never pods: pod addresses are not modelled), minus `except`;
- no `from`/`to` in a rule: every peer; no `ports`: every port; a port without a number: every port of
  its protocol; protocol defaults to TCP; `endPort` closes a range.
`matchExpressions` are not modelled: a policy that uses them fails the evaluation loudly.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from tools.graph import StackGraph

NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
NAMESPACE_LABEL = "kubernetes.io/metadata.name"


@dataclass(frozen=True)
class Pod:
    name: str
    namespace: str
    labels: dict[str, str] = field(hash=False)


@dataclass(frozen=True)
class Address:
    name: str
    ip: str


Endpoint = Pod | Address


def _selects(selector: dict[str, Any] | None, labels: dict[str, str]) -> bool:
    if selector is None:
        return True
    if selector.get("matchExpressions"):
        raise NotImplementedError("matchExpressions are not modelled")
    return all(labels.get(key) == value for key, value in (selector.get("matchLabels") or {}).items())


def _peer_matches(peer: dict[str, Any], policy_namespace: str, other: Endpoint) -> bool:
    if "ipBlock" in peer:
        if not isinstance(other, Address):
            return False
        address = ipaddress.ip_address(other.ip)
        block = peer["ipBlock"]
        inside = address in ipaddress.ip_network(block["cidr"])
        return inside and not any(address in ipaddress.ip_network(e) for e in block.get("except") or [])
    if not isinstance(other, Pod):
        return False
    namespaces = peer.get("namespaceSelector")
    if namespaces is None:
        in_namespace = other.namespace == policy_namespace
    else:
        in_namespace = _selects(namespaces, {NAMESPACE_LABEL: other.namespace})
    return in_namespace and _selects(peer.get("podSelector"), other.labels)


def _port_matches(ports: list[dict[str, Any]] | None, protocol: str, port: int) -> bool:
    if not ports:
        return True
    for entry in ports:
        if entry.get("protocol", "TCP") != protocol:
            continue
        number = entry.get("port")
        if number is None:
            return True
        if isinstance(number, str):
            raise NotImplementedError("named ports are not modelled")
        if int(number) <= port <= int(entry.get("endPort", number)):
            return True
    return False


@dataclass(frozen=True)
class Policies:
    items: tuple[dict[str, Any], ...]

    @classmethod
    def of(cls, graph: StackGraph) -> Policies:
        return cls(tuple(resource.inputs for resource in graph.by_type(NETWORK_POLICY)))

    def _selecting(self, pod: Pod, kind: str) -> list[dict[str, Any]]:
        return [
            policy
            for policy in self.items
            if policy["metadata"]["namespace"] == pod.namespace
            and kind in policy["spec"].get("policyTypes", ["Ingress"])
            and _selects(policy["spec"].get("podSelector") or {}, pod.labels)
        ]

    def _allows(self, pod: Pod, kind: str, other: Endpoint, protocol: str, port: int) -> bool:
        selecting = self._selecting(pod, kind)
        if not selecting:
            return True
        rules_key, peers_key = ("ingress", "from") if kind == "Ingress" else ("egress", "to")
        for policy in selecting:
            for rule in policy["spec"].get(rules_key) or []:
                peers = rule.get(peers_key)
                peer_ok = not peers or any(_peer_matches(p, pod.namespace, other) for p in peers)
                if peer_ok and _port_matches(rule.get("ports"), protocol, port):
                    return True
        return False

    def allowed(self, source: Endpoint, destination: Endpoint, port: int, protocol: str = "TCP") -> bool:
        """May `source` open a connection to `destination` on `port`?"""
        out = not isinstance(source, Pod) or self._allows(source, "Egress", destination, protocol, port)
        into = not isinstance(destination, Pod) or self._allows(destination, "Ingress", source, protocol, port)
        return out and into
