"""The concern packages under `components/` and what each declares about itself.

Every concern package defines `required_services(config)`; some also define
`private_services_demand(config)` (blocks of the private services range they take) or
`admitted_images(config)` (image patterns Binary Authorization must admit). Callers take the union,
so adding a concern never means editing a central list.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from components.config.platform import PlatformConfig

# Packages of `components` that are not concerns of the platform.
NOT_CONCERNS = {"config"}


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
