"""The concern packages under `components/`, what each declares about itself, and the checked config.

Every concern package defines `required_services(config)`; some also define
`private_services_demand(config)` (blocks of the private services range they take),
`admitted_images(config)` (image patterns Binary Authorization must admit) or
`config_problems(config)` (checks over the whole config that need the concern's own code) or
`lookup_problems(config)` (checks that read the cloud, run once the config is valid and before any
resource is registered: a tier's reservation, `components/gke/reservations.py`). Callers
take the union, so adding a concern never means editing a central list. This module sits above every
concern: the root config (`components/config/`) never imports it, and no concern does either.
"""

from __future__ import annotations

import importlib
import ipaddress
import pkgutil
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

import pulumi

from components.config.fields import FieldError
from components.config.loader import ConfigCheck, load_platform_config, parse_platform_config
from components.config.platform import PlatformConfig
from components.network.config import private_services_overflow

# Packages of `components` that are not concerns of the platform.
NOT_CONCERNS = {"config", "stack"}


def concern_packages() -> list[ModuleType]:
    """Every concern package under `components/`."""
    import components

    return [
        importlib.import_module(f"components.{module.name}")
        for module in pkgutil.iter_modules(components.__path__)
        if module.ispkg and module.name not in NOT_CONCERNS
    ]


def declared(name: str, config: PlatformConfig) -> list[Any]:
    """Everything the concerns declare under `name` for this stack, in package order."""
    return [item for package in concern_packages() for item in getattr(package, name, lambda _: [])(config)]


def required_services(config: PlatformConfig) -> list[str]:
    """The sorted union of the APIs every concern declares for this stack."""
    return sorted(set(declared("required_services", config)))


def private_services_problems(config: PlatformConfig) -> list[FieldError]:
    """The private services range must hold a block for everything that peers through it."""
    psa = ipaddress.IPv4Network(config.network.private_services_cidr)
    overflow = private_services_overflow(psa.prefixlen, declared("private_services_demand", config), str(psa))
    return [FieldError("network.privateServicesCidr", overflow)] if overflow else []


def config_checks() -> list[ConfigCheck]:
    """The checks over the whole config that concerns declare, beside the root's own."""
    declared_checks = [package.config_problems for package in concern_packages() if hasattr(package, "config_problems")]
    return [private_services_problems, *declared_checks]


def parse_config(raw: Mapping[str, Any], stack: str = "dev") -> PlatformConfig:
    """`parse_platform_config` with every concern's checks: what the program itself runs."""
    return parse_platform_config(raw, stack, config_checks())


def lookup_checks() -> list[Callable[[PlatformConfig], list[str]]]:
    """The checks that read the cloud (plain invokes), each returning `key: problem` lines."""
    return [package.lookup_problems for package in concern_packages() if hasattr(package, "lookup_problems")]


def load_config() -> PlatformConfig:
    """The stack's config as the engine hands it, every check applied; a bad config raises `pulumi.RunError`.

    The lookups run only on a valid config, so a typo is reported before any call to the cloud, and
    before the program registers anything, so a failed lookup leaves nothing half-made."""
    config = load_platform_config(config_checks())
    problems = [line for check in lookup_checks() for line in check(config)]
    if problems:
        raise pulumi.RunError("the stack configuration names what the cloud does not hold:\n  " + "\n  ".join(problems))
    return config
