"""Custom resources in a graph checked against upstream CRD schemas (or documented fields)."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import celpy
import kubernetes_validate
import yaml
from celpy import celtypes, evaluation
from jsonschema import Draft7Validator

from tools.graph import Registration
from tools.stack_config import PROJECT_ROOT, SECRET_PLACEHOLDER

# Byte-for-byte copies of the upstream CRDs (provenance in schemas/crds/SOURCES.md), kept in the repo
# so the suite runs anywhere; test_schemas checks them against the team's shared copy when present.
CRD_DIR = PROJECT_ROOT / "schemas" / "crds"
SHARED_CRD_DIR = PROJECT_ROOT.parent / "shared" / "schemas" / "crds"
# The oldest Kubernetes the cluster may run (GKE 1.34, the TPU7x floor): objects must be valid there.
KUBERNETES_VERSION = "1.34.0"

# GKE manages GCPDataSource (datalayer.gke.io/v1) and publishes no CRD; these are the fields of the
# GKE CRD reference (kubernetes-engine/docs/reference/crds/gcpdatasource), see shared/.../SOURCES.md.
DOCUMENTED_FIELDS: dict[tuple[str, str], dict[str, set[str]]] = {
    ("datalayer.gke.io/v1", "GCPDataSource"): {
        "spec": {"cloudStorage"},
        "spec.cloudStorage": {"uri", "serviceAccountName"},
    },
}


@cache
def crd_schemas(directory: Path = CRD_DIR) -> dict[tuple[str, str], dict[str, Any]]:
    """(apiVersion, kind) -> openAPIV3Schema for every served version of every CRD file."""
    schemas: dict[tuple[str, str], dict[str, Any]] = {}
    for path in sorted(directory.glob("*.yaml")):
        crd = yaml.safe_load(path.read_text(encoding="utf-8"))
        group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
        for version in crd["spec"]["versions"]:
            if version.get("served"):
                schemas[(f"{group}/{version['name']}", kind)] = version["schema"]["openAPIV3Schema"]
    return schemas


# API groups the Kubernetes API server serves itself; everything else comes from a CRD.
BUILT_IN_GROUPS = {
    "admissionregistration.k8s.io",
    "apiregistration.k8s.io",
    "apiextensions.k8s.io",
    "apps",
    "autoscaling",
    "batch",
    "certificates.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "events.k8s.io",
    "flowcontrol.apiserver.k8s.io",
    "networking.k8s.io",
    "node.k8s.io",
    "policy",
    "rbac.authorization.k8s.io",
    "resource.k8s.io",
    "scheduling.k8s.io",
    "storage.k8s.io",
}


def custom_resources(resources: list[Registration]) -> list[Registration]:
    """Kubernetes objects whose API group is served by a CustomResourceDefinition."""
    found = []
    for resource in resources:
        api_version = resource.inputs.get("apiVersion", "")
        custom = "/" in api_version and api_version.split("/")[0] not in BUILT_IN_GROUPS
        if resource.type.startswith("kubernetes:") and custom:
            found.append(resource)
    return found


def problems(resource: Registration) -> list[str]:
    """Schema violations of one custom resource; an unknown kind is itself a problem."""
    key = (resource.inputs["apiVersion"], resource.inputs["kind"])
    document = {k: resource.inputs[k] for k in ("apiVersion", "kind", "metadata", "spec") if k in resource.inputs}
    if key in DOCUMENTED_FIELDS:
        found = []
        for path, allowed in DOCUMENTED_FIELDS[key].items():
            node: Any = document
            for part in path.split("."):
                node = node.get(part, {}) if isinstance(node, dict) else {}
            found += [f"{path}.{extra}: not a documented field" for extra in sorted(set(node) - allowed)]
            found += [f"{path}.{missing}: missing" for missing in sorted(allowed - set(node))]
        return found
    schema = crd_schemas().get(key)
    if schema is None:
        return [f"no CRD schema and no documented field list for {key}"]
    return [
        f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in Draft7Validator(schema).iter_errors(document)
    ]


def built_in_objects(resources: list[Registration]) -> list[Registration]:
    """Kubernetes objects of the API server's own groups (everything but providers, custom resources
    and remote components such as a Helm v4 Chart, which render inside the provider)."""
    custom = {r.urn for r in custom_resources(resources)}
    return [r for r in resources if r.type.startswith("kubernetes:") and r.custom and r.urn not in custom]


def built_in_problems(resource: Registration) -> list[str]:
    """Violations of the strict upstream OpenAPI schema (unknown fields are violations).

    A field recorded masked (a secret) cannot be checked offline: a Secret's masked data is checked as
    an empty map (its keys are tested where the Secret is built), any other masked field is left out."""
    document = {k: v for k, v in resource.inputs.items() if v != SECRET_PLACEHOLDER or k in ("data", "stringData")}
    for key in ("data", "stringData"):
        if document.get("kind") == "Secret" and document.get(key) == SECRET_PLACEHOLDER:
            document[key] = {}
    try:
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as error:
        return [f"{'.'.join(map(str, error.path))}: {error.message}"]
    return []


# --- CEL rules (`x-kubernetes-validations`) -------------------------------------------------------
#
# The API server evaluates every CRD's CEL rules on create, after applying the schema's defaults;
# a rule that errors (a field it reads is absent) rejects the object, as does one that is false.
# cel-python (pinned in requirements-dev.txt) implements standard CEL; the Kubernetes library
# functions the vendored CRDs use beyond it are added below. A rule the library cannot evaluate
# (an unknown function, a type it cannot compare) is reported as such, never passed; a transition
# rule (one that reads `oldSelf`) applies only to updates and is listed apart.


@dataclass(frozen=True)
class CelReport:
    """The outcome of every CEL rule on one object: failures, rules not evaluated, transition rules."""

    violations: tuple[str, ...]
    unevaluated: tuple[str, ...]
    transition: tuple[str, ...]


def _split(value: Any, separator: Any, limit: Any = None) -> celtypes.ListType:
    """Kubernetes strings library `split` (cel-go ext.Strings): at most `limit` parts when given."""
    text, sep = str(value), str(separator)
    parts = text.split(sep) if limit is None or int(limit) < 0 else text.split(sep, max(int(limit) - 1, 0))
    return celtypes.ListType([celtypes.StringType(p) for p in parts])


def _is_url(value: Any) -> celtypes.BoolType:
    """Kubernetes URL library `isURL`: Go's url.Parse accepts it and it has a scheme."""
    parsed = urlparse(str(value))
    return celtypes.BoolType(bool(parsed.scheme) and " " not in str(value))


