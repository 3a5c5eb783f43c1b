"""Benchmark: offline evaluation of each stack against the SDK floor, in fresh interpreters.

For each stack, a child interpreter imports the program's SDK modules and evaluates the stack
under the recording mock monitor (`stack` sample). Another child imports exactly the same SDK
modules and registers the same number of resources with empty inputs through the same
`tools.graph.record` (same mocks, monitor and collector settings: the `floor` sample). Both
report import and evaluation seconds, wall and CPU; the ratio stack/floor says what the program
itself costs beyond what Pulumi's SDK costs for a graph of that size.

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
from typing import Any

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
    return {**_spans(start, imported, done), "resources": len(graph.resources), "modules": _sdk_modules()}


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


def _child(*args: str, stdin: str = "") -> dict[str, Any]:
    result = subprocess.run([sys.executable, "-m", "tools.bench", *args], input=stdin, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"benchmark sample {' '.join(args)} failed:\n{result.stderr}")
    return dict(json.loads(result.stdout))


def main(stacks: list[str], runs: int) -> int:
    print(f"offline evaluation benchmark: {runs} runs each, fresh interpreter per run, medians in seconds")
    print("wall: elapsed seconds; cpu: the process's CPU seconds, which other load on the machine barely moves")
    print(
        f"{'stack':8} {'clock':5} {'resources':>9} {'import':>8} {'evaluate':>9} {'floor import':>13} "
        f"{'floor eval':>11} {'eval ratio':>11} {'total ratio':>12}"
    )
    for stack in stacks:
        # A warm-up run discovers which SDK modules the program loads; every timed run of
        # either kind imports exactly those before its clock for evaluation starts.
        warmup = _child("--sample-stack", stack, stdin="[]")
        modules, count = warmup["modules"], warmup["resources"]
        stack_runs: list[dict[str, Any]] = []
        floor_runs: list[dict[str, Any]] = []
        for _ in range(runs):  # in turn, so a change in the machine's load falls on both alike
            stack_runs.append(_child("--sample-stack", stack, stdin=json.dumps(modules)))
            floor_runs.append(_child("--sample-floor", str(count), stdin=json.dumps(modules)))

        def median(samples: list[dict[str, Any]], key: str) -> float:
            return statistics.median(s[key] for s in samples)

        for clock, suffix in (("wall", ""), ("cpu", "_cpu")):
            s_imp, s_eval = median(stack_runs, f"import{suffix}"), median(stack_runs, f"evaluate{suffix}")
            f_imp, f_eval = median(floor_runs, f"import{suffix}"), median(floor_runs, f"evaluate{suffix}")
            print(
                f"{stack:8} {clock:5} {count:>9} {s_imp:>8.3f} {s_eval:>9.3f} {f_imp:>13.3f} {f_eval:>11.3f} "
                f"{s_eval / f_eval:>10.2f}x {(s_imp + s_eval) / (f_imp + f_eval):>11.2f}x"
            )
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "--sample-stack":
        print(json.dumps(sample_stack(sys.argv[2], json.loads(sys.stdin.read()))))
    elif sys.argv[1] == "--sample-floor":
        print(json.dumps(sample_floor(int(sys.argv[2]), json.loads(sys.stdin.read()))))
    else:
        sys.exit(main(sys.argv[1:] or ["dev", "prod"], 5))
