"""Offline tooling: `python -m tools preview|policy|export|diff|cost|bench|vllm-release|smoke ...` (see `--help`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tools.stack_config import PROJECT_ROOT, StackFileError

# Checkov lives in its own virtualenv: its `packaging<24` pin cannot share one with pulumi's.
CHECKOV_MISSING = (
    "checkov is not installed in {venv} (its own virtualenv); create it with "
    "`python3 -m venv {venv} && {venv}/bin/python -m pip install -r requirements-checkov.txt`"
)


def _load(stack: str, project_dir: str, graph_file: str | None = None) -> tuple[object | None, int]:
    """The stack's graph (evaluated, or read from `graph_file`), or None and an exit code after an error."""
    from tools.graph import ProgramError, evaluate, load_graph

    try:
        if graph_file:
            return load_graph(Path(graph_file).read_text(encoding="utf-8")), 0
        return evaluate(stack, root=Path(project_dir).resolve()), 0
    except StackFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None, 2
    except ProgramError as exc:
        print(f"error: stack {stack}: {exc}", file=sys.stderr)
        if exc.registered == 0:
            print("(the program stopped before registering any resource)", file=sys.stderr)
        return None, 1


def _preview(args: argparse.Namespace) -> int:
    from tools.graph import StackGraph
    from tools.render import mermaid, print_preview

    graph, code = _load(args.stack, args.project_dir)
    if not isinstance(graph, StackGraph):
        return code
    print_preview(graph)
    if args.json:
        Path(args.json).write_text(graph.to_json(), encoding="utf-8")
        print(f"wrote {args.json}")
    if args.mermaid:
        Path(args.mermaid).write_text(mermaid(graph), encoding="utf-8")
        print(f"wrote {args.mermaid}")
    return 0


def _policy(args: argparse.Namespace) -> int:
    import json

    from tools.graph import StackGraph
    from tools.policy import PolicyConfigError, PolicyPackProcess, engine_environment, format_report, run_policies
    from tools.stack_config import load_stack_config, project_name

    graph, code = _load(args.stack, args.project_dir, args.graph)
    if not isinstance(graph, StackGraph):
        return code
    root = Path(args.project_dir).resolve()
    project = project_name(root)
    stack_config = load_stack_config(args.stack, root)
    try:
        config = json.loads(Path(args.config).read_text(encoding="utf-8")) if args.config else None
    except (OSError, ValueError) as exc:
        print(f"error: policy config {args.config}: {exc}", file=sys.stderr)
        return 2
    with PolicyPackProcess(env=engine_environment(project, args.stack, stack_config)) as pack:
        try:
            report = run_policies(pack, graph, project=project, config=config, stack_config=stack_config)
        except PolicyConfigError as exc:
            print(f"error: policy config {args.config}: {exc}", file=sys.stderr)
            return 2
        info = pack.info()
        label = f"{info.name} ({len(info.policies)} policies, pulumi-policy {pack.plugin_version()})"
    print(format_report(report, args.stack, label))
    return 1 if report.mandatory else 0


def _export(args: argparse.Namespace) -> int:
    from tools.graph import StackGraph
    from tools.tfplan import checkov_executable, export, is_skipped, load_skips, run_checkov

    graph, code = _load(args.stack, args.project_dir, args.graph)
    if not isinstance(graph, StackGraph):
        return code
    out = Path(args.out or f"exports/{args.stack}")
    plan, manifests = export(graph, out)
    print(f"wrote {plan} and {len(list(manifests.glob('*.yaml')))} manifests in {manifests}")
    if not args.checkov:
        return 0
    checkov = checkov_executable(PROJECT_ROOT)
    if not checkov.exists():
        print(f"error: {CHECKOV_MISSING.format(venv=checkov.parent.parent.name)}", file=sys.stderr)
        return 2
    failures = run_checkov(checkov, out)
    skips = load_skips()
    open_failures = [f for f in failures if not is_skipped(f, skips)]
    for failure in failures:
        mark = "skipped (reviewed)" if is_skipped(failure, skips) else "FAILED"
        print(f"  {mark:18} {failure.check_id:12} {failure.resource}  {failure.name}")
    print(f"checkov: {len(failures)} failed checks, {len(open_failures)} not in tools/checkov_skips.yaml")
    return 1 if open_failures else 0