def _kind(value: Any) -> str:
    if isinstance(value, celtypes.BoolType):
        return "bool"
    if isinstance(value, celtypes.IntType | celtypes.UintType | celtypes.DoubleType):
        return "number"
    return type(value).__name__


def _equal(left: Any, right: Any) -> Any:
    """Heterogeneous equality, as Kubernetes' CEL has it: values of different kinds are unequal
    (an int-or-string port compared with 0), numbers compare by value; an error stays an error."""
    for side in (left, right):
        if isinstance(side, celpy.CELEvalError):
            return side
    if _kind(left) != _kind(right):
        return celtypes.BoolType(False)
    if _kind(left) == "number":
        return celtypes.BoolType(float(left) == float(right))
    return evaluation.bool_eq(left, right)


def _unequal(left: Any, right: Any) -> Any:
    result = _equal(left, right)
    return celtypes.BoolType(not result) if isinstance(result, celtypes.BoolType) else result


KUBERNETES_FUNCTIONS: dict[str, Any] = {"split": _split, "isURL": _is_url, "_==_": _equal, "_!=_": _unequal}


def _default(value: Any, schema: Mapping[str, Any]) -> Any:
    """The object as the API server stores it: each absent property with a `default` filled in."""
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        filled = dict(value)
        for name, sub in properties.items():
            if name not in filled and "default" in sub:
                filled[name] = copy.deepcopy(sub["default"])
        extra = schema.get("additionalProperties")
        return {
            k: _default(v, properties[k] if k in properties else extra if isinstance(extra, dict) else {})
            for k, v in filled.items()
        }
    if isinstance(value, list):
        return [_default(item, schema.get("items", {})) for item in value]
    return value


