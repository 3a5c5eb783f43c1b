"""Which pod may talk to which, as data: the flows the platform needs, per namespace it owns (pure).

Each namespace gets a default deny of ingress and egress for every pod, then one policy per workload
that allows exactly what that workload needs, each rule with its reason. Kubernetes NetworkPolicies
only add allowances (a connection passes when some policy selecting the pod allows it), so the plans
are a list of allowances and nothing can be re-opened by ordering.

Sources for the addresses (read 2026):
- Google's health checkers and the global load balancer's proxies to zonal NEG backends:
  35.191.0.0/16, 130.211.0.0/22; a regional (Envoy) load balancer's proxies: the proxy-only subnet
  (https://cloud.google.com/load-balancing/docs/firewall-rules).
- The metadata server: 169.254.169.254:80, and on Dataplane V2 the GKE metadata server's
  169.254.169.252:988; Dataplane V2 translates the metadata address to the node's own address on
  port 988 before it evaluates egress policy (gke-labs/kube-agents#676), so the node subnet on 988
  and 80 is allowed too.
- DNS: kube-dns pods (`kube-system`, `k8s-app: kube-dns`), NodeLocal DNSCache 169.254.20.10 (on by
  default on GKE Standard 1.33.1+, https://cloud.google.com/kubernetes-engine/docs/how-to/nodelocal-dns-cache)
  and Cloud DNS for GKE at 169.254.169.254:53 (tektoncd/operator#4000), on UDP and TCP 53.
- The API server of a VPC-peering control plane: the cluster's `masterIpv4CidrBlock` on 443 (Dataplane
  V2 evaluates egress after it translates the `kubernetes` Service address to the endpoint's).
- Google APIs (Cloud Storage, Monitoring, IAM) and Hugging Face: public addresses on 443 (Private
  Google Access routes the former inside Google); NetworkPolicy cannot name hosts, so the rule is
  "public IPv4 on 443", never the VPC's private ranges.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from components.config.platform import PlatformConfig
from components.gateway import body_routing, epp_manifests
from components.gke.addons import ADAPTER_LABELS, ADAPTER_NAMESPACE, LWS_NAMESPACE, LWS_WEBHOOK_PORT
from components.network.network import HEALTH_CHECK_RANGES
from components.serving.workload import APP, APP_LABEL, selector_labels, workload_name
from components.storage import weights as storage_weights

NAMESPACE_LABEL = "kubernetes.io/metadata.name"  # set by Kubernetes on every namespace (1.21+)
METADATA = "169.254.169.254/32"
GKE_METADATA = "169.254.169.252/32"
NODE_LOCAL_DNS = "169.254.20.10/32"
# Never "public": the VPC's private ranges and link-local (metadata, NodeLocal DNSCache).
NOT_PUBLIC = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16")
KUBE_DNS = {"k8s-app": "kube-dns"}
# Managed Prometheus' collectors run as a DaemonSet in this namespace and scrape from their pods.
GMP_NAMESPACE = "gmp-system"
# On a PSC-based control plane the API server reaches webhooks through these agents.
KONNECTIVITY = {"k8s-app": "konnectivity-agent"}
ADAPTER_PORT = 443
WEIGHTS_JOB = {APP_LABEL: storage_weights.APP}
LUSTRE_IMPORT_JOB = {APP_LABEL: "lustre-import"}
VLLM = {APP_LABEL: APP}

Port = tuple[str, int | None]  # (protocol, port); None: every port of the protocol


@dataclass(frozen=True)
class Peer:
    """Pods (by labels, in `namespace`, or in the policy's own namespace when None) or an IPv4 block."""

    pods: dict[str, str] | None = None
    namespace: str | None = None
    cidr: str | None = None
    excepted: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    peers: tuple[Peer, ...]
    ports: tuple[Port, ...]
    why: str


@dataclass(frozen=True)
class Plan:
    """One NetworkPolicy: the pods it selects ({}: all of the namespace) and what it allows them."""

    name: str
    namespace: str
    pods: dict[str, str]
    ingress: tuple[Rule, ...] = ()
    egress: tuple[Rule, ...] = ()
    types: tuple[str, ...] = field(default=("Ingress", "Egress"))


def tcp(*ports: int) -> tuple[Port, ...]:
    return tuple(("TCP", port) for port in ports)


def cidrs(*blocks: str) -> tuple[Peer, ...]:
    return tuple(Peer(cidr=block) for block in blocks)


DNS = Rule(
    (Peer(pods=KUBE_DNS, namespace="kube-system"), *cidrs(NODE_LOCAL_DNS, METADATA)),
    (("UDP", 53), ("TCP", 53)),
    "DNS: kube-dns, NodeLocal DNSCache, Cloud DNS",
)
PUBLIC_HTTPS = Rule(
    (Peer(cidr="0.0.0.0/0", excepted=NOT_PUBLIC),),
    tcp(443),
    "Google APIs (and Hugging Face for a fetch) on public addresses",
)


def metadata(config: PlatformConfig) -> tuple[Rule, ...]:
    """The metadata server, for Workload Identity tokens, as Dataplane V2 sees it."""
    return (
        Rule(cidrs(METADATA), tcp(80), "the metadata server (Workload Identity)"),
        Rule(cidrs(GKE_METADATA), tcp(988), "the GKE metadata server on Dataplane V2"),
        Rule(cidrs(config.network.subnet_cidr), tcp(80, 988), "the metadata server, translated to the node"),
    )


def api_server(config: PlatformConfig) -> Rule:
    return Rule(cidrs(config.cluster.master_ipv4_cidr), tcp(443), "the API server (control-plane range)")


def control_plane_sources(config: PlatformConfig) -> tuple[Peer, ...]:
    """Where the API server's calls to webhooks and aggregated APIs come from."""
    return (Peer(cidr=config.cluster.master_ipv4_cidr), Peer(pods=KONNECTIVITY, namespace="kube-system"))


def default_deny(namespace: str) -> Plan:
    return Plan("default-deny", namespace, {})


def serving_ingress_sources(config: PlatformConfig) -> tuple[Peer, ...]:
    """Who reaches the serving port from the edge: health checkers, and the load balancer's proxies."""
    proxies = (Peer(cidr=config.network.proxy_only_cidr),) if config.gateway.regional else ()
    return (*cidrs(*HEALTH_CHECK_RANGES), *proxies)


def tier_plans(config: PlatformConfig) -> list[Plan]:
    namespace, port = config.serving.namespace, config.serving.port
    scrape = Rule((Peer(namespace=GMP_NAMESPACE),), tcp(port), "Managed Prometheus collectors")
    plans = []
    for tier in sorted(config.tiers):
        pods = selector_labels(tier)
        ingress = [Rule(serving_ingress_sources(config), tcp(port), "the edge: health checks and proxies"), scrape]
        egress = [DNS, *metadata(config), PUBLIC_HTTPS]
        if config.gateway.regional:
            picker = epp_manifests.selector(workload_name(tier))
            ingress.append(Rule((Peer(pods=picker),), tcp(port), "the tier's endpoint picker (metrics)"))
        if config.tiers[tier].shape.multi_host:
            group = Rule((Peer(pods=pods),), (("TCP", None), ("UDP", None)), "Ray between leader and workers")
            ingress.append(group)
            egress.append(group)
        plans.append(Plan(f"{workload_name(tier)}-flows", namespace, pods, tuple(ingress), tuple(egress)))
    return plans


def edge_plans(config: PlatformConfig) -> list[Plan]:
    """The regional edge's callouts: each tier's endpoint picker, and the body-based router."""
    if not config.gateway.regional:
        return []
    namespace, port = config.serving.namespace, config.serving.port
    proxies = (Peer(cidr=config.network.proxy_only_cidr),)
    health = cidrs(*HEALTH_CHECK_RANGES)
    plans = []
    for tier in sorted(config.tiers):
        pool = workload_name(tier)
        ingress = (
            Rule(proxies, tcp(epp_manifests.EXT_PROC_PORT), "the load balancer's callout (ext_proc)"),
            Rule(health, tcp(epp_manifests.HEALTH_PORT), "health checks of the picker"),
            Rule((Peer(namespace=GMP_NAMESPACE),), tcp(epp_manifests.METRICS_PORT), "Managed Prometheus"),
        )
        egress = (
            DNS,
            api_server(config),
            Rule((Peer(pods=selector_labels(tier)),), tcp(port), "the pool's model servers (metrics)"),
        )
        plans.append(Plan(f"{pool}-epp-flows", namespace, epp_manifests.selector(pool), ingress, egress))
    if config.gateway.resolved_routing == "model":
        router_ingress = (
            Rule(proxies, tcp(body_routing.EXT_PROC_PORT), "the load balancer's callout (ext_proc)"),
            Rule(health, tcp(body_routing.HEALTH_PORT), "health checks of the router"),
        )
        router = {"app": body_routing.ROUTER_NAME}
        plans.append(Plan("body-based-router-flows", namespace, router, router_ingress, (DNS, api_server(config))))
    return plans


def job_plans(config: PlatformConfig) -> list[Plan]:
    """The weights Jobs and the Lustre imports: egress only, to DNS, the metadata server and Google."""
    namespace = config.serving.namespace
    egress = (DNS, *metadata(config), PUBLIC_HTTPS)
    plans = []
    if storage_weights.weights_plan(config):
        plans.append(Plan("model-weights-flows", namespace, WEIGHTS_JOB, egress=egress, types=("Egress",)))
    if config.model_store_type == "lustre":
        plans.append(Plan("lustre-import-flows", namespace, LUSTRE_IMPORT_JOB, egress=egress, types=("Egress",)))
    return plans


def adapter_plans(config: PlatformConfig) -> list[Plan]:
    """The metrics adapter: the API server calls it; it reads Cloud Monitoring."""
    ingress = (Rule(control_plane_sources(config), tcp(ADAPTER_PORT), "the API server (aggregated APIs)"),)
    egress = (DNS, *metadata(config), PUBLIC_HTTPS, api_server(config))
    return [
        default_deny(ADAPTER_NAMESPACE),
        Plan("metrics-adapter-flows", ADAPTER_NAMESPACE, dict(ADAPTER_LABELS), ingress, egress),
    ]


def lws_plans(config: PlatformConfig) -> list[Plan]:
    """The LeaderWorkerSet controller (a chart: every pod of its namespace): webhook in, API server out."""
    if not config.multi_host:
        return []
    ingress = (Rule(control_plane_sources(config), tcp(LWS_WEBHOOK_PORT), "the API server (admission webhook)"),)
    return [
        default_deny(LWS_NAMESPACE),
        Plan("controller-flows", LWS_NAMESPACE, {}, ingress, (DNS, api_server(config))),
    ]


def cluster_plans(config: PlatformConfig) -> dict[str, list[Plan]]:
    """Every namespace the program owns, and its policies: the default deny first."""
    serving = [default_deny(config.serving.namespace), *tier_plans(config), *edge_plans(config), *job_plans(config)]
    plans = {config.serving.namespace: serving, ADAPTER_NAMESPACE: adapter_plans(config)}
    if config.multi_host:
        plans[LWS_NAMESPACE] = lws_plans(config)
    return plans
