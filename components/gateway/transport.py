"""Whether an API key would cross the internet in plain HTTP (pure): the preview says so."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from components.config.platform import PlatformConfig


def plain_http_warning(config: PlatformConfig) -> str | None:
    """Without `gateway.domain` the edge listens on HTTP only, so a bearer key travels in clear text."""
    if config.gateway.domain is not None or config.gateway.auth.mode != "apiKey":
        return None
    return (
        "gateway: no gateway.domain, so the edge serves plain HTTP and every request's API key crosses the "
        "internet unencrypted; set gateway.domain to a name you control for a managed certificate and HTTPS "
        "(docs/operations.md, 'HTTPS in dev'), or reach the endpoint only through a tunnel"
    )
