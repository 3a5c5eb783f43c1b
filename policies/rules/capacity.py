"""TPU capacity: a tier's ComputeClass chain, where it ends in prod, and the reservations it names.

A tier with a capacity chain has one node pool per mode and a `cloud.google.com/v1` ComputeClass whose
priorities name the pools in order (each priority only `nodepools`: the pool carries the mode). GKE
scales a pool for a class only when the pool carries the class as the node label and NoSchedule taint
`cloud.google.com/compute-class` (GKE "About custom ComputeClasses", manually created node pools).
"""

from __future__ import annotations

from pulumi_policy import PolicyResource, ReportViolation, ResourceValidationArgs, StackValidationArgs

from .metadata import HIGH, MANDATORY, MEDIUM, get, is_prod, items, resource_policy, stack_policy
from .tpu import NODE_POOL, is_tpu_pool

COMPUTE_CLASS = "kubernetes:cloud.google.com/v1:ComputeClass"
CLASS_KEY = "cloud.google.com/compute-class"
RESERVATION_KEY = "compute.googleapis.com/reservation-name"


def _pools_by_name(resources: list[PolicyResource]) -> dict[str, PolicyResource]:
    return {
        str(get(r.props, "name")): r
        for r in resources
        if r.resource_type == NODE_POOL and isinstance(get(r.props, "name"), str)
    }


def _chain(compute_class: PolicyResource, pools: dict[str, PolicyResource]) -> list[list[PolicyResource]]:
    """The class's priorities as the pools each names (unknown names dropped)."""
    return [
        [pools[str(name)] for name in items(get(priority, "nodepools")) if str(name) in pools]
        for priority in items(get(compute_class.props, "spec", "priorities"))
    ]


def _is_spot(pool: PolicyResource) -> bool:
    return get(pool.props, "nodeConfig", "spot") is True


def _prod_chain_end(args: StackValidationArgs, report: ReportViolation) -> None:
    resources = list(args.resources)
    pools = _pools_by_name(resources)
    chained: set[str] = set()
    for compute_class in (r for r in resources if r.resource_type == COMPUTE_CLASS):
        chain = _chain(compute_class, pools)
        chained |= {get(p.props, "name") for step in chain for p in step}
        last = chain[-1] if chain else []
        tpu = [p for p in last if is_tpu_pool(p.props) and is_prod(NODE_POOL, p.props)]
        if tpu and all(_is_spot(p) for p in tpu):
            report(
                f"the prod chain of ComputeClass {get(compute_class.props, 'metadata', 'name')} ends on spot: in a "
                "long stockout of every earlier step the tier would run only on capacity GCE may preempt at any "
                "time.",
                compute_class.urn,
            )
    for name, pool in pools.items():
        if name not in chained and is_tpu_pool(pool.props) and is_prod(NODE_POOL, pool.props) and _is_spot(pool):
            report(f"prod TPU pool {name} runs on spot alone, with no chain to fall back through.", pool.urn)


def _class_pools(args: StackValidationArgs, report: ReportViolation) -> None:
    pools = _pools_by_name(list(args.resources))
    for compute_class in (r for r in args.resources if r.resource_type == COMPUTE_CLASS):
        class_name = get(compute_class.props, "metadata", "name")
        named = [
            name
            for priority in items(get(compute_class.props, "spec", "priorities"))
            for name in items(get(priority, "nodepools"))
        ]
        if not named:
            report(
                f"ComputeClass {class_name} names no node pools (this cluster has no auto-creation).", compute_class.urn
            )
            continue
        for name in named:
            pool = pools.get(str(name))
            if pool is None:
                report(
                    f"ComputeClass {class_name} names node pool {name}, which the stack does not create.",
                    compute_class.urn,
                )
                continue
            labelled = get(pool.props, "nodeConfig", "labels", CLASS_KEY) == class_name
            tainted = any(
                get(t, "key") == CLASS_KEY and get(t, "value") == class_name and get(t, "effect") == "NO_SCHEDULE"
                for t in items(get(pool.props, "nodeConfig", "taints"))
            )
            if not (labelled and tainted):
                report(
                    f"node pool {name} lacks the {CLASS_KEY}={class_name} node label and NO_SCHEDULE taint: GKE "
                    "will not scale it for the class.",
                    pool.urn,
                )


def _reservation_named(args: ResourceValidationArgs, report: ReportViolation) -> None:
    affinity = get(args.props, "nodeConfig", "reservationAffinity")
    if get(affinity, "consumeReservationType") != "SPECIFIC_RESERVATION":
        return
    values = [v for v in items(get(affinity, "values")) if isinstance(v, str) and v]
    if get(affinity, "key") != RESERVATION_KEY or not values:
        report(f"a SPECIFIC_RESERVATION pool must name its reservation (key {RESERVATION_KEY}, values [NAME]).", None)


def _zone_of(value: str) -> str | None:
    """`projects/P/zones/Z/reservations/R[...]` -> Z; a value without a zone names none."""
    parts = value.split("/")
    return parts[3] if len(parts) > 4 and parts[0] == "projects" and parts[2] == "zones" else None


def _reservation_in_zone(args: ResourceValidationArgs, report: ReportViolation) -> None:
    affinity = get(args.props, "nodeConfig", "reservationAffinity")
    if get(affinity, "consumeReservationType") != "SPECIFIC_RESERVATION":
        return
    locations = [z for z in items(get(args.props, "nodeLocations")) if isinstance(z, str)]
    location = get(args.props, "location")
    if not locations and isinstance(location, str) and location.count("-") == 2:
        locations = [location]  # a zonal cluster's pool runs in the cluster's zone
    for value in (v for v in items(get(affinity, "values")) if isinstance(v, str)):
        zone = _zone_of(value)
        if zone is not None and locations != [zone]:
            where = ", ".join(locations) if locations else f"every zone of {location}"
            report(
                f"the pool consumes reservation {value}, in zone {zone}, but its nodes run in {where}: a node "
                "consumes only reservations of its own zone.",
                None,
            )


POLICIES = [
    stack_policy(
        "tpu-prod-chain-not-on-spot-alone",
        "A prod TPU tier never ends its capacity chain on spot, nor runs on spot alone: its last step is "
        "capacity GCE does not preempt.",
        check=_prod_chain_end,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="End the tier's capacity.fallback on on-demand or flex-start (spot may come earlier), or "
        "give a spot tier a fallback.",
        tags=["tpu", "reliability"],
    ),
    stack_policy(
        "tpu-compute-class-pools",
        "A TPU ComputeClass names node pools the stack creates, each labelled and tainted for the class.",
        check=_class_pools,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Let the program derive the chain's pools from tiers.<name>.capacity.fallback.",
        tags=["tpu", "reliability"],
    ),
    resource_policy(
        "tpu-reservation-named",
        "A node pool that consumes a specific reservation names it.",
        types={NODE_POOL},
        check=_reservation_named,
        severity=MEDIUM,
        enforcement=MANDATORY,
        remediation="Set tiers.<name>.capacity.reservation to the reservation in gcp:zone.",
        tags=["tpu", "cost"],
    ),
    resource_policy(
        "tpu-reservation-in-stack-zone",
        "A node pool that consumes a reservation named with its zone runs in that zone alone.",
        types={NODE_POOL},
        check=_reservation_in_zone,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Name a reservation in gcp:zone in tiers.<name>.capacity.reservation (the program checks it "
        "at preview).",
        tags=["tpu", "cost"],
    ),
]
