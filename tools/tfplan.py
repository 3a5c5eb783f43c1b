"""Export a recorded graph for plan-based scanners: Terraform plan JSON plus Kubernetes manifests.

pulumi-gcp is bridged from the Terraform Google provider, so each gcp resource is one Terraform
resource: the type token maps to the Terraform type (`TF_TYPES`, explicit so a new type is a
conscious addition), engine (camelCase) names map back to the SDK's snake_case names (read from the
SDK's own `pulumi.getter` names), nested objects become single-element lists (Terraform blocks),
lists of objects lists of blocks, and maps stay maps (read from the SDK's type annotations). Where
the bridge pluralised a Terraform block name (`allow` -> `allows`), `TF_RENAMES` gives it back.

The document follows `terraform show -json <plan>` (format 1.2): `planned_values`,
`resource_changes` (every resource a create) and `configuration`. Kubernetes objects are written as
one manifest per object. Secrets stay masked (and are marked sensitive), unknowns are marked unknown.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tools.graph import UNKNOWN_PLACEHOLDER, Registration, StackGraph
from tools.stack_config import SECRET_PLACEHOLDER

GOOGLE_PROVIDER = "registry.terraform.io/hashicorp/google"
TERRAFORM_VERSION = "1.9.8"
PLAN_FORMAT = "1.2"
TF_TYPES = {
    "gcp:artifactregistry/repository:Repository": "google_artifact_registry_repository",
    "gcp:bigquery/dataset:Dataset": "google_bigquery_dataset",
    "gcp:bigquery/datasetIamMember:DatasetIamMember": "google_bigquery_dataset_iam_member",
    "gcp:billing/budget:Budget": "google_billing_budget",
    "gcp:binaryauthorization/policy:Policy": "google_binary_authorization_policy",
    "gcp:certificatemanager/certificate:Certificate": "google_certificate_manager_certificate",
    "gcp:certificatemanager/certificateMap:CertificateMap": "google_certificate_manager_certificate_map",
    "gcp:certificatemanager/certificateMapEntry:CertificateMapEntry": (
        "google_certificate_manager_certificate_map_entry"
    ),
    "gcp:logging/projectSink:ProjectSink": "google_logging_project_sink",
    "gcp:lustre/instance:Instance": "google_lustre_instance",
    "gcp:monitoring/alertPolicy:AlertPolicy": "google_monitoring_alert_policy",
    "gcp:monitoring/customService:CustomService": "google_monitoring_custom_service",
    "gcp:monitoring/dashboard:Dashboard": "google_monitoring_dashboard",
    "gcp:monitoring/notificationChannel:NotificationChannel": "google_monitoring_notification_channel",
    "gcp:monitoring/slo:Slo": "google_monitoring_slo",
    "gcp:projects/iAMAuditConfig:IAMAuditConfig": "google_project_iam_audit_config",
    "gcp:projects/iAMCustomRole:IAMCustomRole": "google_project_iam_custom_role",
    "gcp:projects/serviceIdentity:ServiceIdentity": "google_project_service_identity",
    "gcp:pubsub/topic:Topic": "google_pubsub_topic",
    "gcp:pubsub/topicIAMMember:TopicIAMMember": "google_pubsub_topic_iam_member",
    "gcp:serviceaccount/iAMMember:IAMMember": "google_service_account_iam_member",
    "gcp:secretmanager/secretIamMember:SecretIamMember": "google_secret_manager_secret_iam_member",
    "gcp:compute/backendService:BackendService": "google_compute_backend_service",
    "gcp:compute/firewall:Firewall": "google_compute_firewall",
    "gcp:compute/globalAddress:GlobalAddress": "google_compute_global_address",
    "gcp:compute/address:Address": "google_compute_address",
    "gcp:compute/regionSecurityPolicy:RegionSecurityPolicy": "google_compute_region_security_policy",
    "gcp:certificatemanager/dnsAuthorization:DnsAuthorization": "google_certificate_manager_dns_authorization",
    "gcp:compute/network:Network": "google_compute_network",
    "gcp:compute/resourcePolicy:ResourcePolicy": "google_compute_resource_policy",
    "gcp:compute/router:Router": "google_compute_router",
    "gcp:compute/routerNat:RouterNat": "google_compute_router_nat",
    "gcp:compute/securityPolicy:SecurityPolicy": "google_compute_security_policy",
    "gcp:compute/subnetwork:Subnetwork": "google_compute_subnetwork",
    "gcp:container/cluster:Cluster": "google_container_cluster",
    "gcp:container/nodePool:NodePool": "google_container_node_pool",
    "gcp:projects/iAMMember:IAMMember": "google_project_iam_member",
    "gcp:projects/iAMBinding:IAMBinding": "google_project_iam_binding",
    "gcp:projects/service:Service": "google_project_service",
    "gcp:redis/instance:Instance": "google_redis_instance",
    "gcp:serviceaccount/account:Account": "google_service_account",
    "gcp:serviceaccount/key:Key": "google_service_account_key",
    "gcp:servicenetworking/connection:Connection": "google_service_networking_connection",
    "gcp:storage/bucket:Bucket": "google_storage_bucket",
    "gcp:storage/bucketIAMBinding:BucketIAMBinding": "google_storage_bucket_iam_binding",
    "gcp:storage/bucketIAMMember:BucketIAMMember": "google_storage_bucket_iam_member",
}
# Blocks whose Terraform name is singular but which the bridge pluralised (list blocks).
TF_RENAMES = {
    ("google_compute_firewall", "allows"): "allow",
    ("google_compute_firewall", "denies"): "deny",
    ("google_storage_bucket", "lifecycle_rules"): "lifecycle_rule",
    ("google_compute_subnetwork", "secondary_ip_ranges"): "secondary_ip_range",
    ("google_compute_router_nat", "subnetworks"): "subnetwork",
    ("google_compute_security_policy", "rules"): "rule",
    ("google_container_node_pool", "taints"): "taint",
    ("google_container_cluster", "taints"): "taint",
    ("google_project_iam_audit_config", "audit_log_configs"): "audit_log_config",
}
_ARGS_REF = re.compile(r"ForwardRef\('(\w+Args)'\)")


class UnmappedTypeError(LookupError):
    """A gcp type with no Terraform type in TF_TYPES."""


@dataclass(frozen=True)
class _Field:
    snake: str
    block: type | None  # the nested *Args class when the field is a block (or a list of blocks)
    is_map: bool


@functools.cache
def _sdk_class(type_token: str) -> type:
    module_path, class_name = type_token.split(":")[1].split("/")[0], type_token.rsplit(":", 1)[1]
    cls: type = getattr(importlib.import_module(f"pulumi_gcp.{module_path}"), class_name)
    return cls


@functools.cache
def _fields(cls: type) -> dict[str, _Field]:
    """camelCase engine name -> field, from the SDK class's getters and parameter annotations."""
    module = importlib.import_module(cls.__module__.rsplit(".", 1)[0])
    init = cls._internal_init if hasattr(cls, "_internal_init") else cls.__init__  # type: ignore[misc]
    parameters = inspect.signature(init).parameters
    found: dict[str, _Field] = {}
    for attribute in dir(cls):
        getter = getattr(cls, attribute, None)
        name = getattr(getattr(getter, "fget", None), "_pulumi_name", None)
        if not isinstance(getter, property) or name is None or attribute not in parameters:
            continue
        annotation = str(parameters[attribute].annotation)
        refs = _ARGS_REF.findall(annotation)
        block = getattr(module, refs[0], None) if refs else None
        is_map = block is None and "Mapping[str" in annotation
        found[name] = _Field(attribute, block, is_map)
    return found


