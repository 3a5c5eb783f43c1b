"""Names and labels: pure functions, so every component names things the same way."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

APP = "llm-platform"
# Label keys the platform sets on every labelled resource (and `tier` on TPU node pools): a user's
# `labels` may not use them.
STANDARD_LABEL_KEYS = frozenset({"env", "app", "stack", "managed-by", "tier", "retiring"})
# On the stateful resources of a stack being retired (`llm-platform:retire`): the policy pack reads it
# as the stack's deliberate decision to lift their protection, and the console shows it.
RETIRING_LABEL = "retiring"

_INVALID_LABEL_CHARS = re.compile(r"[^a-z0-9_-]")
_INVALID_NAME_CHARS = re.compile(r"[^a-z0-9-]+")


def label_value(value: str) -> str:
    """A GCP label value: lowercase, [a-z0-9_-], at most 63 characters."""
    return _INVALID_LABEL_CHARS.sub("-", value.lower())[:63]


@dataclass(frozen=True)
class Naming:
    """The stack's naming scheme: physical names are `<prefix>-<role>`, prefix `llm-<stack>`."""

    stack: str
    environment: str
    extra_labels: dict[str, str] = field(default_factory=dict)
    retiring: bool = False

    @property
    def prefix(self) -> str:
        return f"llm-{_INVALID_NAME_CHARS.sub('-', self.stack.lower())}"[:20].rstrip("-")

    def name(self, role: str) -> str:
        """A physical name for a resource: lowercase, starts with a letter, at most 63 characters."""
        return f"{self.prefix}-{role}"[:63].rstrip("-")

    def account_id(self, role: str) -> str:
        """A service account id: 6-30 lowercase letters, digits and '-', starting with a letter."""
        return self.name(role)[:30].rstrip("-")

    def role_id(self, role: str) -> str:
        """A custom IAM role id: letters, digits, '_' and '.', 3-64 characters."""
        return re.sub(r"[^A-Za-z0-9_.]", "_", f"{self.prefix}_{role}")[:64]

    @property
    def labels(self) -> dict[str, str]:
        """Common labels for everything that takes labels; the four standard keys always win."""
        return {
            **self.extra_labels,
            "env": label_value(self.environment),
            "app": APP,
            "stack": label_value(self.stack),
            "managed-by": "pulumi",
        }

    @property
    def stateful_labels(self) -> dict[str, str]:
        """Labels of a stateful resource (bucket, cluster, file system, cache, dataset): the common ones,
        plus `retiring: "true"` while the stack is being retired."""
        return {**self.labels, **({RETIRING_LABEL: "true"} if self.retiring else {})}

    @property
    def node_tag(self) -> str:
        """Network tag on serving nodes; the health-check firewall rule targets it."""
        return self.name("serving-node")
