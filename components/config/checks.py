"""Checks of the stack config that span several concerns' keys; each problem names the key to edit.

They run once every field is valid (`components/config/loader.py` calls `stack_problems`), and use
only the root model, the concerns' config models and their pure decisions. Checks that need a
concern's own code (what it places in the private services range, its alerting limits) are declared
by that concern and handed to the loader by `components/concerns.py`.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from components.config import catalog
from components.config.errors import NAMESPACE
from components.config.fields import ZONE_PATTERN, FieldError
from components.gke.pool_sizing import REGIONAL_POOL_ZONES, chain_sizings
from components.gke.pool_upgrades import upgrade_nodes
from components.serving.config import COMPILE_CACHE_PREFIX, MAX_TIER_NAME
from components.serving.rollout import rollout
from components.storage.config import bucket_name_problem, default_bucket_name

if TYPE_CHECKING:
    from components.config.platform import PlatformConfig

# GKE gives each node a pod range sized from its maximum pods: 110 by default on Standard, which is a
# /24 per node (https://cloud.google.com/kubernetes-engine/docs/how-to/flexible-pod-cidr).
POD_RANGE_PER_NODE = 24
# Compute Engine keeps four addresses of every subnet (https://cloud.google.com/vpc/docs/subnets#unusable-ip-addresses-in-every-subnet).
RESERVED_SUBNET_ADDRESSES = 4


def stack_problems(config: PlatformConfig, stack: str) -> list[FieldError]:
    """Every problem that spans concerns, for a config whose fields are each valid."""
    return [
        *_location_problems(config),
        *_tier_name_problems(config),
        *_prod_capacity_problems(config),
        *_protection_problems(config),
        *_retire_problems(config, stack),
        *_range_problems(config),
        *_derived_name_problems(config, stack),
        *_serving_checks(config),
    ]


def _location_problems(config: PlatformConfig) -> list[FieldError]:
    problems = []
    match = ZONE_PATTERN.match(config.zone)
    if match and match.group(1) != config.region:
        problems.append(
            FieldError(
                "zone", f"{config.zone} is not in region {config.region} (allowed: zones named {config.region}-*)"
            )
        )
    elif config.zone not in catalog.TPU7X_ZONES:
        problems.append(
            FieldError(
                "zone",
                f"{config.zone} has no TPU7x capacity (allowed: {', '.join(catalog.TPU7X_ZONES)}; "
                f"{catalog.BEHIND_HINT})",
            )
        )
    return problems


def _tier_name_problems(config: PlatformConfig) -> list[FieldError]:
    return [
        FieldError(
            f"tiers.{tier}",
            f"name is {len(tier)} characters (allowed: at most {MAX_TIER_NAME}: it is part of node pool names)",
        )
        for tier in config.tiers
        if len(tier) > MAX_TIER_NAME
    ]


def _prod_capacity_problems(config: PlatformConfig) -> list[FieldError]:
    """A prod tier's last capacity step is where it lives in a long stockout: never spot, which GCE may
    preempt at any time (spot earlier in a chain is fine: the class moves pods back off it)."""
    if config.environment != "prod":
        return []
    problems = []
    for name, tier in sorted(config.tiers.items()):
        capacity = tier.capacity
        if capacity.modes[-1] != "spot":
            continue
        key = f"fallback.{len(capacity.fallback) - 1}" if capacity.fallback else "type"
        problems.append(
            FieldError(
                f"tiers.{name}.capacity.{key}",
                "spot ends the chain of a prod tier: in a long stockout of every earlier step the tier would run "
                "only on VMs GCE may preempt at any time (allowed: end on on-demand or flex-start; spot may come "
                "earlier, e.g. fallback: [spot, flex-start])",
            )
        )
    return problems


def _protection_problems(config: PlatformConfig) -> list[FieldError]:
    if config.environment != "prod":
        return []
    problems = []
    if config.deletion_protection is False:
        problems.append(
            FieldError(
                "deletionProtection",
                "false is not allowed when environment is prod (allowed: true; to take the stack down, retire it: "
                "`pulumi config set --path 'llm-platform:retire.stack' STACK`, docs/operations.md#retiring-a-stack)",
            )
        )
    for index, network in enumerate(config.cluster.master_authorized_networks):
        if ipaddress.IPv4Network(network.cidr).prefixlen == 0:
            problems.append(
                FieldError(
                    f"cluster.masterAuthorizedNetworks.{index}.cidr",
                    f"{network.cidr} opens the control plane to the whole internet, which prod never does "
                    "(allowed: your CI / VPN egress ranges; deployers reach the DNS endpoint through IAM)",
                )
            )
    return problems


def _retire_problems(config: PlatformConfig, stack: str) -> list[FieldError]:
    if config.retire is None or config.retire.stack == stack:
        return []
    return [
        FieldError(
            "retire.stack",
            f"{config.retire.stack!r} is not this stack, {stack!r}: a stack file copied from a retired stack never "
            f"retires another (allowed: {stack!r})",
        )
    ]


def _named_ranges(config: PlatformConfig) -> list[tuple[str, ipaddress.IPv4Network, bool]]:
    """(key, range, set explicitly in the stack file) for every IP range of the stack."""
    network, cluster = config.network, config.cluster
    return (
        [
            (f"network.{key}", ipaddress.IPv4Network(getattr(network, field)), field in network.model_fields_set)
            for field, key in (
                ("subnet_cidr", "subnetCidr"),
                ("pods_cidr", "podsCidr"),
                ("services_cidr", "servicesCidr"),
                ("private_services_cidr", "privateServicesCidr"),
            )
        ]
        + [
            (
                "cluster.masterIpv4Cidr",
                ipaddress.IPv4Network(cluster.master_ipv4_cidr),
                "master_ipv4_cidr" in cluster.model_fields_set,
            )
        ]
        + (
            # The regional edge's proxy-only subnet is one more range of the VPC.
            [
                (
                    "network.proxyOnlyCidr",
                    ipaddress.IPv4Network(network.proxy_only_cidr),
                    "proxy_only_cidr" in network.model_fields_set,
                )
            ]
            if config.gateway.regional
            else []
        )
    )


def _range_problems(config: PlatformConfig) -> list[FieldError]:
    problems = []
    ranges = _named_ranges(config)
    for i, (first, first_range, first_set) in enumerate(ranges):
        for second, second_range, second_set in ranges[i + 1 :]:
            if first_range.overlaps(second_range):
                # Name the range that is easier to move (the later one: private services and the control
                # plane before pods and nodes), unless only the earlier one was set in the stack file.
                edit, other = (first, second) if first_set and not second_set else (second, first)
                edit_range, other_range = (second_range, first_range) if edit == second else (first_range, second_range)
                problems.append(
                    FieldError(
                        edit,
                        f"{edit_range} overlaps {NAMESPACE}:{other} {other_range} (allowed: a range disjoint "
                        "from the node, pod, service, private services, control-plane and proxy-only ranges)",
                    )
                )
    nodes = most_nodes(config)
    total = sum(count for _, count in nodes)
    breakdown = ", ".join(f"{count} {what}" for what, count in nodes)
    pods = ipaddress.IPv4Network(config.network.pods_cidr)
    per_node = 32 - POD_RANGE_PER_NODE
    if total << per_node > pods.num_addresses:
        needed = pods_prefix_for(total)
        problems.append(
            FieldError(
                "network.podsCidr",
                f"{pods} holds a /{POD_RANGE_PER_NODE} pod range for {pods.num_addresses >> per_node} nodes, but "
                f"the pools can grow to {total} ({breakdown}) (allowed: a /{needed} or larger)",
            )
        )
    subnet = ipaddress.IPv4Network(config.network.subnet_cidr)
    if total > subnet.num_addresses - RESERVED_SUBNET_ADDRESSES:
        needed = subnet_prefix_for(total)
        problems.append(
            FieldError(
                "network.subnetCidr",
                f"{subnet} has {subnet.num_addresses - RESERVED_SUBNET_ADDRESSES} usable addresses, but the pools "
                f"can grow to {total} nodes ({breakdown}) (allowed: a /{needed} or larger)",
            )
        )
    return problems


def pods_prefix_for(nodes: int) -> int:
    """The longest prefix of a pod range that holds a /POD_RANGE_PER_NODE range for each of `nodes`."""
    return 32 - (nodes - 1).bit_length() - (32 - POD_RANGE_PER_NODE)


def subnet_prefix_for(nodes: int) -> int:
    """The longest prefix of a node subnet with an address for each of `nodes` (the first two and the
    last two addresses of a subnet are reserved)."""
    return 32 - (nodes + RESERVED_SUBNET_ADDRESSES - 1).bit_length()


def most_nodes(config: PlatformConfig) -> list[tuple[str, int]]:
    """The most nodes each pool can have, system pool first: a tier's ceiling includes its rollout's
    surge room and the nodes a node upgrade adds."""
    zones = REGIONAL_POOL_ZONES if config.regional_cluster else 1
    system = config.cluster.system_pool.max_nodes
    nodes = [(f"in the system pool ({system} per zone x {zones})", system * zones)]
    for name, tier in sorted(config.tiers.items()):
        surge = rollout(tier).surge_nodes
        chain = chain_sizings(tier.shape, tier.capacity, tier.min_replicas, tier.max_replicas, surge)
        ceiling = sum(s.most_nodes + upgrade_nodes(tier.shape, step, s.most_nodes) for step, s in chain)
        nodes.append((f"in tier {name}", ceiling))
    return nodes


def _derived_name_problems(config: PlatformConfig, stack: str) -> list[FieldError]:
    problems = []
    if config.model_bucket.name is None:
        derived = default_bucket_name(config.project, stack)
        problem = bucket_name_problem(derived)
        if problem:
            problems.append(
                FieldError(
                    "modelBucket.name",
                    f"not set, and the default name {derived!r} (from gcp:project and the stack name) {problem} "
                    "(allowed: set a valid bucket name here)",
                )
            )
    return problems


def _serving_checks(config: PlatformConfig) -> list[FieldError]:
    """Serving and edge checks that span tiers, the gateway, the environment and the model store."""
    problems = [
        FieldError(f"gateway.{p.field}", str(p))
        for p in config.gateway.routing_problems(config.tiers, config.smallest_tier)
    ]
    problems.extend(FieldError(f"gateway.{p.field}", str(p)) for p in config.gateway.tenant_tier_problems(config.tiers))
    if config.environment == "prod" and config.gateway.auth.mode == "none":
        problems.append(
            FieldError("gateway.auth.mode", "none is not allowed when environment is prod (allowed: apiKey, iap)")
        )
    if config.environment == "prod" and config.gateway.domain is None:
        problems.append(
            FieldError(
                "gateway.domain",
                "is required when environment is prod: the API is served over HTTPS with a Google-managed "
                "certificate (allowed: a domain you can point at the gateway's IP, e.g. llm.example.com)",
            )
        )
    prefix = config.model_store.prefix
    if prefix.startswith(COMPILE_CACHE_PREFIX) or COMPILE_CACHE_PREFIX.startswith(prefix):
        problems.append(
            FieldError(
                "modelStore.prefix",
                f"{prefix} overlaps the compile caches under {COMPILE_CACHE_PREFIX} (allowed: a disjoint "
                "folder such as models/)",
            )
        )
    return problems
