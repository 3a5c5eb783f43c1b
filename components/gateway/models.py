"""Which tier serves which model name: the names (and aliases) requests select, unique across the stack.

A request's `model` field is copied into the `X-Gateway-Model-Name` header by the body-based router
and matched exactly by the HTTPRoute, so every served name must lead to one tier; a name two tiers
served would route by rule order, not by intent. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from components.config.fields import FieldError

if TYPE_CHECKING:
    from components.config.platform import PlatformConfig
    from components.serving.config import TierConfig


def served_names(tiers: Mapping[str, TierConfig]) -> dict[str, tuple[str, ...]]:
    """Tier -> the names it serves: its model name first (vLLM answers with it), then its aliases."""
    return {name: (tier.model.name, *tier.model.aliases) for name, tier in sorted(tiers.items())}


def model_name_problems(tiers: Mapping[str, TierConfig]) -> list[FieldError]:
    """A name served twice, named at its second occurrence (tiers in name order, the model name first)."""
    seen: dict[str, str] = {}
    problems = []
    for tier, names in served_names(tiers).items():
        for index, served in enumerate(names):
            key = f"tiers.{tier}.model.name" if index == 0 else f"tiers.{tier}.model.aliases.{index - 1}"
            owner = seen.get(served)
            if owner is None:
                seen[served] = tier
                continue
            where = "this tier" if owner == tier else f"tier {owner}"
            problems.append(
                FieldError(
                    key,
                    f"{served!r} is already served by {where}: the gateway routes each model name to one tier "
                    "(allowed: a name no other tier serves; set model.name and model.path to serve one model twice)",
                )
            )
    return problems


def config_problems(config: PlatformConfig) -> list[FieldError]:
    """The gateway's checks over the whole config (handed to the loader by `components/concerns.py`)."""
    return model_name_problems(config.tiers)
