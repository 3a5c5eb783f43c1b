"""TPU7x node pools: real slice shapes, one zone, workload policies for multi-host slices.

The TPU7x facts are repeated here on purpose: the pack runs on its own, without the program's code.
Sources: AI-Hypercomputer/xpk `system_characteristics.py`; docs.cloud.google.com/tpu/docs/tpu7x.
"""

from __future__ import annotations

import re

from pulumi_policy import ReportViolation, ResourceValidationArgs, StackValidationArgs

from .metadata import ADVISORY, HIGH, LOW, MANDATORY, MEDIUM, get, has, items, resource_policy, stack_policy

NODE_POOL = "gcp:container/nodePool:NodePool"
RESOURCE_POLICY = "gcp:compute/resourcePolicy:ResourcePolicy"
TPU_RESOURCE = "google.com/tpu"
SINGLE_HOST = {"tpu7x-standard-1t": "1x1x1", "tpu7x-standard-4t": "2x2x1"}
CHIPS_PER_VM = {"tpu7x-standard-1t": 1, "tpu7x-standard-4t": 4}
MAX_CHIPS = 9216
_TOPOLOGY = re.compile(r"^(\d+)x(\d+)x(\d+)$")


def is_tpu_pool(props: object) -> bool:
    machine_type = get(props, "nodeConfig", "machineType")
    return isinstance(machine_type, str) and machine_type.startswith("tpu7x-")


def multi_host_problem(topology: str) -> str | None:
    """Why `topology` is not a TPU7x multi-host slice (None when it is one)."""
    match = _TOPOLOGY.match(topology)
    if not match:
        return f"topology {topology!r} is not AxBxC"
    a, b, c = (int(part) for part in match.groups())
    if (a, b, c) in {(2, 2, 2), (2, 2, 4), (2, 4, 4)}:
        return None
    if not a <= b <= c:
        return f"topology {topology} is not in canonical order (A <= B <= C)"
    if a % 4 or b % 4 or c % 4:
        return f"topology {topology}: beyond 2x4x4 every dimension is a multiple of 4"
    if a * b * c > MAX_CHIPS:
        return f"topology {topology} has {a * b * c} chips; a TPU7x pod has {MAX_CHIPS}"
    return None


def topology_chips(topology: str) -> int:
    match = _TOPOLOGY.match(topology)
    return 0 if not match else int(match[1]) * int(match[2]) * int(match[3])


def pool_topology(props: object) -> str | None:
    """The slice a TPU pool provides: its placement topology, or the single-host shape of its machine."""
    placement_topology = get(props, "placementPolicy", "tpuTopology")
    if placement_topology:
        return str(placement_topology)
    return SINGLE_HOST.get(str(get(props, "nodeConfig", "machineType")))


