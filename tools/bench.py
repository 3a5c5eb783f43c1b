"""Benchmark: offline evaluation of each stack against the SDK floor, in fresh interpreters.

For each stack, a child interpreter imports the program's SDK modules and evaluates the stack
under the recording mock monitor (`stack` sample). Another child imports exactly the same SDK
modules and registers the same number of resources with empty inputs through the same
`tools.graph.record` (same mocks, monitor and collector settings: the `floor` sample). A third
replays the stack's own registrations (type, name, parent, inputs, dependencies, provider) as
untyped resources (the `replay` sample): what the SDK costs for this graph's inputs and edges,
with no program, no config parsing and no typed `*Args` layer. Each reports import and evaluation
seconds, wall and CPU; the ratio stack/floor says what the program and its inputs cost beyond an
empty graph of that size, stack/replay what the program alone costs beyond the SDK's work on them.

Run: `python -m tools bench [stacks...] [--runs N]`. This is a benchmark, not a test.
"""

from __future__ import annotations

import importlib
import inspect
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from typing import Any, cast

SDK_PREFIXES = ("pulumi", "pulumi_gcp", "pulumi_kubernetes", "pydantic")


def _sdk_modules() -> list[str]:
    return sorted(m for m in sys.modules if m.split(".")[0] in SDK_PREFIXES)


def _import_all(modules: list[str]) -> None:
    """Import `modules` without letting a submodule shadow a same-named class of its package
    (pulumi_kubernetes.apiextensions.CustomResource is both)."""
    for module in modules:
        parent_name, _, child = module.rpartition(".")
        parent = sys.modules.get(parent_name)
        before = getattr(parent, child, None) if parent is not None else None
        importlib.import_module(module)
        if before is not None and not inspect.ismodule(before):
            setattr(sys.modules[parent_name], child, before)


def _clocks() -> tuple[float, float]:
    """Wall seconds and this process's CPU seconds (every thread: the mock monitor answers in a pool)."""
    return time.perf_counter(), time.process_time()


def _spans(start: tuple[float, float], imported: tuple[float, float], done: tuple[float, float]) -> dict[str, float]:
    return {
        "import": imported[0] - start[0],
        "evaluate": done[0] - imported[0],
        "import_cpu": imported[1] - start[1],
        "evaluate_cpu": done[1] - imported[1],
    }


def sample_stack(stack: str, modules: list[str]) -> dict[str, Any]:
    start = _clocks()
    _import_all(modules)
    from tools.graph import evaluate

    imported = _clocks()
    graph = evaluate(stack)
    done = _clocks()
    registrations = [asdict(r) for r in graph.resources]
    return {**_spans(start, imported, done), "registrations": registrations, "modules": _sdk_modules()}


def sample_floor(count: int, modules: list[str]) -> dict[str, Any]:
    """`count` empty resources recorded exactly as a stack is (`tools.graph.record`), program aside."""
    start = _clocks()
    _import_all(modules)
    import pulumi

    from tools.graph import record

    imported = _clocks()

    def program() -> None:
        for index in range(count):
            pulumi.CustomResource("bench:index:Empty", f"r{index}", {})

    graph = record(program, stack="floor", project="bench")
    done = _clocks()
    return {**_spans(start, imported, done), "resources": len(graph.resources)}


def replay(registrations: list[dict[str, Any]]) -> Callable[[], None]:
    """A program that registers `registrations` again, in their order, with their inputs as plain data."""
    import pulumi

    def program() -> None:
        made: dict[str, pulumi.Resource] = {}
        for r in registrations:
            opts = pulumi.ResourceOptions(
                parent=made.get(r["parent"]),
                depends_on=[made[urn] for urn in r["dependencies"]],
                provider=cast("pulumi.ProviderResource | None", made.get(r["provider"])),
            )
            resource: pulumi.Resource
            if r["type"].startswith("pulumi:providers:"):
                resource = pulumi.ProviderResource(r["type"].split(":")[2], r["name"], r["inputs"], opts)
            elif r["custom"]:
                resource = pulumi.CustomResource(r["type"], r["name"], r["inputs"], opts)
            else:  # a remote component (a Helm chart) has inputs; a local one has none
                resource = pulumi.ComponentResource(r["type"], r["name"], r["inputs"], opts, remote=bool(r["inputs"]))
            made[r["urn"]] = resource

    return program


