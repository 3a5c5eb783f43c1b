"""`python -m tools diff`: a preview-style diff between two git revisions, on a real two-commit repository."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from tests.policies.conftest import changed, find, swapped
from tools.__main__ import main
from tools.diff import (
    StackDiff,
    diff_graphs,
    diff_stack,
    forces_replacement,
    format_markdown,
    format_text,
    summary,
    whole_numbers,
)
from tools.graph import StackGraph
from tools.render import type_counts
from tools.stack_config import PROJECT_ROOT

PROGRAM = ("__main__.py", "Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml", "requirements.txt", "components")


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="module")
def two_commits(tmp_path_factory) -> Path:
    """A fresh repository: the program, then a commit that grows the large tier and renames the bucket component."""
    repo = tmp_path_factory.mktemp("repo")
    for name in PROGRAM:
        source = PROJECT_ROOT / name
        if source.is_dir():
            shutil.copytree(source, repo / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, repo / name)
    # The large tier as one slice pool (no capacity chain), so the by-hand figures below count one pool;
    # a chain's pools and class are tested in tests/stacks/test_capacity_chain.py.
    base = repo / "Pulumi.prod.yaml"
    lines = base.read_text().splitlines(keepends=True)
    chain = [i for i, line in enumerate(lines) if line.lstrip().startswith("fallback: [on-demand, flex-start]")]
    assert chain, "prod's large tier has no capacity chain to drop"
    del lines[chain[0] : chain[0] + 2]  # the key and its comment's continuation line
    base.write_text("".join(lines))
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "base")
    stack_file = repo / "Pulumi.prod.yaml"
    text = stack_file.read_text()
    text = text.replace("topology: 2x2x2                 # multi-host", "topology: 2x2x4                 # multi-host")
    text = text.replace("      minReplicas: 1\n      maxReplicas: 4\n", "      minReplicas: 1\n      maxReplicas: 6\n")
    stack_file.write_text(text)
    program = repo / "components" / "stack" / "foundation.py"
    wiring = program.read_text()
    assert 'ModelBucket("models",' in wiring
    program.write_text(wiring.replace('ModelBucket("models",', 'ModelBucket("weights",'))
    _git(repo, "commit", "-q", "-am", "large tier on 2x2x4, small tier up to 6 replicas, bucket component renamed")
    return repo


@pytest.fixture(scope="module")
def prod_diff(two_commits: Path) -> StackDiff:
    return diff_stack("prod", "HEAD~1", two_commits)


def _change(diff: StackDiff, name: str):
    (found,) = [c for c in diff.changes if c.name == name]
    return found


def test_changed_tier_is_an_update_and_a_replacement(prod_diff: StackDiff) -> None:
    small = _change(prod_diff, "tier-small-pool")
    assert small.kind == "update"
    # maxReplicas 4 -> 6, plus the surge rollout's room (components/serving/rollout.py)
    assert ("autoscaling.maxNodeCount", 5.0, 7.0) in small.paths
    large = _change(prod_diff, "tier-large-pool")
    assert large.kind == "replace" and "placementPolicy.tpuTopology" in large.replace_because
    assert ("nodeCount", 2.0, 4.0) in large.paths
    policy = _change(prod_diff, "tier-large-workload-policy")
    assert policy.kind == "replace"  # its name carries the topology, and the workload policy is immutable
    assert ("workloadPolicy.acceleratorTopology", "2x2x2", "2x2x4") in policy.paths


def test_renamed_component_needs_aliases(prod_diff: StackDiff) -> None:
    renames = {c.name: c for c in prod_diff.changes if c.kind == "rename"}
    assert set(renames) == {"weights", "weights-bucket", "weights-data-access-logs"}
    bucket = renames["weights-bucket"]
    assert bucket.old_urn.endswith("storage:ModelBucket$gcp:storage/bucket:Bucket::models-bucket")
    assert not bucket.aliased
    assert prod_diff.count("create") == prod_diff.count("delete") == 0


def test_text_and_markdown_read_like_a_preview(prod_diff: StackDiff) -> None:
    text = format_text(prod_diff)
    assert text.startswith("offline diff of stack prod: HEAD~1 (")
    assert "+- replace gcp:container/nodePool:NodePool  tier-large-pool  (replacement forced by placementPolicy" in text
    assert "      autoscaling.maxNodeCount: 5 => 7" in text  # the wire's doubles shown as the integers they are
    assert "      nodeCount: 2 => 4" in text
    assert "add aliases=[pulumi.Alias(...)]" in text
    # The bucket and its audit config move with their component; the component itself is counted apart.
    counts = f"{prod_diff.count('update')} to update, 2 to replace, 2 URN change(s)"
    assert f"Resources: {counts}, {prod_diff.unchanged} unchanged; components: 1 URN change(s)" in text
    markdown = format_markdown([prod_diff])
    assert markdown.startswith("### Offline preview diff")
    assert "| `prod` | `HEAD~1 (" in markdown and "```diff" in markdown and "<details open>" in markdown


def test_a_tier_change_shows_the_dashboard_as_a_line_diff(prod_diff: StackDiff) -> None:
    text = format_text(prod_diff)
    dashboard = text.split("observability-dashboard\n", 1)[1].split("\n~", 1)[0].splitlines()
    assert dashboard[0] == "      dashboardJson: (line diff)"
    removed = [line for line in dashboard if line.startswith("-")]
    added = [line for line in dashboard if line.startswith("+")]
    assert len(removed) == len(added) == 1  # only the large tier's subtitle, not the whole document
    assert "2x2x2 (multi-host)" in removed[0] and "2x2x4 (multi-host)" in added[0]
    assert max(len(line) for line in dashboard) < 200


def test_cli_reports_a_bad_revision(two_commits: Path, capsys) -> None:
    assert main(["diff", "prod", "--base", "no-such-ref", "--project-dir", str(two_commits)]) == 2
    assert "error: git rev-parse" in capsys.readouterr().err


def test_base_worktree_is_removed(two_commits: Path, prod_diff: StackDiff) -> None:
    listing = subprocess.run(
        ["git", "-C", str(two_commits), "worktree", "list"], capture_output=True, text=True, check=True
    ).stdout
    assert len(listing.strip().splitlines()) == 1


# --- the diff itself, on recorded graphs -----------------------------------------------------


def test_secrets_stay_masked_and_options_show(prod: StackGraph) -> None:
    bucket = find(prod, ("gcp:storage/bucket:Bucket", "models-bucket"))
    head = swapped(prod, bucket, changed(bucket, {"labels.token": "[secret]"}, protect=False))
    (change,) = diff_graphs(prod, head).changes
    assert change.kind == "update"
    assert ("labels.token", None, "[secret]") in change.paths
    assert ("(option) protect", True, False) in change.paths
    assert "[secret]" in format_text(diff_graphs(prod, head))


def test_alias_makes_a_move_safe(prod: StackGraph) -> None:
    bucket = find(prod, ("gcp:storage/bucket:Bucket", "models-bucket"))
    moved = replace(
        bucket,
        urn=bucket.urn.replace("models-bucket", "weights-bucket"),
        name="weights-bucket",
        aliases=[{"urn": bucket.urn}],
    )
    (change,) = diff_graphs(prod, swapped(prod, bucket, moved)).changes
    assert change.kind == "rename" and change.aliased
    assert "moved (an alias covers it)" in format_text(diff_graphs(prod, swapped(prod, bucket, moved)))


def test_resources_are_counted_as_the_preview_counts_them(prod: StackGraph) -> None:
    previewed = int(str(type_counts(prod).title).split()[0])  # "N resources by type"
    assert diff_graphs(prod, prod).unchanged == previewed and diff_graphs(prod, prod).changes == []
    policy = find(prod, ("gcp:compute/resourcePolicy:ResourcePolicy", "tier-large-workload-policy"))
    component = next(r for r in prod.resources if not r.custom and r.name == "models")
    head = StackGraph(prod.stack, [r for r in prod.resources if r.urn not in (policy.urn, component.urn)], prod.outputs)
    diff = diff_graphs(prod, head)
    assert diff.unchanged == previewed - 1 and diff.count("delete") == 1
    assert summary(diff) == f"1 to delete, {previewed - 1} unchanged; components: 1 to delete"


def test_whole_numbers_are_integers_and_fractions_stay(prod: StackGraph) -> None:
    bucket = find(prod, ("gcp:storage/bucket:Bucket", "models-bucket"))
    head = swapped(prod, bucket, changed(bucket, {"labels.tier": 2.0, "versioning.ratio": 0.25}))
    text = format_text(diff_graphs(prod, head))
    assert "labels.tier: (none) => 2" in text and "versioning.ratio: (none) => 0.25" in text
    assert whole_numbers({"a": [1.0, 1.5], "b": True}) == {"a": [1, 1.5], "b": True}


def test_multi_line_text_is_a_line_diff(prod: StackGraph) -> None:
    bucket = find(prod, ("gcp:storage/bucket:Bucket", "models-bucket"))
    before = swapped(prod, bucket, changed(bucket, {"labels.script": "one\ntwo\nthree\n"}))
    after = swapped(prod, bucket, changed(bucket, {"labels.script": "one\n2\nthree\n"}))
    lines = format_text(diff_graphs(before, after)).splitlines()
    assert "      labels.script: (line diff)" in lines
    assert [line for line in lines if line.startswith(("-       ", "+       "))] == [
        "-       two",
        "+       2",
    ]


def test_creates_and_deletes(prod: StackGraph) -> None:
    policy = find(prod, ("gcp:compute/resourcePolicy:ResourcePolicy", "tier-large-workload-policy"))
    without = StackGraph(prod.stack, [r for r in prod.resources if r.urn != policy.urn], prod.outputs)
    assert [(c.kind, c.name) for c in diff_graphs(prod, without).changes] == [("delete", policy.name)]
    assert [(c.kind, c.name) for c in diff_graphs(without, prod).changes] == [("create", policy.name)]


@pytest.mark.parametrize(
    ("type_", "path", "replaces"),
    [
        ("gcp:container/nodePool:NodePool", "nodeConfig.machineType", True),
        ("gcp:container/nodePool:NodePool", "autoscaling.maxNodeCount", False),
        ("gcp:container/nodePool:NodePool", "nodeConfig.taints[0].value", True),
        ("gcp:storage/bucket:Bucket", "name", True),
        ("gcp:storage/bucket:Bucket", "versioning.enabled", False),
        ("kubernetes:core/v1:Namespace", "metadata.name", True),
        ("kubernetes:core/v1:Namespace", "metadata.labels.team", False),
    ],
)
def test_force_new_table(type_: str, path: str, replaces: bool) -> None:
    assert forces_replacement(type_, path) is replaces


def test_cost_delta_of_the_known_change(prod_diff: StackDiff) -> None:
    """By hand: the large tier's slice grows from 2 to 4 VMs and the small tier's maximum from 4 to 6.
    Cloud NAT: +2 VMs at minimum, +4 at maximum, at $0.0014 per VM-hour for 730 hours. Boot disks: 200 GB
    Hyperdisk Balanced per VM at $0.08, +2 VMs in the large tier (min and max) and +2 in the small (max).
    Prometheus: +2 serving replicas at maximum, 20 samples/s each for 730 hours at $0.06 per million.
    The TPU chips are not priced in prod."""
    assert prod_diff.cost is not None
    nat = (2 * 730 * 0.0014, 4 * 730 * 0.0014)
    disks = 2 * 200 * 0.08
    samples = 2 * 20 * 730 * 3600 / 1e6 * 0.06
    assert prod_diff.cost.total.rounded() == {
        "min": round(nat[0] + disks, 2),
        "max": round(nat[1] + 2 * disks + samples, 2),
    }
    assert {name: d.rounded() for name, d in prod_diff.cost.by_component().items()} == {
        "network": {"min": 2.04, "max": 4.09},
        "operations": {"min": 0.0, "max": 6.31},
        "tier large": {"min": 32.0, "max": 32.0},
        "tier small": {"min": 0.0, "max": 32.0},
    }
    assert prod_diff.cost.unpriced_changes() == ["tier large: TPU chip-hour", "tier small: TPU chip-hour"]
    text = format_text(prod_diff)
    assert "Monthly cost: $866.80 - $2,189.72 -> $900.84 - $2,264.11 (+$34.04 .. +$74.40)" in text
    assert "   network: +$2.04 .. +$4.09" in text
    markdown = format_markdown([prod_diff])
    assert "#### Monthly cost delta (priced lines, min .. max replicas)" in markdown
    assert (
        "| `prod` | $866.80 - $2,189.72 | $900.84 - $2,264.11 | +$34.04 .. +$74.40 | network +$2.04 .. +$4.09; "
        "operations +$0.00 .. +$6.31; tier large +$32.00; tier small +$0.00 .. +$32.00 |" in markdown
    )