def _shape(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if not is_tpu_pool(args.props):
        return
    machine_type = str(get(args.props, "nodeConfig", "machineType"))
    if machine_type not in SINGLE_HOST:
        report(f"machine type {machine_type} is not a TPU7x machine type ({sorted(SINGLE_HOST)}).", None)
        return
    topology = get(args.props, "placementPolicy", "tpuTopology")
    if topology is None:
        return  # single-host: the machine type is the slice (the API rejects tpuTopology here)
    if machine_type != "tpu7x-standard-4t":
        report("multi-host TPU7x slices are made of tpu7x-standard-4t VMs.", None)
        return
    problem = multi_host_problem(str(topology))
    if problem:
        report(problem + ".", None)
        return
    vms = topology_chips(str(topology)) // CHIPS_PER_VM[machine_type]
    node_count = get(args.props, "nodeCount")
    if node_count is not None and int(node_count) not in (0, vms):
        report(f"a {topology} slice is {vms} VMs; nodeCount is {int(node_count)}.", None)


def _one_zone(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if not is_tpu_pool(args.props):
        return
    zones = items(get(args.props, "nodeLocations"))
    if len(zones) != 1:
        report(f"a TPU pool must name exactly one zone in nodeLocations (found {len(zones)}).", None)


def _placement_type_ignored(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if not is_tpu_pool(args.props) or get(args.props, "placementPolicy") is None:
        return
    if "placementPolicy.type" not in list(args.opts.ignore_changes):
        report(
            "ignore_changes lacks placementPolicy.type: the API reads it back empty and would replace the slice.", None
        )


def _taint(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if not is_tpu_pool(args.props):
        return
    for taint in items(get(args.props, "nodeConfig", "taints")):
        if get(taint, "key") == TPU_RESOURCE and get(taint, "effect") == "NO_SCHEDULE":
            return
    report(f"the pool has no {TPU_RESOURCE} NO_SCHEDULE taint: CPU pods could land on TPU VMs.", None)


def _no_surge(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if not is_tpu_pool(args.props):
        return
    if get(args.props, "nodeConfig", "flexStart") is True:
        # GKE upgrades flex-start nodes by its short-lived strategy and forces it back on the pool.
        if has(args.props, "upgradeSettings"):
            report("a flex-start pool sets upgradeSettings, which GKE replaces with SHORT_LIVED on every read.", None)
        return
    if get(args.props, "upgradeSettings", "strategy") == "BLUE_GREEN":
        report("upgradeSettings.strategy is BLUE_GREEN: it needs a second pool's worth of TPU capacity.", None)
        return
    surge = get(args.props, "upgradeSettings", "maxSurge")
    if surge is None or int(surge) != 0:
        report("upgradeSettings.maxSurge is not 0: there is no spare TPU capacity to surge into.", None)


def _workload_policy(args: StackValidationArgs, report: ReportViolation) -> None:
    for pool in args.resources:
        if pool.resource_type != NODE_POOL or not is_tpu_pool(pool.props):
            continue
        topology = get(pool.props, "placementPolicy", "tpuTopology")
        if topology is None:
            continue
        if not has(get(pool.props, "placementPolicy"), "policyName"):
            report(f"multi-host pool ({topology}) names no placementPolicy.policyName.", pool.urn)
            continue
        # The pool names the policy by its `name` output (presence checked above); the dependency
        # carries the policy's own props, which the engine always knows.
        policies = [d for d in pool.dependencies if d.resource_type == RESOURCE_POLICY]
        fitting = [
            p
            for p in policies
            if get(p.props, "workloadPolicy", "type") == "HIGH_THROUGHPUT"
            and get(p.props, "workloadPolicy", "acceleratorTopology") == topology
        ]
        if not fitting:
            report(
                f"multi-host pool ({topology}) does not depend on a HIGH_THROUGHPUT workload policy with "
                f"acceleratorTopology {topology}.",
                pool.urn,
            )


POLICIES = [
    resource_policy(
        "tpu-valid-shape",
        "A TPU7x pool uses a real machine type and slice topology, and a multi-host slice has one VM per 4 chips.",
        types={NODE_POOL},
        check=_shape,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Use tpu7x-standard-1t (1x1x1) or -4t (2x2x1; multi-host 2x2x2, 2x2x4, 2x4x4, then multiples "
        "of 4) and let the program derive nodeCount.",
        tags=["tpu"],
    ),
    stack_policy(
        "tpu-multihost-workload-policy",
        "A multi-host TPU7x pool is placed by a HIGH_THROUGHPUT workload policy carrying its topology.",
        check=_workload_policy,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Create a gcp.compute.ResourcePolicy with workloadPolicy {type: HIGH_THROUGHPUT, "
        "acceleratorTopology: <topology>} and name it in the pool's placementPolicy.policyName.",
        tags=["tpu"],
    ),
    resource_policy(
        "tpu-single-zone",
        "A TPU pool lives in exactly one zone (a slice is atomic and TPU7x exists in one zone per region).",
        types={NODE_POOL},
        check=_one_zone,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Set nodeLocations = [gcp:zone].",
        tags=["tpu"],
    ),
    resource_policy(
        "tpu-placement-type-ignored",
        "A multi-host pool ignores changes to placementPolicy.type, which the API does not return.",
        types={NODE_POOL},
        check=_placement_type_ignored,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Add 'placementPolicy.type' to the pool's ignore_changes.",
        tags=["tpu", "reliability"],
    ),
    resource_policy(
        "tpu-taint",
        "TPU VMs carry the google.com/tpu NoSchedule taint, so only TPU pods land there.",
        types={NODE_POOL},
        check=_taint,
        severity=LOW,
        enforcement=ADVISORY,
        remediation="Add the taint google.com/tpu=present:NO_SCHEDULE to nodeConfig.taints.",
        tags=["tpu", "cost"],
    ),
    resource_policy(
        "tpu-upgrade-without-surge",
        "TPU pools upgrade without surge (max surge 0, no blue-green): no spare TPU capacity exists to surge "
        "into; flex-start pools leave the upgrade to GKE's short-lived strategy.",
        types={NODE_POOL},
        check=_no_surge,
        severity=MEDIUM,
        enforcement=ADVISORY,
        remediation="Leave tiers.<name>.capacity.upgrade at its default (SURGE, maxSurge 0); set maxSurge or "
        "BLUE_GREEN only where quota or capacity.reservedVms holds the extra nodes (then this advisory is expected).",
        tags=["tpu", "reliability"],
    ),
]
