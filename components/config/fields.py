"""Field types and checks shared by several concerns' config models.

Every check raises `ValueError` with a message that says what is wrong and what is allowed;
`components.config.errors` prefixes it with the fully qualified key. A check that spans
several fields of one model raises `FieldError` naming the field the user must edit, so
the message names the leaf key, not the model that holds it.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from components.config.catalog import BEHIND_HINT, REGIONS
from components.naming import STANDARD_LABEL_KEYS

_PROJECT_ID = re.compile(r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$")
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
    """Unknown keys are errors; YAML keys are camelCase like every Pulumi config key.

    `defer_build`: each model's validator is built when it is first used rather than when its class
    is defined, so the nested models are not compiled again for every model that contains them
    (measured: some 0.15 s of a prod evaluation's CPU).
    """

    model_config = ConfigDict(
        extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=True, defer_build=True
    )


def _project_id(value: str) -> str:
    if not _PROJECT_ID.match(value):
        raise ValueError(
            f"{value!r} is not a Google Cloud project id "
            "(allowed: 6-30 characters, lowercase letters, digits and hyphens, starting with a letter)"
        )
    return value


def _region(value: str) -> str:
    if value not in REGIONS:
        close = difflib.get_close_matches(value, sorted(REGIONS), n=1)
        hint = f"did you mean {close[0]}? " if close else ""
        raise ValueError(
            f"{value!r} is not a Compute Engine region ({hint}allowed: a region such as us-central1; {BEHIND_HINT})"
        )
    return value


def _zone(value: str) -> str:
    if not ZONE_PATTERN.match(value):
        raise ValueError(f"{value!r} is not a Compute Engine zone (allowed: e.g. us-central1-c)")
    return value


def _network(value: str, example: str) -> ipaddress.IPv4Network:
    """An IPv4 CIDR block written with its prefix length (a bare address would mean a /32)."""
    if "/" not in value:
        raise ValueError(f"{value!r} has no prefix length (allowed: a CIDR block such as {example})")
    try:
        return ipaddress.IPv4Network(value, strict=True)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not an IPv4 CIDR block ({exc}; allowed: e.g. {example})") from None


def _ipv4_cidr(value: str) -> str:
    if not _network(value, "10.0.0.0/20").is_private:
        raise ValueError(f"{value!r} is not a private range (allowed: RFC 1918 or other private ranges)")
    return value


def _any_ipv4_cidr(value: str) -> str:
    return str(_network(value, "203.0.113.0/24"))


def _dns_label(value: str) -> str:
    if not _DNS_LABEL.match(value):
        raise ValueError(
            f"{value!r} is not a Kubernetes name (allowed: lowercase letters, digits and '-', "
            "1-63 characters, starting and ending with a letter or digit)"
        )
    return value


# Google Cloud allows 64 labels per resource; the platform sets the standard keys itself.
MAX_USER_LABELS = 64 - len(STANDARD_LABEL_KEYS)


def _labels(value: dict[str, str]) -> dict[str, str]:
    problems = []
    for key, label in value.items():
        if key in STANDARD_LABEL_KEYS:
            problems.append(
                FieldError(
                    key,
                    f"{label!r}: the platform sets this label itself (allowed: keys other than "
                    f"{', '.join(sorted(STANDARD_LABEL_KEYS))})",
                )
            )
        elif not _LABEL_KEY.match(key):
            problems.append(
                FieldError(
                    key,
                    f"{key!r} is not a label key (allowed: a lowercase letter, then lowercase letters, "
                    "digits, '_' and '-', at most 63 characters)",
                )
            )
        elif not _LABEL_VALUE.match(str(label)):
            problems.append(
                FieldError(
                    key,
                    f"{label!r} is not a label value (allowed: lowercase letters, digits, '_' and '-', "
                    "at most 63 characters)",
                )
            )
    if len(value) > MAX_USER_LABELS:
        raise ValueError(f"{len(value)} labels (allowed: at most {MAX_USER_LABELS} besides the platform's own)")
    raise_all(problems)
    return value


def _rfc3339(value: str) -> str:
    """GKE reads maintenance times back in UTC (`...Z`); any other form would plan a change on every update."""
    try:
        valid = bool(_RFC3339.match(value)) and datetime.fromisoformat(value) is not None
    except ValueError:
        valid = False
    if not valid:
        raise ValueError(f"{value!r} is not an RFC 3339 UTC time (allowed: e.g. 2025-01-04T03:00:00Z)")
    return value


def utc(value: str) -> datetime:
    """A validated `UtcTime` as an aware datetime."""
    return datetime.fromisoformat(value)


ProjectId = Annotated[str, AfterValidator(_project_id)]
Region = Annotated[str, AfterValidator(_region)]
Zone = Annotated[str, AfterValidator(_zone)]
Ipv4Cidr = Annotated[str, AfterValidator(_ipv4_cidr)]
AnyIpv4Cidr = Annotated[str, AfterValidator(_any_ipv4_cidr)]
KubernetesName = Annotated[str, AfterValidator(_dns_label)]
Labels = Annotated[dict[str, str], AfterValidator(_labels)]
UtcTime = Annotated[str, AfterValidator(_rfc3339)]
