"""The tenants' rules (the models are `config.TenantConfig`): names, key prefixes, supplied keys, allow-lists.

A tenant is one caller with its own key (`sk-<name>-` and 48 generated letters and digits, or one
supplied), optionally its own Cloud Armor rate limit and the tiers it may call. The name is part of
the key, of its Secret data key (`tenant-<name>`) and of an environment variable
(`VLLM_API_KEY_<NAME>`), hence a short DNS label; no name may extend another's with `-`, or its keys
would match the other tenant's Cloud Armor prefix.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Literal, Protocol

from components.config.fields import FieldError

# A key set by hand is as strong as a generated one (48 characters): its checksum rolls the tiers on
# a change and is visible in the preview, which is safe only for a value nobody can guess.
API_KEY_MIN_LENGTH = 32
# A tenant's name is part of its key (`sk-<name>-...`), of its Secret key and of an environment
# variable name: a lowercase DNS label of at most 24 characters.
TENANT_NAME = re.compile(r"^[a-z]([a-z0-9-]{0,22}[a-z0-9])?$")
# Cloud Armor Standard prices every rule; one throttle rule per rate-limited tenant fits between the
# WAF rules and the general throttle (components/gateway/cloud_armor.py).
MAX_TENANTS = 50
IntervalSec = Literal[10, 30, 60, 120, 180, 240, 300, 600, 900, 1200, 1800, 2700, 3600]


def api_key_rule(value: str) -> str:
    # Never repeat the value: it is a secret.
    if len(value) < API_KEY_MIN_LENGTH:
        raise ValueError(
            f"is {len(value)} characters (allowed: at least {API_KEY_MIN_LENGTH} random characters, e.g. the "
            "output of `openssl rand -hex 24`; or leave it unset and the stack generates one)"
        )
    return value


def key_prefix(tenant: str) -> str:
    """What every generated key of `tenant` starts with, and what its Cloud Armor rule matches."""
    return f"sk-{tenant}-"


class TenantFields(Protocol):
    """What the checks read of a tenant's config (`config.TenantConfig`, which imports this module)."""

    @property
    def api_key(self) -> str | None: ...
    @property
    def rate_limit(self) -> object | None: ...
    @property
    def tiers(self) -> list[str] | None: ...


def tenant_problems(tenants: Mapping[str, TenantFields]) -> list[FieldError]:
    """Names, prefixes and supplied keys of the tenants (fields relative to `auth`)."""
    problems = []
    if not tenants:
        problems.append(
            FieldError(
                "tenants",
                "is empty (allowed: at least one tenant, or unset it for the single key: an empty map would "
                "silently fall back to one shared key)",
            )
        )
    for name, tenant in sorted(tenants.items()):
        field = f"tenants.{name}"
        if not TENANT_NAME.match(name):
            problems.append(
                FieldError(
                    field,
                    f"{name!r} is not a tenant name (allowed: 1-24 lowercase letters, digits and '-', starting "
                    "with a letter and not ending with '-'; it becomes part of the key sk-<name>-...)",
                )
            )
            continue
        if shadowed := [other for other in sorted(tenants) if name.startswith(f"{other}-")]:
            problems.append(
                FieldError(
                    field,
                    f"starts with tenant {shadowed[0]}'s name and '-', so its keys would match {shadowed[0]}'s "
                    f"Cloud Armor prefix {key_prefix(shadowed[0])} (allowed: a name that does not start with "
                    f"'{shadowed[0]}-')",
                )
            )
        if tenant.api_key is not None:
            problems.extend(_supplied_key_problems(name, tenant, sorted(tenants)))
    return problems


def _supplied_key_problems(name: str, tenant: TenantFields, names: list[str]) -> list[FieldError]:
    # Never repeat the value: it is a secret.
    key = tenant.api_key or ""
    field = f"tenants.{name}.apiKey"
    if tenant.rate_limit is not None and not key.startswith(key_prefix(name)):
        return [
            FieldError(
                field,
                f"does not start with {key_prefix(name)}, which the tenant's Cloud Armor rate limit matches "
                f"(allowed: a key starting with {key_prefix(name)}, or unset it and the stack generates one, or "
                "drop the tenant's rateLimit)",
            )
        ]
    claimed = [other for other in names if other != name and key.startswith(key_prefix(other))]
    if claimed:
        return [
            FieldError(
                field,
                f"starts with {key_prefix(claimed[0])}, tenant {claimed[0]}'s prefix, so Cloud Armor would count "
                f"it as {claimed[0]}'s (allowed: a key that does not start with another tenant's sk-<name>-)",
            )
        ]
    return []


def tenant_tier_problems(tenants: Mapping[str, TenantFields], tiers: Iterable[str]) -> list[FieldError]:
    """Allow-lists that name a tier the stack lacks, and tiers no tenant may call (fields relative to `auth`)."""
    names = sorted(tiers)
    allowed = ", ".join(names)
    problems = [
        FieldError(f"tenants.{tenant}.tiers.{index}", f"{tier!r} is not a configured tier (allowed: {allowed})")
        for tenant, config in sorted(tenants.items())
        for index, tier in enumerate(config.tiers or [])
        if tier not in names
    ]
    if tenants and all(config.tiers is not None for config in tenants.values()):
        callable_tiers = {tier for config in tenants.values() for tier in config.tiers or []}
        problems.extend(
            FieldError(
                "tenants",
                f"no tenant may call tier {tier}, which would run and serve nobody (allowed: add {tier} to a "
                "tenant's tiers, or unset one tenant's tiers so it may call every tier)",
            )
            for tier in names
            if tier not in callable_tiers
        )
    return problems
