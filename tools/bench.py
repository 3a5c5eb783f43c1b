"""Benchmark: offline evaluation of each stack against three SDK floors, in fresh interpreters.

For each stack, a child interpreter imports the program's SDK modules and evaluates the stack
under the recording mock monitor (`stack` sample). Other children import exactly the same SDK
modules and, through the same `tools.graph.record` (same mocks, monitor and collector settings):
- register as many resources with empty inputs (`floor`): what a graph of that size costs;
- replay the stack's own registrations (type, name, parent, inputs, dependencies, provider,
  aliases, options) as untyped resources (`replay`): the SDK's work on these inputs and edges;
- replay them through the SDK classes that first registered them, inputs as keyword arguments
  (`typed`): the SDK's typed layer too (type reflection of each class used, the aliases the
  classes add). Both replays send the engine the stack's registrations unchanged (tests hold it).
Each reports import and evaluation seconds, wall and CPU; the stack over the typed replay is what
the program alone costs: its imports, config parsing, Outputs between resources, call depth.

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
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    import pulumi

SDK_PREFIXES = ("pulumi", "pulumi_gcp", "pulumi_kubernetes", "pulumi_random", "pydantic")


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


def _alias(recorded: dict[str, Any]) -> pulumi.Alias | str:
    """A recorded alias (`{"urn": ...}` or `{"spec": {...}}`, as the engine is sent it) as an SDK Alias."""
    import pulumi

    if "urn" in recorded:
        return str(recorded["urn"])
    spec = recorded["spec"]
    given: dict[str, Any] = {"name": spec.get("name", ...), "type_": spec.get("type", ...)}
    given["parent"] = None if spec.get("noParent") else spec.get("parentUrn") or ...
    return pulumi.Alias(**given)


def _options(r: dict[str, Any], made: dict[str, pulumi.Resource], aliases: bool) -> pulumi.ResourceOptions:
    import pulumi

    return pulumi.ResourceOptions(
        parent=made.get(r["parent"]),
        depends_on=[made[urn] for urn in r["dependencies"]],
        provider=cast("pulumi.ProviderResource | None", made.get(r["provider"])),
        aliases=[_alias(a) for a in r["aliases"]] if aliases else None,
        protect=r["protect"],
        retain_on_delete=r["retainOnDelete"],
        ignore_changes=r["ignoreChanges"] or None,
    )


def replay(registrations: list[dict[str, Any]]) -> Callable[[], None]:
    """A program that registers `registrations` again, in their order, with their inputs as plain data."""
    import pulumi

    def program() -> None:
        made: dict[str, pulumi.Resource] = {}
        for r in registrations:
            opts = _options(r, made, aliases=True)
            resource: pulumi.Resource
            if r["type"].startswith("pulumi:providers:"):
                resource = pulumi.ProviderResource(r["type"].split(":")[2], r["name"], r["inputs"], opts)
            elif r["custom"]:
                resource = pulumi.CustomResource(r["type"], r["name"], r["inputs"], opts)
            else:  # a remote component (a Helm chart) has inputs; a local one has none
                resource = pulumi.ComponentResource(r["type"], r["name"], r["inputs"], opts, remote=bool(r["inputs"]))
            made[r["urn"]] = resource

    return program


def sdk_classes(stack: str) -> dict[str, str]:
    """The SDK class (`module:qualname`) that registers each resource type of `stack`; the
    program's own components are not SDK classes and are left out."""
    import pulumi

    from tools.graph import evaluate

    classes: dict[str, str] = {}
    original = pulumi.Resource.__init__

    def spy(self: pulumi.Resource, t: str, name: str, *args: Any, **kwargs: Any) -> None:
        cls = type(self)
        if cls.__module__.split(".")[0] in SDK_PREFIXES and cls.__module__ != "pulumi.resource":
            classes.setdefault(t, f"{cls.__module__}:{cls.__qualname__}")
        original(self, t, name, *args, **kwargs)

    pulumi.Resource.__init__ = spy  # type: ignore[method-assign]
    try:
        evaluate(stack)
    finally:
        pulumi.Resource.__init__ = original  # type: ignore[method-assign]
    return classes


def _sdk_class(path: str) -> type:
    module, _, qualname = path.partition(":")
    found: Any = importlib.import_module(module)
    for part in qualname.split("."):
        found = getattr(found, part)
    return cast(type, found)


def _keyword_arguments(cls: type, inputs: dict[str, Any]) -> dict[str, Any]:
    """Top-level wire inputs as the class's Python keyword arguments; nested ones stay as wire
    dicts, which the SDK translates by the nested input types' own names. A provider's inputs
    that are not text go to the engine JSON-encoded: they are decoded back."""
    import pulumi
    from pulumi import _types

    module = sys.modules[cls.__module__]
    args_cls = getattr(module, f"{cls.__name__}Args", None) or getattr(module, f"{cls.__name__}InitArgs")
    python_names = {wire: py for py, wire in _types.input_type_py_to_pulumi_names(args_cls).items()}
    types = _types.input_type_types(args_cls)

    def value(key: str, given: Any) -> Any:
        encoded = issubclass(cls, pulumi.ProviderResource) and types.get(key) is not str and isinstance(given, str)
        return json.loads(given) if encoded else given

    return {python_names[key]: value(key, given) for key, given in inputs.items()}


