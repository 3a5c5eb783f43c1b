"""The preview warns whenever an API key would travel in plain HTTP."""

from __future__ import annotations

from components.gateway.transport import plain_http_warning
from tests.helpers import config


def test_an_api_key_without_a_domain_is_warned_about() -> None:
    warning = plain_http_warning(config({"llm-platform:gateway": {"auth": {"mode": "apiKey"}}}))
    assert warning is not None and "plain HTTP" in warning and "gateway.domain" in warning


def test_https_or_no_key_is_not_warned_about() -> None:
    assert plain_http_warning(config({"llm-platform:gateway": {"domain": "llm.example.org"}})) is None
    assert plain_http_warning(config({"llm-platform:gateway": {"auth": {"mode": "none"}}})) is None