def _tf_value(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _convert(cls: type | None, tf_type: str, inputs: dict[str, Any]) -> tuple[dict[str, Any], Any, Any]:
    """(values, sensitive marks, unknown marks) of one object, Terraform-shaped."""
    fields = _fields(cls) if cls is not None else {}
    values: dict[str, Any] = {}
    sensitive: dict[str, Any] = {}
    unknown: dict[str, Any] = {}
    for camel, value in inputs.items():
        field = fields.get(camel) or _Field(re.sub(r"(?<!^)(?=[A-Z])", "_", camel).lower(), None, False)
        name = TF_RENAMES.get((tf_type, field.snake), field.snake) if cls is not None else field.snake
        if value == SECRET_PLACEHOLDER:
            values[name], sensitive[name] = value, True
        elif value == UNKNOWN_PLACEHOLDER:
            unknown[name] = True
        elif field.block is not None and isinstance(value, dict):
            inner, inner_sensitive, inner_unknown = _convert(field.block, tf_type, value)
            values[name], sensitive[name], unknown[name] = [inner], [inner_sensitive], [inner_unknown]
        elif field.block is not None and isinstance(value, list):
            converted = [_convert(field.block, tf_type, v) if isinstance(v, dict) else (v, False, False) for v in value]
            values[name] = [c[0] for c in converted]
            sensitive[name] = [c[1] for c in converted]
            unknown[name] = [c[2] for c in converted]
        else:
            values[name] = (
                {k: _tf_value(v) for k, v in value.items()}
                if isinstance(value, dict)
                else [_tf_value(v) for v in value]
                if isinstance(value, list)
                else _tf_value(value)
            )
    return values, sensitive, unknown


def _address_names(resources: list[Registration]) -> dict[str, str]:
    """URN -> a Terraform resource name, unique per type (the Pulumi name, made a valid identifier)."""
    names: dict[str, str] = {}
    taken: set[tuple[str, str]] = set()
    for resource in sorted(resources, key=lambda r: r.urn):
        base = re.sub(r"[^A-Za-z0-9_-]", "_", resource.name)
        base = base if re.match(r"[A-Za-z_]", base) else f"r_{base}"
        name, index = base, 1
        while (resource.type, name) in taken:
            index += 1
            name = f"{base}_{index}"
        taken.add((resource.type, name))
        names[resource.urn] = name
    return names


def _expressions(values: dict[str, Any], references: dict[str, str]) -> dict[str, Any]:
    """Configuration expressions: a value that is another resource's id becomes a reference to it."""

    def expression(value: Any) -> Any:
        if isinstance(value, str) and value in references:
            return {"references": [f"{references[value]}.id", references[value]]}
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            return [{k: expression(v) for k, v in item.items()} for item in value]
        return {"constant_value": value}

    return {name: expression(value) for name, value in values.items()}


def terraform_plan(graph: StackGraph) -> dict[str, Any]:
    """The gcp resources of `graph` as a `terraform show -json` plan document."""
    gcp_resources = [r for r in graph.resources if r.custom and r.type.startswith("gcp:")]
    unmapped = sorted({r.type for r in gcp_resources} - set(TF_TYPES))
    if unmapped:
        raise UnmappedTypeError(f"no Terraform type known for {', '.join(unmapped)} (add it to TF_TYPES)")
    names = _address_names(gcp_resources)
    by_urn = {r.urn: r for r in gcp_resources}
    planned, changes, configured = [], [], []
    for resource in sorted(gcp_resources, key=lambda r: r.urn):
        tf_type = TF_TYPES[resource.type]
        address = f"{tf_type}.{names[resource.urn]}"
        values, sensitive, unknown = _convert(_sdk_class(resource.type), tf_type, resource.inputs)
        # The recorded id of a dependency (the mocks' `<name>-id`) stands for a reference to it.
        references = {
            f"{by_urn[d].name}-id": f"{TF_TYPES[by_urn[d].type]}.{names[d]}"
            for d in resource.dependencies
            if d in by_urn
        }
        common = {"address": address, "mode": "managed", "type": tf_type, "name": names[resource.urn]}
        planned.append(
            {
                **common,
                "provider_name": GOOGLE_PROVIDER,
                "schema_version": 0,
                "values": values,
                "sensitive_values": sensitive,
            }
        )
        changes.append(
            {
                **common,
                "provider_name": GOOGLE_PROVIDER,
                "change": {
                    "actions": ["create"],
                    "before": None,
                    "after": values,
                    "after_unknown": unknown,
                    "before_sensitive": False,
                    "after_sensitive": sensitive,
                },
            }
        )
        configured.append(
            {
                **common,
                "provider_config_key": "google",
                "expressions": _expressions(values, references),
                "schema_version": 0,
            }
        )
    return {
        "format_version": PLAN_FORMAT,
        "terraform_version": TERRAFORM_VERSION,
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {"google": {"name": "google", "full_name": GOOGLE_PROVIDER}},
            "root_module": {"resources": configured},
        },
    }


