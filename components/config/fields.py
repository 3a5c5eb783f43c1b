"""Field types and checks shared by several concerns' config models.

Every check raises `ValueError` with a message that says what is wrong and what is allowed;
`components.config.errors` prefixes it with the fully qualified key. A check that spans
several fields of one model raises `FieldError` naming the field the user must edit, so
the message names the leaf key, not the model that holds it.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

_PROJECT_ID = re.compile(r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$")
_REGION = re.compile(r"^[a-z]+-[a-z]+[0-9]+$")
ZONE_PATTERN = re.compile(r"^([a-z]+-[a-z]+[0-9]+)-[a-z0-9]+$")
_LABEL_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")
_LABEL_VALUE = re.compile(r"^[a-z0-9_-]{0,63}$")
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


class FieldError(ValueError):
    """A problem with one field of the model being validated: `field` is its camelCase key,
    possibly dotted (`capacity.reservation`), relative to that model."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class MultiFieldError(ValueError):
    """Several MultiFieldError found by one cross-field check, reported together."""

    def __init__(self, problems: Iterable[FieldError]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


def raise_all(problems: list[FieldError]) -> None:
    """Raise every problem found, or nothing."""
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise MultiFieldError(problems)


class StrictModel(BaseModel):
    """Unknown keys are errors; YAML keys are camelCase like every Pulumi config key."""

    model_config = ConfigDict(extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=True)


def _project_id(value: str) -> str:
    if not _PROJECT_ID.match(value):
        raise ValueError(
            f"{value!r} is not a Google Cloud project id "
            "(allowed: 6-30 characters, lowercase letters, digits and hyphens, starting with a letter)"
        )
    return value


def _region(value: str) -> str:
    if not _REGION.match(value):
        raise ValueError(f"{value!r} is not a Compute Engine region (allowed: e.g. us-central1)")
    return value


def _zone(value: str) -> str:
    if not ZONE_PATTERN.match(value):
        raise ValueError(f"{value!r} is not a Compute Engine zone (allowed: e.g. us-central1-c)")
    return value


def _ipv4_cidr(value: str) -> str:
    try:
        network = ipaddress.IPv4Network(value, strict=True)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not an IPv4 CIDR block ({exc}; allowed: e.g. 10.0.0.0/20)") from None
    if not network.is_private:
        raise ValueError(f"{value!r} is not a private range (allowed: RFC 1918 or other private ranges)")
    return value


def _any_ipv4_cidr(value: str) -> str:
    try:
        return str(ipaddress.IPv4Network(value, strict=True))
    except ValueError as exc:
        raise ValueError(f"{value!r} is not an IPv4 CIDR block ({exc}; allowed: e.g. 203.0.113.0/24)") from None


def _dns_label(value: str) -> str:
    if not _DNS_LABEL.match(value):
        raise ValueError(
            f"{value!r} is not a Kubernetes name (allowed: lowercase letters, digits and '-', "
            "1-63 characters, starting and ending with a letter or digit)"
        )
    return value


def _labels(value: dict[str, str]) -> dict[str, str]:
    for key, label in value.items():
        if not _LABEL_KEY.match(key):
            raise ValueError(f"label key {key!r} is invalid (allowed: lowercase letter first, then [a-z0-9_-], max 63)")
        if not _LABEL_VALUE.match(label):
            raise ValueError(f"label {key}={label!r} has an invalid value (allowed: [a-z0-9_-], max 63)")
    return value


def _rfc3339(value: str) -> str:
    if not _RFC3339.match(value):
        raise ValueError(f"{value!r} is not an RFC 3339 UTC time (allowed: e.g. 2025-01-04T03:00:00Z)")
    return value


ProjectId = Annotated[str, AfterValidator(_project_id)]
Region = Annotated[str, AfterValidator(_region)]
Zone = Annotated[str, AfterValidator(_zone)]
Ipv4Cidr = Annotated[str, AfterValidator(_ipv4_cidr)]
AnyIpv4Cidr = Annotated[str, AfterValidator(_any_ipv4_cidr)]
KubernetesName = Annotated[str, AfterValidator(_dns_label)]
Labels = Annotated[dict[str, str], AfterValidator(_labels)]
UtcTime = Annotated[str, AfterValidator(_rfc3339)]
