"""Custom resources in a graph checked against upstream CRD schemas (or documented fields)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import kubernetes_validate
import yaml
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