def kubernetes_manifests(graph: StackGraph) -> dict[str, str]:
    """File name -> YAML manifest for every Kubernetes object (secret fields left out, as no file holds them)."""
    manifests: dict[str, str] = {}
    for resource in sorted(graph.resources, key=lambda r: r.urn):
        if not resource.custom or not resource.type.startswith("kubernetes:"):
            continue
        document = {k: v for k, v in resource.inputs.items() if v != SECRET_PLACEHOLDER}
        document = json.loads(json.dumps(document), parse_float=lambda s: _tf_value(float(s)))
        kind = str(document.get("kind", "object")).lower()
        metadata = document.get("metadata", {})
        stem = "-".join(str(p) for p in (kind, metadata.get("namespace"), metadata.get("name") or resource.name) if p)
        file_name = f"{stem}.yaml"
        index = 1
        while file_name in manifests:
            index += 1
            file_name = f"{stem}-{index}.yaml"
        manifests[file_name] = yaml.safe_dump(document, sort_keys=True)
    return manifests


def export(graph: StackGraph, directory: Path) -> tuple[Path, Path]:
    """Write `tfplan.json` and `kubernetes/*.yaml` under `directory`; returns both paths."""
    directory.mkdir(parents=True, exist_ok=True)
    plan = directory / "tfplan.json"
    plan.write_text(json.dumps(terraform_plan(graph), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    manifests = directory / "kubernetes"
    manifests.mkdir(exist_ok=True)
    for stale in manifests.glob("*.yaml"):
        stale.unlink()
    for name, text in kubernetes_manifests(graph).items():
        (manifests / name).write_text(text, encoding="utf-8")
    return plan, manifests


CHECKOV_FRAMEWORKS = ("terraform_plan", "kubernetes")
CHECKOV_OPTIONS = ("-o", "json", "--quiet", "--compact", "--skip-download")
CHECKOV_SKIPS = Path(__file__).with_name("checkov_skips.yaml")


@dataclass(frozen=True)
class CheckovFailure:
    check_id: str
    resource: str
    name: str


def checkov_executable(root: Path) -> Path:
    """The pinned Checkov in its own virtualenv (it cannot share one with pulumi: `packaging` pins clash)."""
    return root / ".venv-checkov" / "bin" / "checkov"


def _failed_checks(executable: Path, directory: Path) -> list[dict[str, Any]]:
    """Checkov's failed checks on everything under `directory` (plan JSON and manifests), offline."""
    import subprocess

    result = subprocess.run(
        [str(executable), "-d", str(directory), "--framework", *CHECKOV_FRAMEWORKS, *CHECKOV_OPTIONS],
        capture_output=True,
        text=True,
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE"},  # no look-ups of Prisma Cloud guidelines
        check=False,
    )
    if result.returncode not in (0, 1):
        raise RuntimeError(f"checkov failed ({result.returncode}):\n{result.stderr[-2000:]}")
    reports = json.loads(result.stdout) if result.stdout.strip().startswith(("[", "{")) else []
    reports = reports if isinstance(reports, list) else [reports]
    return [f for report in reports for f in report.get("results", {}).get("failed_checks", [])]


def _failures(checks: list[dict[str, Any]]) -> list[CheckovFailure]:
    return sorted(
        {CheckovFailure(f["check_id"], f["resource"], f["check_name"]) for f in checks},
        key=lambda f: (f.check_id, f.resource),
    )


def run_checkov(executable: Path, directory: Path) -> list[CheckovFailure]:
    """Checkov's failed checks on an export directory (plan JSON and manifests), offline."""
    return _failures(_failed_checks(executable, directory))


def run_checkov_per_folder(executable: Path, root: Path) -> dict[str, list[CheckovFailure]]:
    """One Checkov run over several export directories (`root/<name>/`), its failures per directory:
    Checkov's start-up costs more than its checks."""
    checks = _failed_checks(executable, root)
    folders = sorted(path.name for path in root.iterdir() if path.is_dir())
    return {
        folder: _failures([f for f in checks if f["file_path"].lstrip("/").split("/", 1)[0] == folder])
        for folder in folders
    }


def load_skips(path: Path = CHECKOV_SKIPS) -> dict[str, dict[str, Any]]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def is_skipped(failure: CheckovFailure, skips: dict[str, dict[str, Any]]) -> bool:
    entry = skips.get(failure.check_id)
    return entry is not None and ("resources" not in entry or failure.resource in entry["resources"])
