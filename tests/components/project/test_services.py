"""ProjectServices under mocks."""

from __future__ import annotations

from components.project import ProjectServices, ProjectServicesArgs
from tests.conftest import RunComponent


def test_project_services_never_disable_on_destroy(run_component: RunComponent) -> None:
    graph = run_component(
        lambda: ProjectServices(
            "svc", ProjectServicesArgs(project="p-123456", services=["a.googleapis.com", "b.googleapis.com"])
        )
    )
    services = graph.by_type("gcp:projects/service:Service")
    assert sorted(s.inputs["service"] for s in services) == ["a.googleapis.com", "b.googleapis.com"]
    parent = graph.one("llm-platform:project:Services").urn
    for service in services:
        assert service.parent == parent
        assert service.inputs["disableOnDestroy"] is False
        assert service.inputs["disableDependentServices"] is False
