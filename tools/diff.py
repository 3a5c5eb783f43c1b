"""`python -m tools diff <stack> --base <git-ref>`: a preview-style diff between two revisions, offline.

The base revision is checked out in a temporary `git worktree`; both revisions are evaluated in a
fresh interpreter each (two versions of `components/` cannot share one), with this checkout's
`tools/` doing the recording so both graphs are recorded the same way. Resources are matched by
URN: create, delete, update (changed input paths with old and new values; secrets stay masked),
replace where a changed path forces one, and URN changes (a delete + create of the same physical
resource) that need an alias.

Replacement: the installed pulumi-gcp and pulumi-kubernetes Python SDKs carry neither the
Terraform schema's ForceNew flags nor the provider's replaceOnChanges metadata (they ship only
`pulumi-plugin.json`), so `FORCE_NEW` is a curated table of the fields this program sets that the
provider documentation marks as forcing a new resource, plus the universal rule that a changed
name replaces. A change it does not list is shown as an update; the real `pulumi preview` decides.

Values are shown as the engine shows them. Every number arrives as a double: inputs cross the
wire as a protobuf `Struct`, whose only number is `number_value`, and `json_format.MessageToDict`
gives floats back, so `2` is recorded as `2.0`; whole numbers are shown as integers. A value that is
a JSON document in a string (the dashboard's `dashboardJson`) or multi-line text is shown as a line
diff of its pretty-printed form, not as one long line. Counts are the preview's: custom resources,
not components (a component's URN change is listed and counted apart).
"""

from __future__ import annotations

import difflib
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.cost.estimate import CostDelta, cost_delta
from tools.cost.report import delta_lines, delta_markdown
from tools.graph import Registration, StackGraph, load_graph
from tools.render import counted
from tools.stack_config import PROJECT_ROOT, SECRET_PLACEHOLDER
from tools.weights import new_steps

TOOLS_DIR = Path(__file__).resolve().parent
# Paths (engine names, list indices dropped) whose change replaces the resource. Sources: the
# Terraform Google provider's resource docs ("Changing this forces a new resource") and the
# Kubernetes API (immutable fields), checked November 2026.
FORCE_NEW: dict[str, tuple[str, ...]] = {
    "gcp:container/nodePool:NodePool": (
        "cluster",
        "location",
        "nodeConfig.machineType",
        "nodeConfig.diskSizeGb",
        "nodeConfig.spot",
        "nodeConfig.flexStart",
        "nodeConfig.reservationAffinity",
        "nodeConfig.taints",
        "nodeConfig.serviceAccount",
        "nodeConfig.oauthScopes",
        "placementPolicy",
        "queuedProvisioning",
    ),
    "gcp:container/cluster:Cluster": (
        "location",
        "network",
        "subnetwork",
        "ipAllocationPolicy",
        "privateClusterConfig.masterIpv4CidrBlock",
        "datapathProvider",
        "networkingMode",
    ),
    "gcp:compute/resourcePolicy:ResourcePolicy": ("region", "workloadPolicy", "description"),
    "gcp:compute/globalAddress:GlobalAddress": ("prefixLength", "purpose", "addressType", "network", "address"),
    "gcp:compute/network:Network": ("autoCreateSubnetworks",),
    "gcp:compute/subnetwork:Subnetwork": ("network", "region"),
    "gcp:compute/router:Router": ("network", "region"),
    "gcp:storage/bucket:Bucket": ("location",),
    "gcp:serviceaccount/account:Account": ("accountId",),
    "gcp:projects/iAMMember:IAMMember": ("role", "member", "project"),
    "gcp:storage/bucketIAMMember:BucketIAMMember": ("role", "member", "bucket"),
    "gcp:redis/instance:Instance": ("region", "tier", "connectMode", "authorizedNetwork", "transitEncryptionMode"),
    "kubernetes:storage.k8s.io/v1:StorageClass": ("provisioner", "parameters", "reclaimPolicy", "volumeBindingMode"),
    "kubernetes:core/v1:PersistentVolume": ("spec.csi", "spec.storageClassName", "spec.mountOptions"),
    "kubernetes:core/v1:PersistentVolumeClaim": (
        "spec.accessModes",
        "spec.storageClassName",
        "spec.dataSourceRef",
        "spec.volumeName",
    ),
}
NAME_PATHS = ("name", "metadata.name", "metadata.namespace", "project")


