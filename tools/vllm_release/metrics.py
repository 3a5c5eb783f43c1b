"""Every `vllm:` Prometheus metric a vLLM source tree defines, read from its syntax trees. Pure.

A definition is one of:
- a `prometheus_client` constructor (`Gauge(name=...)`), or the logger classes' factories
  (`self._gauge_cls(...)`, `self._counter_cls(...)`, `self._histogram_cls(...)`: `PrometheusStatLogger`
  binds them to `prometheus_client`'s classes, the Ray logger to Ray's wrappers with the same names);
- a KV-offload metadata entry (`{NAME: OffloadingCounterMetadata(...)}` or
  `definitions[NAME] = OffloadingGaugeMetadata(...)`), which the connector turns into a metric.

The name is a literal, a constant (module or class attribute, followed through imports), a local
assignment, or an element of the list a `for` loop unpacks. A prometheus constructor whose name
cannot be read that way is listed as unresolved rather than guessed.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

from tools.vllm_release.pysource import Import, Module, SourceIndex, UnresolvedError, call_name, conditions, keyword

PROMETHEUS_CLASSES = {"Gauge": "gauge", "Counter": "counter", "Histogram": "histogram"}
UNSUPPORTED_CLASSES = ("Summary", "Info", "Enum")
FACTORIES = {"_gauge_cls": "gauge", "_counter_cls": "counter", "_histogram_cls": "histogram"}
_METADATA = re.compile(r"(Counter|Gauge|Histogram)\w*Metadata$")
PREFIX = "vllm:"
_MARKERS = ("prometheus_client", *FACTORIES, "Metadata(")


class MetricError(ValueError):
    """The source defines something the extract cannot represent faithfully."""


@dataclass(frozen=True)
class Definition:
    name: str
    kind: str
    documentation: str | None
    path: str
    line: int
    conditions: tuple[str, ...]
    deprecated: bool


def _prometheus_kind(module: Module, call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in FACTORIES:
        return FACTORIES[func.attr]
    name = call_name(call)
    if name not in PROMETHEUS_CLASSES and name not in UNSUPPORTED_CLASSES:
        return None
    base = func.id if isinstance(func, ast.Name) else ast.unparse(func.value) if isinstance(func, ast.Attribute) else ""
    binding = module.bindings("runtime").get(base.split(".")[0])
    if isinstance(binding, Import) and binding.module.split(".")[0] == "prometheus_client":
        return PROMETHEUS_CLASSES.get(name, name.lower())
    return None


def _loop_values(index: SourceIndex, module: Module, name: str, at: ast.AST) -> list[tuple[object, ast.AST]]:
    """Values a loop around `at` binds to `name`: `for name, doc in specs` (or a comprehension's `for`)."""
    current = module.parent(at)
    while current is not None and not isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
        loops = [(current.target, current.iter)] if isinstance(current, ast.For) else []
        if isinstance(current, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
            loops = [(g.target, g.iter) for g in current.generators]
        for target, iterable in loops:
            position = _target_position(target, name)
            if position is None:
                continue
            found: list[tuple[object, ast.AST]] = []
            for item, origin in _sequence_items(module, iterable, current):
                if position >= 0 and isinstance(item, ast.Tuple | ast.List):
                    found.append((index.literal(module, item.elts[position]), origin))
                elif position < 0:
                    found.append((index.literal(module, item), origin))
            return found
        current = module.parent(current)
    return []


def _target_position(target: ast.expr, name: str) -> int | None:
    """-1 when the loop binds `name` itself, its index when it unpacks a tuple into it, else None."""
    if isinstance(target, ast.Name):
        return -1 if target.id == name else None
    if isinstance(target, ast.Tuple):
        for i, element in enumerate(target.elts):
            if isinstance(element, ast.Name) and element.id == name:
                return i
    return None


def _sequence_items(module: Module, node: ast.expr, at: ast.AST) -> list[tuple[ast.expr, ast.AST]]:
    if isinstance(node, ast.List | ast.Tuple):
        return [(e, node) for e in node.elts]
    if isinstance(node, ast.Name):
        items: list[tuple[ast.expr, ast.AST]] = []
        for value in _local_assignments(module, node.id, at):
            items += [(e, value) for e in value.elts] if isinstance(value, ast.List | ast.Tuple) else []
        return items
    raise UnresolvedError(ast.unparse(node))


def _local_assignments(module: Module, name: str, at: ast.AST) -> list[ast.expr]:
    function = module.enclosing(at, (ast.FunctionDef, ast.AsyncFunctionDef))
    if function is None:
        return []
    values: list[ast.expr] = []
    for node in ast.walk(function):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id == name:
                    values.append(node.value)
                elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                    for element, value in zip(target.elts, node.value.elts, strict=False):
                        if isinstance(element, ast.Name) and element.id == name:
                            values.append(value)
    return values


def names_of(index: SourceIndex, module: Module, node: ast.expr, at: ast.AST) -> list[tuple[object, ast.AST]]:
    """Every value `node` can have where it is used: [(value, the node that gave it)]."""
    if isinstance(node, ast.Name):
        found = _loop_values(index, module, node.id, at)
        if found:
            return found
        local = _local_assignments(module, node.id, at)
        if local:
            return [(index.literal(module, value), value) for value in local]
    return [(index.literal(module, node), node)]


def _definitions_at(
    index: SourceIndex, module: Module, name_node: ast.expr, call: ast.Call, kind: str
) -> Iterator[Definition]:
    documentation_node = keyword(call, "documentation", 1)
    try:
        documentation = index.literal(module, documentation_node) if documentation_node is not None else None
    except UnresolvedError:
        documentation = None
    deprecated = "deprecat" in ast.unparse(name_node).lower()
    for value, origin in names_of(index, module, name_node, call):
        if isinstance(value, str) and value.startswith(PREFIX):
            where = sorted({*conditions(module, call), *conditions(module, origin)})
            yield Definition(
                value,
                kind,
                documentation if isinstance(documentation, str) else None,
                module.path,
                call.lineno,
                tuple(where),
                deprecated,
            )


def _metadata_key(module: Module, call: ast.Call) -> ast.expr | None:
    """The metric name a metadata constructor is filed under (a dict key or a subscript target)."""
    parent = module.parent(call)
    if isinstance(parent, ast.Tuple):  # `definitions[K] = (Metadata(...))` parses without the tuple
        parent = module.parent(parent)
    if isinstance(parent, ast.Dict):
        for key, value in zip(parent.keys, parent.values, strict=True):
            if value is call:
                return key
    if isinstance(parent, ast.Assign) and isinstance(parent.targets[0], ast.Subscript):
        return parent.targets[0].slice
    return None


def module_definitions(index: SourceIndex, module: Module) -> tuple[list[Definition], list[dict[str, object]]]:
    definitions: list[Definition] = []
    unresolved: list[dict[str, object]] = []
    for node in ast.walk(module.tree):
        if not isinstance(node, ast.Call):
            continue
        kind = _prometheus_kind(module, node)
        name_node = keyword(node, "name", 0) if kind else None
        if kind is None and (match := _METADATA.search(call_name(node))):
            kind, name_node = match.group(1).lower(), _metadata_key(module, node)
        if kind is None or name_node is None:
            continue
        try:
            found = list(_definitions_at(index, module, name_node, node, kind))
        except UnresolvedError:
            found = []
            if kind in FACTORIES.values() or kind in PROMETHEUS_CLASSES.values():
                unresolved.append({"file": module.path, "line": node.lineno, "name": ast.unparse(name_node)})
        if found and kind not in PROMETHEUS_CLASSES.values():
            raise MetricError(f"{module.path}:{node.lineno}: {found[0].name} is a {kind}, which the extract lacks")
        definitions += found
    return definitions, unresolved


def exposed_series(name: str, kind: str) -> tuple[list[str], str]:
    """The series a PromQL query names, and the Cloud Monitoring type Managed Prometheus files them under.

    prometheus_client exposes a counter as `<name without _total>_total` and a histogram as `_bucket`,
    `_sum` and `_count`; Managed Prometheus types a series `prometheus.googleapis.com/<name>/<kind>`, a
    histogram once as a distribution under its base name.
    """
    if kind == "gauge":
        return [name], f"prometheus.googleapis.com/{name}/gauge"
    if kind == "counter":
        total = f"{name.removesuffix('_total')}_total"
        return [total], f"prometheus.googleapis.com/{total}/counter"
    return [f"{name}_bucket", f"{name}_sum", f"{name}_count"], f"prometheus.googleapis.com/{name}/histogram"


def extract_metrics(index: SourceIndex, package: str = "vllm") -> dict[str, object]:
    """{"metrics": [one entry per name, sorted], "unresolved": [constructors whose name is not literal]}."""
    by_name: dict[str, list[Definition]] = {}
    unresolved: list[dict[str, object]] = []
    for name in index.names():
        if name != package and not name.startswith(package + "."):
            continue
        text = index.text(name)
        if not any(marker in text for marker in _MARKERS):  # parse only what can define a metric
            continue
        found, missed = module_definitions(index, index.module(name))
        unresolved += missed
        for definition in found:
            by_name.setdefault(definition.name, []).append(definition)
    metrics = []
    for name in sorted(by_name):
        definitions = sorted(by_name[name], key=lambda d: (d.path, d.line))
        kinds = {d.kind for d in definitions}
        if len(kinds) > 1:
            sites = ", ".join(f"{d.path}:{d.line} ({d.kind})" for d in definitions)
            raise MetricError(f"{name} is defined with different types: {sites}")
        kind = kinds.pop()
        series, monitoring_type = exposed_series(name, kind)
        metrics.append(
            {
                "name": name,
                "type": kind,
                "documentation": next((d.documentation for d in definitions if d.documentation), None),
                "deprecated": any(d.deprecated for d in definitions),
                "hidden": any("show_hidden_metrics" in c for d in definitions for c in d.conditions),
                "definitions": [
                    {"file": d.path, "line": d.line, "conditions": list(d.conditions)} for d in definitions
                ],
                "series": series,
                "monitoring_type": monitoring_type,
            }
        )
    return {"metrics": metrics, "unresolved": sorted(unresolved, key=lambda u: (str(u["file"]), int(str(u["line"]))))}