def sample_replay(stack: str, registrations: list[dict[str, Any]], modules: list[str]) -> dict[str, Any]:
    start = _clocks()
    _import_all(modules)
    from tools.graph import record
    from tools.stack_config import project_name

    imported = _clocks()
    graph = record(replay(registrations), stack=stack, project=project_name())
    done = _clocks()
    return {**_spans(start, imported, done), "resources": len(graph.resources)}


def _child(*args: str, stdin: str = "") -> dict[str, Any]:
    result = subprocess.run([sys.executable, "-m", "tools.bench", *args], input=stdin, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"benchmark sample {' '.join(args)} failed:\n{result.stderr}")
    return dict(json.loads(result.stdout))


def main(stacks: list[str], runs: int) -> int:
    print(f"offline evaluation benchmark: {runs} runs each, fresh interpreter per run, medians in seconds")
    print("wall: elapsed seconds; cpu: the process's CPU seconds, which other load on the machine barely moves")
    print("ratios: evaluation and import + evaluation, of the stack over the empty floor and over the replay")
    print(
        f"{'stack':8} {'clock':5} {'resources':>9} {'import':>7} {'evaluate':>8} {'floor eval':>10} "
        f"{'replay eval':>11} {'/floor eval':>11} {'/floor total':>12} {'/replay eval':>12} {'/replay total':>13}"
    )
    for stack in stacks:
        # A warm-up run discovers which SDK modules the program loads and what it registers; every
        # timed run of each kind imports exactly those modules before its clock for evaluation starts.
        warmup = _child("--sample-stack", stack, stdin="[]")
        modules, registrations = warmup["modules"], warmup["registrations"]
        count = len(registrations)
        replay_input = json.dumps({"modules": modules, "registrations": registrations})
        samples: dict[str, list[dict[str, Any]]] = {"stack": [], "floor": [], "replay": []}
        for _ in range(runs):  # in turn, so a change in the machine's load falls on all alike
            samples["stack"].append(_child("--sample-stack", stack, stdin=json.dumps(modules)))
            samples["floor"].append(_child("--sample-floor", str(count), stdin=json.dumps(modules)))
            samples["replay"].append(_child("--sample-replay", stack, stdin=replay_input))

        for clock, suffix in (("wall", ""), ("cpu", "_cpu")):
            imp, ev = (
                {kind: statistics.median(s[f"{part}{suffix}"] for s in runs_) for kind, runs_ in samples.items()}
                for part in ("import", "evaluate")
            )
            print(
                f"{stack:8} {clock:5} {count:>9} {imp['stack']:>7.3f} {ev['stack']:>8.3f} {ev['floor']:>10.3f} "
                f"{ev['replay']:>11.3f} {ev['stack'] / ev['floor']:>10.2f}x "
                f"{(imp['stack'] + ev['stack']) / (imp['floor'] + ev['floor']):>11.2f}x "
                f"{ev['stack'] / ev['replay']:>11.2f}x "
                f"{(imp['stack'] + ev['stack']) / (imp['replay'] + ev['replay']):>12.2f}x"
            )
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "--sample-stack":
        print(json.dumps(sample_stack(sys.argv[2], json.loads(sys.stdin.read()))))
    elif sys.argv[1] == "--sample-floor":
        print(json.dumps(sample_floor(int(sys.argv[2]), json.loads(sys.stdin.read()))))
    elif sys.argv[1] == "--sample-replay":
        given = json.loads(sys.stdin.read())
        print(json.dumps(sample_replay(sys.argv[2], given["registrations"], given["modules"])))
    else:
        sys.exit(main(sys.argv[1:] or ["dev", "prod"], 5))