@dataclass
class Change:
    kind: str  # create | delete | update | replace | rename
    type: str
    name: str
    urn: str
    old_urn: str = ""
    paths: list[tuple[str, Any, Any]] = field(default_factory=list)
    replace_because: list[str] = field(default_factory=list)
    aliased: bool = False
    custom: bool = True  # False for a component, which the preview does not count as a resource


@dataclass
class StackDiff:
    stack: str
    base: str
    changes: list[Change]
    unchanged: int  # resources (as the preview counts them) with no change
    cost: CostDelta | None = None  # the monthly cost delta, when both graphs were evaluated
    weights: list[str] = field(default_factory=list)  # the weights steps the update runs, and who waits

    def count(self, kind: str, custom: bool = True) -> int:
        return sum(1 for c in self.changes if c.kind == kind and c.custom is custom)


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Leaf paths of nested inputs: `a.b[0].c` -> value (empty containers are leaves)."""
    if isinstance(value, dict) and value:
        found: dict[str, Any] = {}
        for key, inner in value.items():
            found.update(flatten(inner, f"{prefix}.{key}" if prefix else key))
        return found
    if isinstance(value, list) and value:
        found = {}
        for index, inner in enumerate(value):
            found.update(flatten(inner, f"{prefix}[{index}]"))
        return found
    return {prefix: value}


def _normalised(path: str) -> str:
    while "[" in path:
        start = path.index("[")
        path = path[:start] + path[path.index("]", start) + 1 :]
    return path


def forces_replacement(resource_type: str, path: str) -> bool:
    plain = _normalised(path)
    prefixes = (*FORCE_NEW.get(resource_type, ()), *NAME_PATHS)
    return any(plain == p or plain.startswith(p + ".") for p in prefixes)


def _input_changes(old: Registration, new: Registration) -> list[tuple[str, Any, Any]]:
    before, after = flatten(old.inputs), flatten(new.inputs)
    changes = [(path, before.get(path), after.get(path)) for path in sorted(set(before) | set(after))]
    changes = [(p, a, b) for p, a, b in changes if a != b]
    for option in ("protect", "retainOnDelete", "ignoreChanges", "provider"):
        if getattr(old, option) != getattr(new, option):
            changes.append((f"(option) {option}", getattr(old, option), getattr(new, option)))
    return changes


def _physical_name(resource: Registration) -> Any:
    return resource.inputs.get("name") or (resource.inputs.get("metadata") or {}).get("name")


def _aliases_cover(resource: Registration, old_urn: str) -> bool:
    for alias in resource.aliases:
        if alias.get("urn") == old_urn:
            return True
        spec = alias.get("spec", {})
        old_type, old_name = old_urn.split("::")[-2].split("$")[-1], old_urn.split("::")[-1]
        if spec and spec.get("name", resource.name) == old_name and spec.get("type", resource.type) == old_type:
            return True
    return False


def diff_graphs(base: StackGraph, head: StackGraph, base_label: str = "base") -> StackDiff:
    old = {r.urn: r for r in base.resources}
    new = {r.urn: r for r in head.resources}
    changes: list[Change] = []
    unchanged = 0
    for urn in sorted(set(old) & set(new)):
        paths = _input_changes(old[urn], new[urn])
        if not paths:
            unchanged += len(counted([new[urn]]))
            continue
        forcing = [p for p, _, _ in paths if not p.startswith("(option)") and forces_replacement(new[urn].type, p)]
        kind = "replace" if forcing else "update"
        resource = new[urn]
        changes.append(
            Change(
                kind, resource.type, resource.name, urn, paths=paths, replace_because=forcing, custom=resource.custom
            )
        )
    created = [new[u] for u in sorted(set(new) - set(old))]
    deleted = [old[u] for u in sorted(set(old) - set(new))]
    for resource in list(created):
        twin = next(
            (
                d
                for d in deleted
                if d.type == resource.type
                and (
                    d.inputs == resource.inputs or (_physical_name(d) and _physical_name(d) == _physical_name(resource))
                )
            ),
            None,
        )
        if twin is None:
            continue
        created.remove(resource)
        deleted.remove(twin)
        changes.append(
            Change(
                "rename",
                resource.type,
                resource.name,
                resource.urn,
                old_urn=twin.urn,
                paths=_input_changes(twin, resource),
                aliased=_aliases_cover(resource, twin.urn),
                custom=resource.custom,
            )
        )
    changes += [Change("create", r.type, r.name, r.urn, custom=r.custom) for r in created]
    changes += [Change("delete", r.type, r.name, r.urn, custom=r.custom) for r in deleted]
    weights = [step.line() for step in new_steps(base, head)]
    return StackDiff(head.stack, base_label, changes, unchanged, weights=weights)


# --- evaluating two revisions ------------------------------------------------------------------


def evaluate_checkout(checkout: Path, stack: str) -> StackGraph:
    """Record `stack` of the project at `checkout` in a fresh interpreter, with this checkout's tools/."""
    with tempfile.TemporaryDirectory(prefix="llm-diff-") as scratch:
        shim = Path(scratch) / "shim"
        shim.mkdir()
        (shim / "tools").symlink_to(TOOLS_DIR, target_is_directory=True)
        snapshot = Path(scratch) / "graph.json"
        result = subprocess.run(
            [sys.executable, "-m", "tools", "preview", stack, "--project-dir", str(checkout), "--json", str(snapshot)],
            cwd=shim,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(shim)},
            check=False,
        )
        if result.returncode != 0:
            raise DiffError(f"stack {stack} at {checkout} does not evaluate:\n{result.stderr.strip()}")
        return load_graph(snapshot.read_text(encoding="utf-8"))