def typed_replay(registrations: list[dict[str, Any]], classes: dict[str, str]) -> Callable[[], None]:
    """A program that registers `registrations` again through the SDK classes that first made them
    (`sdk_classes`), with their inputs as keyword arguments: what the SDK's typed layer costs for
    this graph (its type reflection, the aliases it adds, its own stack-trace walk), with no program.
    The program's components are registered as plain components."""
    import pulumi

    def program() -> None:
        made: dict[str, pulumi.Resource] = {}
        for r in registrations:
            opts = _options(r, made, aliases=r["type"] not in classes)  # an SDK class adds its own
            resource: pulumi.Resource
            if r["type"] in classes:
                cls = _sdk_class(classes[r["type"]])
                resource = cls(r["name"], opts=opts, **_keyword_arguments(cls, r["inputs"]))
            else:
                resource = pulumi.ComponentResource(r["type"], r["name"], None, opts)
            made[r["urn"]] = resource

    return program


def sample_replay(stack: str, given: dict[str, Any]) -> dict[str, Any]:
    """The stack's registrations replayed untyped, or through their SDK classes when `given` names them."""
    start = _clocks()
    _import_all(given["modules"])
    from tools.graph import record
    from tools.stack_config import project_name

    imported = _clocks()
    classes = given.get("classes")
    program = replay(given["registrations"]) if classes is None else typed_replay(given["registrations"], classes)
    graph = record(program, stack=stack, project=project_name())
    done = _clocks()
    return {**_spans(start, imported, done), "resources": len(graph.resources)}


def _child(*args: str, stdin: str = "") -> dict[str, Any]:
    result = subprocess.run([sys.executable, "-m", "tools.bench", *args], input=stdin, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"benchmark sample {' '.join(args)} failed:\n{result.stderr}")
    return dict(json.loads(result.stdout))


FLOORS = {"floor": "empty resources", "replay": "untyped replay", "typed": "typed replay"}


def main(stacks: list[str], runs: int) -> int:
    print(f"offline evaluation benchmark: {runs} runs each, fresh interpreter per run, medians in seconds")
    print("wall: elapsed seconds; cpu: the process's CPU seconds, which other load on the machine barely moves")
    print("each floor: its import and evaluation, and the stack's evaluation and import + evaluation over them")
    for stack in stacks:
        # A warm-up run discovers which SDK modules the program loads, what it registers and through
        # which SDK classes; every timed run of each kind imports exactly those modules before its
        # clock for evaluation starts.
        warmup = _child("--sample-stack", stack, stdin="[]")
        modules, registrations = warmup["modules"], warmup["registrations"]
        classes = _child("--sample-classes", stack)
        replayed = {"modules": modules, "registrations": registrations}
        inputs = {
            "stack": ("--sample-stack", stack, json.dumps(modules)),
            "floor": ("--sample-floor", str(len(registrations)), json.dumps(modules)),
            "replay": ("--sample-replay", stack, json.dumps(replayed)),
            "typed": ("--sample-replay", stack, json.dumps({**replayed, "classes": classes})),
        }
        samples: dict[str, list[dict[str, Any]]] = {kind: [] for kind in inputs}
        for _ in range(runs):  # in turn, so a change in the machine's load falls on all alike
            for kind, (flag, argument, stdin) in inputs.items():
                samples[kind].append(_child(flag, argument, stdin=stdin))

        for clock, suffix in (("wall", ""), ("cpu", "_cpu")):
            imp, ev = (
                {kind: statistics.median(s[f"{part}{suffix}"] for s in runs_) for kind, runs_ in samples.items()}
                for part in ("import", "evaluate")
            )
            total = imp["stack"] + ev["stack"]
            print(
                f"{stack} ({clock}, {len(registrations)} resources): "
                f"import {imp['stack']:.3f}, evaluate {ev['stack']:.3f}"
            )
            for kind, title in FLOORS.items():
                print(
                    f"  {title:16} import {imp[kind]:.3f}, evaluate {ev[kind]:.3f}; stack over it: "
                    f"evaluate {ev['stack'] / ev[kind]:.2f}x, total {total / (imp[kind] + ev[kind]):.2f}x"
                )
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "--sample-stack":
        print(json.dumps(sample_stack(sys.argv[2], json.loads(sys.stdin.read()))))
    elif sys.argv[1] == "--sample-floor":
        print(json.dumps(sample_floor(int(sys.argv[2]), json.loads(sys.stdin.read()))))
    elif sys.argv[1] == "--sample-replay":
        print(json.dumps(sample_replay(sys.argv[2], json.loads(sys.stdin.read()))))
    elif sys.argv[1] == "--sample-classes":
        print(json.dumps(sdk_classes(sys.argv[2])))
    else:
        sys.exit(main(sys.argv[1:] or ["dev", "prod"], 5))
