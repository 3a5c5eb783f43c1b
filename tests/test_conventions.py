"""Every concern package under `components/` is shaped alike, so a new one needs no review to fit."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from types import ModuleType
from typing import Any

import pulumi_gcp as gcp
import pytest

from components.base import PlatformComponent
from components.concerns import concern_packages
from components.config.errors import all_models, unwrap
from components.config.platform import PlatformConfig
from tests.helpers import config
from tools.graph import Registration, StackGraph

PACKAGES = concern_packages()
DOCSTRING_SECTIONS = ("Creates:", "Config keys:", "APIs:", "Outputs:")


def _modules(package: ModuleType) -> list[ModuleType]:
    return [
        importlib.import_module(f"{package.__name__}.{module.name}")
        for module in pkgutil.iter_modules(package.__path__)
    ]


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.__name__)
def test_package_docstring_says_what_it_creates_owns_needs_and_gives(package: ModuleType) -> None:
    doc = package.__doc__ or ""
    for section in DOCSTRING_SECTIONS:
        assert section in doc, f"{package.__name__} docstring lacks {section!r}"


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.__name__)
def test_package_declares_its_google_apis(package: ModuleType) -> None:
    services = package.required_services(config())
    assert isinstance(services, set)
    assert all(re.fullmatch(r"[a-z]+\.googleapis\.com", s) for s in services), services


def test_every_config_model_lives_in_its_concerns_config_module() -> None:
    # A platform-wide key's own model (`retire`, beside `deletionProtection`) belongs to the root.
    root_keys = {unwrap(field.annotation) for field in PlatformConfig.model_fields.values()}
    for model in all_models(PlatformConfig) - {PlatformConfig}:
        at_root = model.__module__ == PlatformConfig.__module__ and model in root_keys
        assert at_root or re.fullmatch(r"components\.[a-z_]+\.config", model.__module__), (
            f"{model.__name__} is defined in {model.__module__}, not in a concern's config.py"
        )


def _components(package: ModuleType) -> list[type[PlatformComponent]]:
    return [
        obj
        for module in _modules(package)
        for obj in vars(module).values()
        if inspect.isclass(obj) and issubclass(obj, PlatformComponent) and obj.__module__ == module.__name__
    ]


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.__name__)
def test_components_have_typed_args_and_a_docstring_or_module_docstring(package: ModuleType) -> None:
    for component in _components(package):
        signature = inspect.signature(component.__init__)
        args = signature.parameters.get("args")
        assert args is not None and str(args.annotation).endswith("Args"), f"{component.__name__} takes no typed args"
        module = inspect.getmodule(component)
        assert component.__doc__ or (module and module.__doc__), f"{component.__name__} is undocumented"


def _accepts_labels(type_token: str) -> set[str]:
    """Which of `labels` / `resourceLabels` the SDK class behind a gcp type token accepts."""
    module_path, class_name = type_token.split(":")[1].split("/")[0], type_token.rsplit(":", 1)[1]
    cls = getattr(getattr(gcp, module_path), class_name)
    parameters = inspect.signature(cls._internal_init).parameters
    return {
        camel for snake, camel in (("labels", "labels"), ("resource_labels", "resourceLabels")) if snake in parameters
    }


def _label_maps(resource: Registration) -> dict[str, Any]:
    """Every map of GCP labels the resource's SDK class takes, and what the program set there."""
    maps = {key: resource.inputs.get(key) for key in _accepts_labels(resource.type)}
    if resource.type == "gcp:container/nodePool:NodePool":  # node pools label their VMs through the node config
        maps["nodeConfig.resourceLabels"] = resource.inputs.get("nodeConfig", {}).get("resourceLabels")
    if resource.type == "gcp:monitoring/notificationChannel:NotificationChannel":
        # a channel's `labels` configure it (email_address, topic); its own labels are `userLabels`
        maps = {"userLabels": resource.inputs.get("userLabels")}
    return maps


def test_every_gcp_resource_that_takes_labels_carries_the_common_ones(
    graphs: dict[str, StackGraph], stack_configs: dict[str, dict[str, str]]
) -> None:
    checked = set()
    for graph in graphs.values():
        environment = stack_configs[graph.stack]["llm-platform:environment"]
        for resource in graph.resources:
            if not resource.type.startswith("gcp:"):
                continue
            for key, labels in _label_maps(resource).items():
                assert labels, f"{resource.urn} takes {key} but sets none"
                assert (labels["env"], labels["stack"]) == (environment, graph.stack), resource.urn
                assert (labels["app"], labels["managed-by"]) == ("llm-platform", "pulumi"), resource.urn
                checked.add(resource.type)
    assert {"gcp:storage/bucket:Bucket", "gcp:container/cluster:Cluster", "gcp:container/nodePool:NodePool"} <= checked
