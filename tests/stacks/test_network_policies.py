"""Who may talk to whom inside each committed stack's cluster, computed from its NetworkPolicies.

`tests/netpol.py` evaluates the recorded policies; this file lists the flows the platform needs (the
expected table, by role) and checks every pair of actors on every probed port: a needed flow passes,
anything else is refused. Actors are the stack's own pods (read from the graph's pod templates; the
LeaderWorkerSet controller's chart is opaque offline, so its pod is modelled with its namespace), and
what surrounds them: Google's health checkers and proxies, the regional proxies, Managed Prometheus,
kube-dns, the metadata servers, the control plane, the internet, and a pod of another namespace.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

import pytest

from tests.netpol import Address, Endpoint, Pod, Policies
from tools.graph import StackGraph

PROBES = [
    ("UDP", 53),
    *(("TCP", p) for p in (22, 53, 80, 443, 988, 6379, 8000, 8080, 9002, 9003, 9004, 9005, 9090, 9443)),
]
EGRESS_TO_GOOGLE = {
    ("dns", "UDP", 53),
    ("dns", "TCP", 53),
    ("node-local-dns", "UDP", 53),
    ("node-local-dns", "TCP", 53),
    ("metadata", "UDP", 53),
    ("metadata", "TCP", 53),
    ("metadata", "TCP", 80),
    ("gke-metadata", "TCP", 988),
    ("node", "TCP", 80),
    ("node", "TCP", 988),
    # Public IPv4 on 443: Google's APIs, Hugging Face, and so also Google's load-balancer ranges.
    *((public, "TCP", 443) for public in ("google-api", "internet", "health-check", "gfe")),
}
DNS_ONLY = {flow for flow in EGRESS_TO_GOOGLE if flow[2] == 53}


def _template_pods(graph: StackGraph) -> Iterator[tuple[str, Pod]]:
    for resource in graph.resources:
        spec = resource.inputs.get("spec", {})
        namespace = resource.inputs.get("metadata", {}).get("namespace")
        if resource.type in ("kubernetes:apps/v1:Deployment", "kubernetes:batch/v1:Job"):
            labels = spec["template"]["metadata"]["labels"]
            yield _role(resource.inputs["metadata"]["name"], labels), Pod(resource.name, namespace, labels)
        elif resource.type == "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet":
            template = spec["leaderWorkerTemplate"]
            for part in ("leaderTemplate", "workerTemplate"):
                labels = template[part]["metadata"]["labels"]
                yield f"vllm:{labels['llm-platform/tier']}", Pod(f"{resource.name}-{part}", namespace, labels)
        elif resource.type == "kubernetes:helm.sh/v4:Chart" and resource.inputs.get("namespace") == "lws-system":
            yield "lws", Pod("lws-controller", "lws-system", {"control-plane": "controller-manager"})


def _role(name: str, labels: dict[str, str]) -> str:
    if labels.get("app.kubernetes.io/name") == "vllm":
        return f"vllm:{labels['llm-platform/tier']}"
    if name.endswith("-epp"):
        return f"epp:{name.removeprefix('vllm-').removesuffix('-epp')}"
    if labels.get("app.kubernetes.io/name") in ("model-weights", "lustre-import"):
        return "job"
    return {"body-based-router": "bbr", "custom-metrics-stackdriver-adapter": "adapter"}[name]


def _host(cidr: str, offset: int = 2) -> str:
    return str(ipaddress.ip_network(cidr).network_address + offset)


def actors(graph: StackGraph) -> dict[str, list[Endpoint]]:
    found: dict[str, list[Endpoint]] = {}
    for role, pod in _template_pods(graph):
        found.setdefault(role, []).append(pod)
    subnets = {
        r.inputs.get("purpose"): r.inputs["ipCidrRange"] for r in graph.by_type("gcp:compute/subnetwork:Subnetwork")
    }
    master = graph.one("gcp:container/cluster:Cluster").inputs["privateClusterConfig"]["masterIpv4CidrBlock"]
    around: dict[str, Endpoint] = {
        "health-check": Address("health-check", "35.191.10.1"),
        "gfe": Address("gfe", "130.211.1.9"),
        "internet": Address("internet", "203.0.113.7"),
        "google-api": Address("google-api", "142.250.4.95"),
        "vpc-host": Address("vpc-host", "10.200.0.5"),
        "metadata": Address("metadata", "169.254.169.254"),
        "gke-metadata": Address("gke-metadata", "169.254.169.252"),
        "node-local-dns": Address("node-local-dns", "169.254.20.10"),
        "node": Address("node", _host(subnets[None])),
        "control-plane": Address("control-plane", _host(master)),
        "dns": Pod("kube-dns", "kube-system", {"k8s-app": "kube-dns"}),
        "konnectivity": Pod("konnectivity", "kube-system", {"k8s-app": "konnectivity-agent"}),
        "gmp": Pod("collector", "gmp-system", {"app.kubernetes.io/name": "collector"}),
        "stranger": Pod("stranger", "default", {"app.kubernetes.io/name": "vllm", "llm-platform/tier": "small"}),
    }
    if "REGIONAL_MANAGED_PROXY" in subnets:
        around["proxy"] = Address("proxy", _host(subnets["REGIONAL_MANAGED_PROXY"]))
    return {**found, **{role: [endpoint] for role, endpoint in around.items()}}


def needed(roles: set[str]) -> tuple[set[tuple[str, str, str, int]], set[tuple[str, str]]]:
    """The expected table: (source, destination, protocol, port) flows, and pairs open on every port."""
    flows: set[tuple[str, str, str, int]] = set()
    every_port: set[tuple[str, str]] = set()
    regional = "proxy" in roles
    for tier in sorted(role.split(":")[1] for role in roles if role.startswith("vllm:")):
        vllm = f"vllm:{tier}"
        flows |= {(src, vllm, "TCP", 8000) for src in ("health-check", "gfe", "gmp")}
        flows |= {(vllm, dst, proto, port) for dst, proto, port in EGRESS_TO_GOOGLE}
        if regional:
            epp = f"epp:{tier}"
            flows |= {("proxy", vllm, "TCP", 8000), ("proxy", epp, "TCP", 9002), (epp, vllm, "TCP", 8000)}
            flows |= {("health-check", epp, "TCP", 9003), ("gfe", epp, "TCP", 9003), ("gmp", epp, "TCP", 9090)}
            flows |= {(epp, dst, proto, port) for dst, proto, port in DNS_ONLY} | {(epp, "control-plane", "TCP", 443)}
        every_port.add((vllm, vllm))  # Ray inside a multi-host group (single-host: one pod, no peer)
    if "bbr" in roles:
        flows |= {("proxy", "bbr", "TCP", 9004), ("health-check", "bbr", "TCP", 9005), ("gfe", "bbr", "TCP", 9005)}
        flows |= {("bbr", dst, proto, port) for dst, proto, port in DNS_ONLY} | {("bbr", "control-plane", "TCP", 443)}
    flows |= {("job", dst, proto, port) for dst, proto, port in EGRESS_TO_GOOGLE}
    flows |= {("adapter", dst, proto, port) for dst, proto, port in EGRESS_TO_GOOGLE}
    flows |= {("adapter", "control-plane", "TCP", 443), ("control-plane", "adapter", "TCP", 443)}
    flows |= {("konnectivity", "adapter", "TCP", 443)}
    if "lws" in roles:
        flows |= {("control-plane", "lws", "TCP", 9443), ("konnectivity", "lws", "TCP", 9443)}
        flows |= {("lws", dst, proto, port) for dst, proto, port in DNS_ONLY} | {("lws", "control-plane", "TCP", 443)}
    return flows, every_port


OWNED = ("llm-serving", "custom-metrics", "lws-system")


@pytest.mark.parametrize("stack", ["dev", "staging", "prod", "legacy"])
def test_every_needed_flow_passes_and_nothing_else(graphs: dict[str, StackGraph], stack: str) -> None:
    graph = graphs[stack]
    policies, cast = Policies.of(graph), actors(graph)
    flows, every_port = needed(set(cast))
    wrong = []
    for source_role, sources in cast.items():
        for destination_role, destinations in cast.items():
            for source in sources:
                for destination in destinations:
                    owned = [e for e in (source, destination) if isinstance(e, Pod) and e.namespace in OWNED]
                    if not owned or source is destination:
                        continue
                    for protocol, port in PROBES:
                        expected = (source_role, destination_role, protocol, port) in flows or (
                            source_role,
                            destination_role,
                        ) in every_port
                        if policies.allowed(source, destination, port, protocol) != expected:
                            wrong.append(f"{source_role} -> {destination_role} {protocol}/{port}: expected {expected}")
    assert not wrong, "\n".join(sorted(set(wrong)))


def test_the_table_was_exercised(graphs: dict[str, StackGraph]) -> None:
    """The probe found each kind of actor in some stack: a flow table over missing actors proves nothing."""
    roles = set().union(*(actors(graph) for graph in graphs.values()))
    assert {"vllm:small", "vllm:large", "epp:small", "bbr", "job", "adapter", "lws", "proxy"} <= roles


def test_every_owned_namespace_denies_by_default(graphs: dict[str, StackGraph]) -> None:
    for graph in graphs.values():
        denies = {
            r.inputs["metadata"]["namespace"]
            for r in graph.by_type("kubernetes:networking.k8s.io/v1:NetworkPolicy")
            if not r.inputs["spec"].get("podSelector")
            and set(r.inputs["spec"]["policyTypes"]) == {"Ingress", "Egress"}
            and not r.inputs["spec"].get("ingress")
            and not r.inputs["spec"].get("egress")
        }
        owned = {r.inputs["metadata"]["name"] for r in graph.by_type("kubernetes:core/v1:Namespace")}
        assert denies == owned, graph.stack


def test_the_default_deny_waits_for_every_allowance(graphs: dict[str, StackGraph]) -> None:
    """Created last, the deny never blocks a flow whose allowance is still being created."""
    for graph in graphs.values():
        policies = graph.by_type("kubernetes:networking.k8s.io/v1:NetworkPolicy")
        for deny in (p for p in policies if p.inputs["metadata"]["name"] == "default-deny"):
            namespace = deny.inputs["metadata"]["namespace"]
            allowances = {p.urn for p in policies if p.inputs["metadata"]["namespace"] == namespace} - {deny.urn}
            assert allowances <= set(deny.dependencies), (graph.stack, namespace)