class DiffError(RuntimeError):
    pass


def _git(repo: Path, *args: str) -> str:
    result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise DiffError(f"git {' '.join(args)}: {result.stderr.strip()}")
    return result.stdout.strip()


def resolve_commit(repo: Path, ref: str) -> str:
    return _git(repo, "rev-parse", "--verify", f"{ref}^{{commit}}")


def evaluate_revision(repo: Path, commit: str, stack: str) -> StackGraph:
    """The stack's graph at `commit` (a temporary worktree, removed afterwards)."""
    with tempfile.TemporaryDirectory(prefix="llm-base-") as scratch:
        worktree = Path(scratch) / "base"
        _git(repo, "worktree", "add", "--detach", str(worktree), commit)
        try:
            prefix = _git(repo, "rev-parse", "--show-prefix")  # the project may sit below the repo root
            return evaluate_checkout(worktree / prefix, stack)
        finally:
            _git(repo, "worktree", "remove", "--force", str(worktree))


def diff_stack(stack: str, base_ref: str, project_dir: Path = PROJECT_ROOT) -> StackDiff:
    # Each side is its own interpreter: evaluated side by side, the diff takes one evaluation's time
    # (a revision that does not exist is refused first, without evaluating the checkout).
    commit = resolve_commit(project_dir, base_ref)
    with ThreadPoolExecutor(max_workers=2) as pool:
        base_side = pool.submit(evaluate_revision, project_dir, commit, stack)
        head_side = pool.submit(evaluate_checkout, project_dir, stack)
        base, head = base_side.result(), head_side.result()
    diff = diff_graphs(base, head, f"{base_ref} ({commit[:12]})")
    diff.cost = cost_delta(base, head)
    return diff


# --- rendering ---------------------------------------------------------------------------------

SYMBOLS = {"create": "+", "delete": "-", "update": "~", "replace": "+-", "rename": "~>"}


