"""ProjectServices under mocks."""

from __future__ import annotations

from components.project import ProjectServices, ProjectServicesArgs
from components.project.services import BOOTSTRAP_SERVICES
from tests.conftest import RunComponent


def test_project_services_never_disable_on_destroy(run_component: RunComponent) -> None:
    graph = run_component(
        lambda: ProjectServices(
            "svc", ProjectServicesArgs(project="p-123456", services=["a.googleapis.com", "b.googleapis.com"])
        )
    )
    services = graph.by_type("gcp:projects/service:Service")
    assert sorted(s.inputs["service"] for s in services) == sorted(
        ["a.googleapis.com", "b.googleapis.com", *BOOTSTRAP_SERVICES]
    )
    parent = graph.one("llm-platform:project:Services").urn
    for service in services:
        assert service.parent == parent
        assert service.inputs["disableOnDestroy"] is False
        assert service.inputs["disableDependentServices"] is False


def test_every_api_waits_for_the_apis_that_enable_apis(run_component: RunComponent) -> None:
    graph = run_component(
        lambda: ProjectServices("svc", ProjectServicesArgs(project="p-123456", services=["a.googleapis.com"]))
    )
    by_api = {s.inputs["service"]: s for s in graph.by_type("gcp:projects/service:Service")}
    bootstrap = {by_api[api].urn for api in BOOTSTRAP_SERVICES}
    assert bootstrap <= set(by_api["a.googleapis.com"].dependencies)
    assert all(not bootstrap & set(by_api[api].dependencies) for api in BOOTSTRAP_SERVICES)
