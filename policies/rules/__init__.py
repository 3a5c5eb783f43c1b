"""The platform's policies, one module per concern (the same map as components/)."""

from __future__ import annotations

from pulumi_policy import Policy

from . import cache, capacity, gateway, gke, iam, inference, kubernetes, ordering, stack, storage, tpu, weights

PACK_NAME = "llm-platform-policies"
MODULES = (gke, tpu, capacity, storage, weights, iam, cache, kubernetes, gateway, inference, stack, ordering)
POLICIES: list[Policy] = [policy for module in MODULES for policy in module.POLICIES]