def whole_numbers(value: Any) -> Any:
    """`2.0` -> `2` at any depth (the wire carries every number as a double); other values unchanged."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: whole_numbers(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [whole_numbers(inner) for inner in value]
    return value


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if value == SECRET_PLACEHOLDER:
        return "[secret]"
    return json.dumps(whole_numbers(value), sort_keys=True)


def _document_lines(value: Any) -> list[str] | None:
    """A JSON document in a string, pretty-printed, or multi-line text, as lines; None for anything else."""
    if not isinstance(value, str) or value == SECRET_PLACEHOLDER:
        return None
    if value.lstrip().startswith(("{", "[")):
        try:
            return json.dumps(whole_numbers(json.loads(value)), indent=2, sort_keys=True).splitlines()
        except ValueError:
            pass
    return value.splitlines() if "\n" in value.strip() else None


def _value_lines(path: str, before: Any, after: Any) -> list[str]:
    """One `path: old => new` line, or for documents a line diff (the +/- sign first, as a diff block wants)."""
    old_lines, new_lines = _document_lines(before), _document_lines(after)
    if (old_lines is None and before is not None) or (new_lines is None and after is not None):
        return [f"      {path}: {_show(before)} => {_show(after)}"]
    hunks = list(difflib.unified_diff(old_lines or [], new_lines or [], lineterm="", n=2))[2:]
    return [f"      {path}: (line diff)"] + [
        line if line.startswith("@@") else f"{line[0]}{' ' * 7}{line[1:]}" for line in hunks
    ]


def _lines(diff: StackDiff) -> list[str]:
    lines = []
    order = {"replace": 0, "rename": 1, "delete": 2, "create": 3, "update": 4}
    for change in sorted(diff.changes, key=lambda c: (order[c.kind], c.urn)):
        head = f"{SYMBOLS[change.kind]:2} {change.kind:7} {change.type}  {change.name}"
        if change.kind == "replace":
            head += f"  (replacement forced by {', '.join(change.replace_because)})"
        lines.append(head)
        if change.kind == "rename":
            verdict = (
                "moved (an alias covers it)"
                if change.aliased
                else "URN changes: add aliases=[pulumi.Alias(...)] or it is deleted and created again"
            )
            lines.append(f"      {change.old_urn}")
            lines.append(f"   -> {change.urn}: {verdict}")
        for path, before, after in change.paths:
            lines += _value_lines(path, before, after)
    return lines


def _counts(diff: StackDiff, custom: bool) -> list[str]:
    parts = [
        f"{diff.count(k, custom)} to {k}" for k in ("create", "update", "replace", "delete") if diff.count(k, custom)
    ]
    if diff.count("rename", custom):
        parts.append(f"{diff.count('rename', custom)} URN change(s)")
    return parts


def summary(diff: StackDiff) -> str:
    """Resources counted as the preview counts them; component changes after them."""
    text = ", ".join([*_counts(diff, custom=True), f"{diff.unchanged} unchanged"])
    components = _counts(diff, custom=False)
    return f"{text}; components: {', '.join(components)}" if components else text


def format_text(diff: StackDiff) -> str:
    header = f"offline diff of stack {diff.stack}: {diff.base} -> working tree"
    body = _lines(diff) or ["no changes"]
    cost = delta_lines(diff.cost) if diff.cost else []
    return "\n".join([header, *diff.weights, *body, f"Resources: {summary(diff)}", *cost])


def format_markdown(diffs: list[StackDiff]) -> str:
    parts = ["### Offline preview diff", ""]
    parts.append("| stack | base | changes |")
    parts.append("| --- | --- | --- |")
    parts += [f"| `{d.stack}` | `{d.base}` | {summary(d)} |" for d in diffs]
    for diff in diffs:
        parts += ["", f"<details{' open' if diff.changes else ''}><summary>{diff.stack}</summary>", ""]
        parts += [f"- {line}" for line in diff.weights] + ([""] if diff.weights else [])
        parts += ["```diff", *(_lines(diff) or ["no changes"]), "```", "", "</details>"]
    costs = [(d.stack, d.cost) for d in diffs if d.cost is not None]
    if costs:
        parts += delta_markdown(costs)
    parts += [
        "",
        "_Computed offline under Pulumi's mock runtime (no credentials); provider-computed values are mock "
        "values, and replacement comes from a curated table of force-new fields. `pulumi preview` decides._",
    ]
    return "\n".join(parts) + "\n"
