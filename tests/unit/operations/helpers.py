"""Checks on generated monitoring definitions: Google's discovery schemas, PromQL, the metric allow-list;
and the scope the definitions' tests generate for."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import googleapiclient
import promql_parser
from jsonschema import Draft7Validator

from components.operations.metrics import ALLOWED_METRIC_TYPES, PROMQL_SERIES
from components.operations.scope import Scope, TierView

DISCOVERY_DIR = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"
METRIC_TYPE = re.compile(r'metric\.type\s*=\s*"([^"]+)"')

SCOPE = Scope(
    cluster="llm-prod-gke",
    namespace="llm-serving",
    port=8000,
    tiers=(
        TierView("large", "meta-llama/Llama-3.1-405B-Instruct-FP8", "2x2x2", multi_host=True),
        TierView("small", "meta-llama/Llama-3.1-8B-Instruct", "1x1x1", multi_host=False),
    ),
)


@cache
def discovery(api: str) -> dict[str, Any]:
    return dict(json.loads((DISCOVERY_DIR / f"{api}.json").read_text(encoding="utf-8")))


def _convert(node: dict[str, Any]) -> dict[str, Any]:
    """A discovery-document schema as JSON Schema; unknown fields are errors."""
    if "$ref" in node:
        return {"$ref": f"#/definitions/{node['$ref']}"}
    kind = node.get("type", "any")
    if kind == "object":
        schema: dict[str, Any] = {"type": "object"}
        if "properties" in node:
            schema["properties"] = {k: _convert(v) for k, v in node["properties"].items()}
        extra = node.get("additionalProperties")
        schema["additionalProperties"] = _convert(extra) if extra else "properties" not in node
        return schema
    if kind == "array":
        return {"type": "array", "items": _convert(node.get("items", {}))}
    if kind == "any":
        return {}
    schema = {"type": kind}
    if "enum" in node:
        schema["enum"] = node["enum"]
    return schema


def schema_problems(api: str, root: str, document: Any) -> list[str]:
    """Violations of `root` in the API's discovery document, plus deprecated fields and enum values."""
    schemas = discovery(api)["schemas"]
    validator = Draft7Validator(
        {"$ref": f"#/definitions/{root}", "definitions": {n: _convert(s) for n, s in schemas.items()}}
    )
    problems = [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]
    return problems + _deprecated(schemas, root, document, root)


def _deprecated(schemas: dict[str, Any], name: str, value: Any, path: str) -> list[str]:
    found: list[str] = []
    properties = schemas[name].get("properties", {})
    if not isinstance(value, dict):
        return found
    for key, item in value.items():
        spec = properties.get(key, {})
        where = f"{path}.{key}"
        if spec.get("deprecated"):
            found.append(f"{where}: deprecated")
        enum = spec.get("enum", [])
        if "enumDeprecated" in spec and item in enum and spec["enumDeprecated"][enum.index(item)]:
            found.append(f"{where}: {item} is deprecated")
        ref = spec.get("$ref") or spec.get("items", {}).get("$ref")
        if ref:
            for element in item if isinstance(item, list) else [item]:
                found += _deprecated(schemas, ref, element, where)
    return found


def promql_metric_types(query: str) -> set[str]:
    """The metric types a PromQL query reads; raises ValueError if it does not parse. Unknown
    series names come back as `unknown:<name>` so a typo shows up against the allow-list."""
    names: list[str] = []

    def visit(node: Any) -> None:
        if isinstance(node, promql_parser.VectorSelector):
            names.append(str(node.name))

    promql_parser.walk(promql_parser.parse(query), visit)
    return {PROMQL_SERIES.get(name, f"unknown:{name}") for name in names}


def filter_metric_types(monitoring_filter: str) -> set[str]:
    return set(METRIC_TYPE.findall(monitoring_filter))


def dashboard_metric_types(document: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    for tile in document["mosaicLayout"]["tiles"]:
        for data_set in tile["widget"].get("xyChart", {}).get("dataSets", []):
            query = data_set["timeSeriesQuery"]
            if "prometheusQuery" in query:
                found |= promql_metric_types(query["prometheusQuery"])
            for part in (query.get("timeSeriesFilter"), *query.get("timeSeriesFilterRatio", {}).values()):
                if part:
                    found |= filter_metric_types(part["filter"])
    return found


def not_allowed(metric_types: set[str]) -> set[str]:
    return metric_types - ALLOWED_METRIC_TYPES
