"""Creation order of the regional Inference Gateway edge (components/gateway/regional.py): its regional
address, Cloud Armor policy and DNS-authorized certificate, the proxy-only subnet, the pools, their
endpoint pickers and the body-based router's extension."""

from __future__ import annotations

from collections.abc import Callable

from pulumi_policy import PolicyResource

from ..metadata import items, known
from .engine import Prerequisite, Rule, named_by, rule_after, same, sets, value_at

GATEWAY = "kubernetes:gateway.networking.k8s.io/v1:Gateway"
REGIONAL_CLASSES = {"gke-l7-regional-external-managed", "gke-l7-rilb"}
CERT_MANAGER_CERTS = "networking.gke.io/cert-manager-certs"
DNS_AUTHORIZATION = "gcp:certificatemanager/dnsAuthorization:DnsAuthorization"
CERTIFICATE = "gcp:certificatemanager/certificate:Certificate"
SERVICE = "kubernetes:core/v1:Service"


def _regional(resource: PolicyResource) -> bool:
    return value_at(resource, "spec", "gatewayClassName") in REGIONAL_CLASSES


def _listener_certificates(resource: PolicyResource) -> list[object]:
    return [
        known(listener, "tls", "options", CERT_MANAGER_CERTS)
        for listener in items(value_at(resource, "spec", "listeners"))
        if known(listener, "tls", "options", CERT_MANAGER_CERTS) is not None
    ]


def _targets(kind: str) -> Callable[[PolicyResource], bool]:
    return lambda resource: value_at(resource, "spec", "targetRef", "kind") == kind


def _pool_backends(resource: PolicyResource) -> list[object]:
    return [
        known(ref, "name")
        for rule in items(value_at(resource, "spec", "rules"))
        for ref in items(known(rule, "backendRefs"))
        if known(ref, "kind") == "InferencePool"
    ]


def _pool(name: object) -> Prerequisite:
    return Prerequisite(
        f"the InferencePool {name} it routes to",
        "kubernetes:inference.networking.k8s.io/v1:InferencePool",
        lambda candidate, _: same(value_at(candidate, "metadata", "name"), name),
    )


RULES: tuple[Rule, ...] = (
    *(
        Rule(type_, "compute.googleapis.com serves it", apis=("compute.googleapis.com",))
        for type_ in ("gcp:compute/address:Address", "gcp:compute/regionSecurityPolicy:RegionSecurityPolicy")
    ),
    Rule(DNS_AUTHORIZATION, "certificatemanager.googleapis.com serves it", apis=("certificatemanager.googleapis.com",)),
    rule_after(
        CERTIFICATE,
        "A DNS-authorized certificate names its authorizations; Certificate Manager refuses an unknown one "
        "(https://cloud.google.com/certificate-manager/docs/dns-authorizations)",
        Prerequisite("the DNS authorization it names", DNS_AUTHORIZATION),
        when=sets("managed", "dnsAuthorizations"),
    ),
    rule_after(
        GATEWAY,
        "A regional Gateway names a reserved regional address (https://cloud.google.com/kubernetes-engine/docs/"
        "how-to/deploying-gateways)",
        Prerequisite(
            "the regional address it names",
            "gcp:compute/address:Address",
            lambda candidate, subject: any(
                same(value_at(candidate, "name"), known(address, "value"))
                for address in items(value_at(subject, "spec", "addresses"))
            ),
            if_in_stack=True,
        ),
        when=_regional,
    ),
    rule_after(
        GATEWAY,
        "The regional Application Load Balancer's proxies need an ACTIVE proxy-only subnet in the region, or "
        "the Gateway controller provisions nothing (https://cloud.google.com/load-balancing/docs/proxy-only-subnets)",
        Prerequisite(
            "a proxy-only subnet (REGIONAL_MANAGED_PROXY)",
            "gcp:compute/subnetwork:Subnetwork",
            lambda candidate, _: value_at(candidate, "purpose") == "REGIONAL_MANAGED_PROXY",
        ),
        when=_regional,
    ),
    rule_after(
        GATEWAY,
        "An HTTPS listener serves the regional certificates its tls.options name "
        "(https://cloud.google.com/kubernetes-engine/docs/how-to/secure-gateway)",
        Prerequisite(
            "the regional certificate its listener names",
            CERTIFICATE,
            lambda candidate, subject: any(
                same(value_at(candidate, "name"), name) for name in _listener_certificates(subject)
            ),
        ),
        when=lambda resource: bool(_listener_certificates(resource)),
    ),
    rule_after(
        "kubernetes:networking.gke.io/v1:GCPBackendPolicy",
        "GKE attaches the regional Cloud Armor policy a pool's backend policy names only if it exists "
        "(https://cloud.google.com/kubernetes-engine/docs/how-to/configure-gateway-resources)",
        Prerequisite(
            "the regional Cloud Armor policy it names",
            "gcp:compute/regionSecurityPolicy:RegionSecurityPolicy",
            named_by("name", "spec", "default", "securityPolicy"),
        ),
        when=lambda resource: (
            _targets("InferencePool")(resource) and sets("spec", "default", "securityPolicy")(resource)
        ),
    ),
    rule_after(
        "kubernetes:inference.networking.k8s.io/v1:InferencePool",
        "The Gateway calls the endpoint picker the pool names for every request (FailOpen or not, it needs "
        "its backend: https://cloud.google.com/kubernetes-engine/docs/how-to/deploy-gke-inference-gateway)",
        Prerequisite(
            "the endpoint picker Service it names",
            SERVICE,
            lambda candidate, subject: same(
                value_at(candidate, "metadata", "name"), value_at(subject, "spec", "endpointPickerRef", "name")
            ),
        ),
    ),
    rule_after(
        "kubernetes:networking.gke.io/v1:GCPRoutingExtension",
        "The load balancer calls the extension's backend Service on every request "
        "(https://cloud.google.com/kubernetes-engine/docs/how-to/configure-body-based-routing)",
        Prerequisite(
            "the Service it calls",
            SERVICE,
            lambda candidate, subject: any(
                same(value_at(candidate, "metadata", "name"), known(extension, "backendRef", "name"))
                for chain in items(value_at(subject, "spec", "extensionChains"))
                for extension in items(known(chain, "extensions"))
            ),
        ),
        Prerequisite(
            "the Gateway it extends",
            GATEWAY,
            lambda candidate, subject: any(
                same(value_at(candidate, "metadata", "name"), known(ref, "name"))
                for ref in items(value_at(subject, "spec", "targetRefs"))
            ),
        ),
    ),
    Rule(
        "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
        "A rule to an InferencePool that does not exist answers 500 until it does "
        "(https://gateway-api.sigs.k8s.io/reference/spec/#httpbackendref)",
        after=lambda resource: tuple(_pool(name) for name in _pool_backends(resource)),
        when=lambda resource: bool(_pool_backends(resource)),
    ),
)