def _to_cel(value: Any, schema: Mapping[str, Any]) -> Any:
    """A value as Kubernetes types it for CEL: integers as int, `number` as double, strings with
    `format: duration` as durations, objects as maps (cel-go's structural type mapping)."""
    if isinstance(value, bool):
        return celtypes.BoolType(value)
    if isinstance(value, dict):
        properties, extra = schema.get("properties", {}), schema.get("additionalProperties")
        return celtypes.MapType(
            {
                celtypes.StringType(k): _to_cel(
                    v, properties[k] if k in properties else extra if isinstance(extra, dict) else {}
                )
                for k, v in value.items()
            }
        )
    if isinstance(value, list):
        return celtypes.ListType([_to_cel(item, schema.get("items", {})) for item in value])
    if isinstance(value, int | float) and schema.get("type") == "integer":
        return celtypes.IntType(int(value))
    if isinstance(value, int | float) and schema.get("type") == "number":
        return celtypes.DoubleType(float(value))
    if isinstance(value, str) and schema.get("format") == "duration":
        return celtypes.DurationType(value)
    return celpy.json_to_cel(value)


def _rules_at(value: Any, schema: Mapping[str, Any], path: str) -> Iterator[tuple[str, Any, Mapping[str, Any], dict]]:
    """(path, value, schema, rule) for every rule whose schema node the object has a value at."""
    for rule in schema.get("x-kubernetes-validations", []) or []:
        yield path, value, schema, rule
    if isinstance(value, dict):
        properties, extra = schema.get("properties", {}), schema.get("additionalProperties")
        for key, item in value.items():
            sub = properties.get(key, extra if isinstance(extra, dict) else None)
            if sub is not None:
                yield from _rules_at(item, sub, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _rules_at(item, schema.get("items", {}), f"{path}[{index}]")


@cache
def _program(rule: str) -> Any:
    environment = celpy.Environment()
    return environment.program(environment.compile(rule), functions=KUBERNETES_FUNCTIONS)


def _errors(result: Any) -> str:
    return " ".join(str(arg) for arg in getattr(result, "args", ()))


def cel_report(resource: Registration, schema: Mapping[str, Any] | None = None) -> CelReport:
    """Every CEL rule of the object's CRD (or of `schema`) evaluated on the defaulted object, as on create."""
    key = (resource.inputs["apiVersion"], resource.inputs["kind"])
    if key in DOCUMENTED_FIELDS:
        return CelReport((), (), ())  # no published CRD, so no CEL rules (see DOCUMENTED_FIELDS)
    schema = schema if schema is not None else crd_schemas().get(key)
    if schema is None:
        return CelReport((), (f"no CRD schema for {key}",), ())
    document = {k: resource.inputs[k] for k in ("apiVersion", "kind", "metadata", "spec") if k in resource.inputs}
    document = _default(document, schema)
    violations: list[str] = []
    unevaluated: list[str] = []
    transition: list[str] = []
    for path, value, node, rule in _rules_at(document, schema, ""):
        where = f"{path or '<root>'}: {rule['rule']}"
        if "oldSelf" in rule["rule"]:
            transition.append(where)
            continue
        try:
            result = _program(rule["rule"]).evaluate({"self": _to_cel(value, node)})
        except celpy.CELParseError as error:
            unevaluated.append(f"{where} (parse: {error})")
            continue
        except celpy.CELEvalError as error:
            result = error
        if isinstance(result, celtypes.BoolType):
            if not result:
                violations.append(f"{path or '<root>'}: {rule.get('message', rule['rule'])}")
        elif "no such member in mapping" in _errors(result) and "undeclared reference" not in _errors(result):
            # The API server rejects an object on which a rule errors: a field it reads is absent.
            violations.append(f"{path or '<root>'}: {rule.get('message', rule['rule'])} (reads an absent field)")
        else:
            unevaluated.append(f"{where} ({_errors(result)[:160]})")
    return CelReport(tuple(violations), tuple(unevaluated), tuple(transition))
