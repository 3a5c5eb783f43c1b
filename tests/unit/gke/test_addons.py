"""The metrics adapter's pure builders: its hardened pod, its selector, the APIs it serves."""

from __future__ import annotations

from components.gke.addons import adapter_container, adapter_deployment_spec, api_service_spec
from tests.unit.sdk_args import plain


def test_the_adapter_keeps_only_the_capability_its_https_port_needs() -> None:
    container = plain(adapter_container())
    assert container["security_context"] == {
        "allow_privilege_escalation": False,
        "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]},
    }
    assert container["readiness_probe"]["http_get"] == {"path": "/healthz", "port": 443, "scheme": "HTTPS"}
    assert container["resources"]["requests"] == container["resources"]["limits"] == {"cpu": "250m", "memory": "200Mi"}


def test_the_deployment_selects_its_own_pods_and_tolerates_accelerator_nodes() -> None:
    spec = plain(adapter_deployment_spec())
    assert spec["replicas"] == 1
    selector = spec["selector"]["match_labels"]
    assert selector == {"run": "custom-metrics-stackdriver-adapter", "k8s-app": "custom-metrics-stackdriver-adapter"}
    assert spec["template"]["metadata"]["labels"].items() >= selector.items()
    pod = spec["template"]["spec"]
    assert pod["service_account_name"] == "custom-metrics-stackdriver-adapter"
    assert pod["security_context"] == {"seccomp_profile": {"type": "RuntimeDefault"}}
    assert [(t["key"], t["effect"]) for t in pod["tolerations"]] == [
        ("nvidia.com/gpu", "NoSchedule"),
        ("cloud.google.com/gke-tpu", "NoSchedule"),
    ]


def test_each_metrics_api_points_at_the_adapter_service() -> None:
    assert plain(api_service_spec("custom.metrics.k8s.io", "v1beta2", 200)) == {
        "group": "custom.metrics.k8s.io",
        "version": "v1beta2",
        "group_priority_minimum": 100,
        "version_priority": 200,
        "insecure_skip_tls_verify": True,
        "service": {"name": "custom-metrics-stackdriver-adapter", "namespace": "custom-metrics"},
    }
