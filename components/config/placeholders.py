"""Placeholder values the committed stack files carry so the offline preview runs.

They are valid values (so the offline preview and the tests exercise the real program), but they
name nothing real: a project id `replace-me-...`, a reservation `replace-me-...`, addresses of the
documentation ranges (RFC 5737), domains reserved for examples (RFC 2606), the all-zero billing
account. A real `pulumi preview` or `pulumi up` with any of them stops before anything is
registered and names each key to set; the offline preview (Pulumi's mock runtime) accepts them.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from components.config.errors import NAMESPACE, set_command

if TYPE_CHECKING:
    from components.config.platform import PlatformConfig

PLACEHOLDER_PREFIX = "replace-me"
PLACEHOLDER_BILLING_ACCOUNT = "000000-000000-000000"
DOCUMENTATION_RANGES = tuple(
    ipaddress.IPv4Network(cidr) for cidr in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")
)
EXAMPLE_DOMAINS = ("example.com", "example.net", "example.org")
RESERVED_TLDS = (".example", ".test", ".invalid", ".localhost")


def _example_domain(host: str) -> bool:
    host = host.lower().rstrip(".")
    return host.endswith(RESERVED_TLDS) or any(host == d or host.endswith(f".{d}") for d in EXAMPLE_DOMAINS)


def placeholder_problems(config: PlatformConfig) -> list[str]:
    """One line per key that still holds a placeholder, with the command that sets it."""
    found: list[tuple[str, str, str]] = []
    if config.project.startswith(PLACEHOLDER_PREFIX):
        found.append(("gcp:project", config.project, "your project id"))
    for name, tier in sorted(config.tiers.items()):
        reservation = tier.capacity.reservation or ""
        if PLACEHOLDER_PREFIX in reservation:
            found.append(
                (f"{NAMESPACE}:tiers.{name}.capacity.reservation", reservation, "your TPU7x reservation's name")
            )
    for index, network in enumerate(config.cluster.master_authorized_networks):
        if any(ipaddress.IPv4Network(network.cidr).subnet_of(doc) for doc in DOCUMENTATION_RANGES):
            key = f"{NAMESPACE}:cluster.masterAuthorizedNetworks[{index}].cidr"
            found.append((key, network.cidr, "your CI or VPN egress range (a documentation range reaches nobody)"))
    token = config.model_store.fetch.token_secret_version  # projects/P/secrets/S/versions/V
    if token and token.split("/")[1].startswith(PLACEHOLDER_PREFIX):
        key = f"{NAMESPACE}:modelStore.fetch.tokenSecretVersion"
        found.append((key, token, "the Secret Manager version of your Hugging Face token"))
    if config.gateway.domain and _example_domain(config.gateway.domain):
        found.append((f"{NAMESPACE}:gateway.domain", config.gateway.domain, "a domain you control"))
    for index, email in enumerate(config.observability.notification_emails):
        if _example_domain(email.rsplit("@", 1)[-1]):
            key = f"{NAMESPACE}:observability.notificationEmails[{index}]"
            found.append((key, email, "an address your on-call reads"))
    if config.budget.billing_account == PLACEHOLDER_BILLING_ACCOUNT:
        key = f"{NAMESPACE}:budget.billingAccount"
        found.append((key, PLACEHOLDER_BILLING_ACCOUNT, "your billing account (`gcloud billing accounts list`)"))
    return [
        f"{key}: {value!r} is a placeholder of the committed stack file (allowed: {what}; "
        f"set it with `{set_command(key)}`)"
        for key, value, what in found
    ]
