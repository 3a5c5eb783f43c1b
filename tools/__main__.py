"""`python -m tools preview <stack> [--json FILE] [--mermaid FILE]` and `python -m tools bench`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tools.stack_config import PROJECT_ROOT, StackFileError


def _preview(args: argparse.Namespace) -> int:
    from tools.graph import ProgramError, evaluate
    from tools.render import mermaid, print_preview

    try:
        graph = evaluate(args.stack, root=Path(args.project_dir).resolve())
    except StackFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ProgramError as exc:
        print(f"error: stack {args.stack}: {exc}", file=sys.stderr)
        if exc.registered == 0:
            print("(the program stopped before registering any resource)", file=sys.stderr)
        return 1
    print_preview(graph)
    if args.json:
        Path(args.json).write_text(graph.to_json(), encoding="utf-8")
        print(f"wrote {args.json}")
    if args.mermaid:
        Path(args.mermaid).write_text(mermaid(graph), encoding="utf-8")
        print(f"wrote {args.mermaid}")
    return 0


def _bench(args: argparse.Namespace) -> int:
    from tools.bench import main as bench_main

    return bench_main(args.stacks, args.runs)


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

    bench = commands.add_parser("bench", help="time stack evaluation against the SDK floor")
    bench.add_argument("stacks", nargs="*", default=["dev", "prod"])
    bench.add_argument("--runs", type=int, default=5)
    bench.set_defaults(run=_bench)

    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