def _diff(args: argparse.Namespace) -> int:
    from tools.diff import DiffError, diff_stack, format_markdown, format_text

    try:
        diffs = [diff_stack(stack, args.base, Path(args.project_dir).resolve()) for stack in args.stacks]
    except DiffError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    text = format_markdown(diffs) if args.markdown else "\n\n".join(format_text(d) for d in diffs) + "\n"
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
    else:
        print(text, end="")
    return 0


def _cost(args: argparse.Namespace) -> int:
    from tools.cost.estimate import estimate
    from tools.cost.inventory import Assumptions
    from tools.cost.report import format_json, format_text
    from tools.graph import StackGraph

    graph, code = _load(args.stack, args.project_dir, args.graph)
    if not isinstance(graph, StackGraph):
        return code
    given = {field: getattr(args, option) for option, field in COST_ASSUMPTIONS.items()}
    result = estimate(graph, Assumptions(**{k: v for k, v in given.items() if v is not None}))
    print(format_json(result) if args.json else format_text(result), end="")
    return 0


def _non_negative(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative (allowed: 0 or more)")
    return value


# `--option` (its dest) -> the `tools.cost.inventory.Assumptions` field it overrides. Defaults stay
# there: building the parser imports nothing, since `tools diff` runs `preview` against a base
# revision whose program may predate the cost concern.
COST_ASSUMPTIONS = {
    "hours": "hours",
    "bucket_gib": "bucket_gib",
    "rps": "requests_per_second",
    "request_kib": "request_kib",
    "response_kib": "response_kib",
    "nat_gib": "nat_gib",
    "image_gb": "image_gb",
    "samples_per_replica": "samples_per_second_per_replica",
    "log_entry_kib": "log_entry_kib",
}


def _add_cost(commands: argparse._SubParsersAction) -> None:
    cost = commands.add_parser("cost", help="monthly cost estimate of a stack (per component, min-max replicas)")
    cost.add_argument("stack", help="stack name (Pulumi.<stack>.yaml)")
    cost.add_argument("--json", action="store_true", help="the estimate as JSON, for machines")
    cost.add_argument("--graph", metavar="FILE", help="estimate this recorded graph (preview --json) instead")
    cost.add_argument("--project-dir", default=str(PROJECT_ROOT), metavar="DIR", help=argparse.SUPPRESS)
    number = {"type": _non_negative, "metavar": "N"}
    cost.add_argument("--hours", help="hours a month (default: 730)", **number)
    cost.add_argument("--bucket-gib", help="GiB in the model bucket (default: the tiers' models, once each)", **number)
    cost.add_argument("--rps", help="requests per second through the Gateway (default: 1)", **number)
    cost.add_argument("--request-kib", help="KiB in per request (default: 8)", **number)
    cost.add_argument("--response-kib", help="KiB out per request (default: 4)", **number)
    cost.add_argument("--nat-gib", help="GiB a month through Cloud NAT (default: 10)", **number)
    cost.add_argument("--image-gb", help="GB per cached model-server image (default: 19.5)", **number)
    cost.add_argument("--samples-per-replica", help="metric samples/s per serving replica (default: 20)", **number)
    cost.add_argument("--log-entry-kib", help="KiB per request-log entry (default: 2)", **number)
    cost.set_defaults(run=_cost)


def _bench(args: argparse.Namespace) -> int:
    from tools.bench import main as bench_main

    return bench_main(args.stacks, args.runs)


def _vllm_release(args: argparse.Namespace) -> int:
    from tools.vllm_release import main as vllm_release_main

    return vllm_release_main(args)


def _smoke(args: argparse.Namespace) -> int:
    import json

    from tools.smoke import SmokeError, Tier, report, smoke, stack_outputs, target

    try:
        if args.outputs:
            outputs = json.loads(Path(args.outputs).read_text(encoding="utf-8"))
        elif args.stack:
            outputs = stack_outputs(args.stack)
        else:
            outputs = {}
        tiers = tuple(Tier(name, path, model) for name, path, model in args.tier or ())
        where = target(outputs, url=args.url, key=args.api_key, tiers=tiers, tenant=args.tenant)
    except (OSError, ValueError, SmokeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    results = smoke(where, first_token_s=args.first_token_timeout, timeout=args.timeout)
    print(report(results, where.key))
    return 0 if all(result.ok for result in results) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools", description="Offline tooling for the LLM platform.")
    commands = parser.add_subparsers(dest="command", required=True)

    preview = commands.add_parser("preview", help="evaluate a stack under mocks and show its resource graph")
    preview.add_argument("stack", help="stack name (Pulumi.<stack>.yaml)")
    preview.add_argument("--json", metavar="FILE", help="write the canonical JSON snapshot")
    preview.add_argument("--mermaid", metavar="FILE", help="write a Mermaid picture of the graph")
    preview.add_argument(
        "--project-dir", default=str(PROJECT_ROOT), metavar="DIR", help="the Pulumi project (default: this one)"
    )
    preview.set_defaults(run=_preview)

    policy = commands.add_parser("policy", help="run the CrossGuard policy pack on a stack, as the engine does")
    policy.add_argument("stack", help="stack name (Pulumi.<stack>.yaml)")
    policy.add_argument("--config", metavar="FILE", help="policy config (JSON, as for --policy-pack-config)")
    policy.add_argument("--graph", metavar="FILE", help="judge this recorded graph (preview --json) instead")
    policy.add_argument("--project-dir", default=str(PROJECT_ROOT), metavar="DIR", help=argparse.SUPPRESS)
    policy.set_defaults(run=_policy)

    export = commands.add_parser("export", help="write the graph as Terraform plan JSON plus Kubernetes manifests")
    export.add_argument("stack", help="stack name (Pulumi.<stack>.yaml)")
    export.add_argument("--format", choices=["tfplan"], default="tfplan", help="tfplan: `terraform show -json` form")
    export.add_argument("--out", metavar="DIR", help="output folder (default: exports/<stack>)")
    export.add_argument("--checkov", action="store_true", help="scan the export with the pinned Checkov")
    export.add_argument("--graph", metavar="FILE", help="export this recorded graph (preview --json) instead")
    export.add_argument("--project-dir", default=str(PROJECT_ROOT), metavar="DIR", help=argparse.SUPPRESS)
    export.set_defaults(run=_export)

    diff = commands.add_parser("diff", help="preview-style diff of stacks between a git revision and the working tree")
    diff.add_argument("stacks", nargs="+", metavar="stack", help="stack name(s)")
    diff.add_argument("--base", required=True, metavar="REF", help="git revision to compare with (e.g. origin/main)")
    diff.add_argument("--markdown", action="store_true", help="a pull-request comment instead of plain text")
    diff.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output")
    diff.add_argument(
        "--project-dir", default=str(PROJECT_ROOT), metavar="DIR", help="the Pulumi project (default: this one)"
    )
    diff.set_defaults(run=_diff)

    _add_cost(commands)

    bench = commands.add_parser("bench", help="time stack evaluation against the SDK floor")
    bench.add_argument("stacks", nargs="*", default=["dev", "prod"])
    bench.add_argument("--runs", type=int, default=5)
    bench.set_defaults(run=_bench)

    from tools.vllm_release import add_arguments as vllm_release_arguments

    vllm_release = commands.add_parser(
        "vllm-release", help="extract the pinned vLLM release's metrics, flags and TPU facts from its git source"
    )
    vllm_release_arguments(vllm_release)
    vllm_release.set_defaults(run=_vllm_release)

    smoke = commands.add_parser("smoke", help="call every tier of a deployed stack through its endpoint")
    smoke.add_argument("stack", nargs="?", help="read `pulumi stack output --json --show-secrets` of this stack")
    smoke.add_argument("--outputs", metavar="FILE", help="a saved `pulumi stack output --json --show-secrets`")
    smoke.add_argument("--url", help="the endpoint (default: the endpoint.url output)")
    smoke.add_argument("--api-key", help="the key or ID token (default: the apiKey output, or $LLM_PLATFORM_API_KEY)")
    smoke.add_argument("--tenant", help="with tenants: whose key to send (default: the first tenantApiKeys entry)")
    smoke.add_argument(
        "--tier", nargs=3, action="append", metavar=("NAME", "PATH", "MODEL"), help="a tier to call (repeatable)"
    )
    smoke.add_argument("--first-token-timeout", type=float, default=120, metavar="S", help="default 120")
    smoke.add_argument("--timeout", type=float, default=300, metavar="S", help="per request, default 300")
    smoke.set_defaults(run=_smoke)

    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
