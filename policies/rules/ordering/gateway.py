"""Creation order of the Gateway, its address, certificates, Cloud Armor and API key (components/gateway)."""

from __future__ import annotations

from ..metadata import items, known
from .engine import Prerequisite, Rule, named_by, rule_after, same, sets, value_at

RULES: tuple[Rule, ...] = (
    Rule(
        "gcp:compute/securityPolicy:SecurityPolicy",
        "compute.googleapis.com serves it",
        apis=("compute.googleapis.com",),
    ),
    *(
        Rule(type_, "certificatemanager.googleapis.com serves it", apis=("certificatemanager.googleapis.com",))
        for type_ in (
            "gcp:certificatemanager/certificate:Certificate",
            "gcp:certificatemanager/certificateMap:CertificateMap",
        )
    ),
    Rule(
        "gcp:certificatemanager/certificateMapEntry:CertificateMapEntry",
        "An entry joins an existing map and serves an existing certificate "
        "(https://cloud.google.com/certificate-manager/docs/maps)",
        apis=("certificatemanager.googleapis.com",),
        after=(
            Prerequisite(
                "its certificate map",
                "gcp:certificatemanager/certificateMap:CertificateMap",
                named_by("name", "map"),
            ),
            Prerequisite("its certificate", "gcp:certificatemanager/certificate:Certificate"),
        ),
    ),
    Rule("random:index/randomPassword:RandomPassword", "generated locally: no API, nothing before it"),
    rule_after(
        "kubernetes:gateway.networking.k8s.io/v1:Gateway",
        "A Gateway names a reserved address and a certificate map; GKE does not program it until both "
        "exist (https://cloud.google.com/kubernetes-engine/docs/how-to/secure-gateway)",
        Prerequisite(
            "the address it names",
            "gcp:compute/globalAddress:GlobalAddress",
            lambda candidate, subject: any(
                same(value_at(candidate, "name"), known(address, "value"))
                for address in items(value_at(subject, "spec", "addresses"))
            ),
            if_in_stack=True,
        ),
    ),
    rule_after(
        "kubernetes:gateway.networking.k8s.io/v1:Gateway",
        "The certificate map must hold its entry before the load balancer serves HTTPS "
        "(https://cloud.google.com/kubernetes-engine/docs/how-to/secure-gateway)",
        Prerequisite(
            "an entry of the certificate map it names",
            "gcp:certificatemanager/certificateMapEntry:CertificateMapEntry",
            named_by("map", "metadata", "annotations", "networking.gke.io/certmap"),
        ),
        when=sets("metadata", "annotations", "networking.gke.io/certmap"),
    ),
    rule_after(
        "kubernetes:networking.gke.io/v1:GCPBackendPolicy",
        "GKE attaches the Cloud Armor policy it names only if it exists "
        "(https://cloud.google.com/kubernetes-engine/docs/how-to/configure-gateway-resources)",
        Prerequisite(
            "the Cloud Armor policy it names",
            "gcp:compute/securityPolicy:SecurityPolicy",
            named_by("name", "spec", "default", "securityPolicy"),
        ),
        # The global edge's policies target Services; a pool's (regional edge) is in inference_edge.py.
        when=lambda resource: (
            sets("spec", "default", "securityPolicy")(resource)
            and value_at(resource, "spec", "targetRef", "kind") == "Service"
        ),
    ),
)
