"""Run the real policy pack against a recorded graph, the way the Pulumi engine runs it.

The engine starts a Python pack as `python -u -m pulumi.policy <engine address> <pack dir>` (the
module ships in the `pulumi` SDK: it parses both arguments, then runs the pack's `__main__.py`,
whose `PolicyPack(...)` binds 127.0.0.1:0, prints the port and blocks). It then speaks the Analyzer
gRPC protocol: GetAnalyzerInfo, GetPluginInfo, Configure (the policy config, every policy's
resolved enforcement level and properties), Analyze for each resource (type, properties, URN,
name, options, provider) and AnalyzeStack with every resource's parent and dependencies.

What the engine gives the pack, and nothing else, is what this runner gives it:
- properties marshalled with unknowns and secrets kept (`MarshalOptions{KeepUnknowns, KeepSecrets}`):
  an unknown is the string sentinel `rpc.UNKNOWN`; a secret is `{sig: secret, value: <plaintext>}`.
  Offline there is no plaintext, so the value is the recording's placeholder `[secret]`.
- the environment: PULUMI_PROJECT, PULUMI_STACK, PULUMI_DRY_RUN, PULUMI_CONFIG (the stack's config).
  The Python pack never dials the engine address, so the runner passes one nothing listens on.

Not recorded, so not sent: customTimeouts, deleteBeforeReplace, additionalSecretOutputs and
propertyDependencies; AnalyzeStack gets the inputs where the engine would send the resources' outputs
(for every field the policies read, the bridged and Kubernetes providers echo the input).
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import grpc
import jsonschema
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime import rpc
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from tools.graph import UNKNOWN_PLACEHOLDER, Registration, StackGraph
from tools.stack_config import PROJECT_ROOT, SECRET_PLACEHOLDER

POLICY_PACK_DIR = PROJECT_ROOT / "policies"
# The Python pack parses the engine's address but never connects to it (pulumi/policy/__main__.py).
UNUSED_ENGINE_ADDRESS = "127.0.0.1:1"
STARTUP_TIMEOUT_S = 60
LEVELS = {
    "advisory": analyzer_pb2.ADVISORY,
    "mandatory": analyzer_pb2.MANDATORY,
    "remediate": analyzer_pb2.REMEDIATE,
    "disabled": analyzer_pb2.DISABLED,
}
LEVEL_NAMES = {value: name for name, value in LEVELS.items()}
SEVERITY_NAMES = {
    analyzer_pb2.POLICY_SEVERITY_UNSPECIFIED: "unspecified",
    analyzer_pb2.POLICY_SEVERITY_LOW: "low",
    analyzer_pb2.POLICY_SEVERITY_MEDIUM: "medium",
    analyzer_pb2.POLICY_SEVERITY_HIGH: "high",
    analyzer_pb2.POLICY_SEVERITY_CRITICAL: "critical",
}
CANT_RUN_MARKER = "during preview:"  # the pack's advisory when a policy touched an unknown value


class PolicyConfigError(ValueError):
    """The policy config file names an unknown policy, level or property."""


@dataclass(frozen=True)
class Violation:
    policy: str
    level: str
    severity: str
    message: str
    urn: str


@dataclass
class PolicyReport:
    violations: list[Violation] = field(default_factory=list)
    not_run: list[Violation] = field(default_factory=list)  # policies that met an unknown value

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.level == "mandatory"]

    @property
    def advisory(self) -> list[Violation]:
        return [v for v in self.violations if v.level == "advisory"]

    def by_policy(self, name: str) -> list[Violation]:
        return [v for v in self.violations if v.policy == name]


# --- what goes on the wire ---------------------------------------------------------------------


def engine_value(value: Any) -> Any:
    """A recorded input as the engine marshals it for an analyzer."""
    if value == SECRET_PLACEHOLDER:
        return {rpc._special_sig_key: rpc._special_secret_sig, "value": SECRET_PLACEHOLDER}
    if value == UNKNOWN_PLACEHOLDER:
        return rpc.UNKNOWN
    if isinstance(value, Mapping):
        return {k: engine_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [engine_value(v) for v in value]
    return value


def _struct(properties: Mapping[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(engine_value(properties))
    return struct


def _stack_urn(graph: StackGraph, project: str) -> str:
    return f"urn:pulumi:{graph.stack}::{project}::pulumi:pulumi:Stack::{project}-{graph.stack}"


@functools.cache
def _package_version(package: str) -> str:
    try:
        return metadata.version(f"pulumi_{package}")
    except metadata.PackageNotFoundError:
        return "0.0.0"


@dataclass(frozen=True)
class _Provider:
    urn: str
    type: str
    name: str
    properties: dict[str, Any]


class _Wire:
    """Turns one recorded graph into the engine's analyzer messages."""

    def __init__(self, graph: StackGraph, project: str, stack_config: Mapping[str, str] | None) -> None:
        self.graph = graph
        self.project = project
        self.stack_config = dict(stack_config or {})
        self.by_urn = {r.urn: r for r in graph.resources}
        self.root = _stack_urn(graph, project)

    def _parent(self, resource: Registration) -> str:
        return resource.parent or self.root

    def provider(self, resource: Registration) -> _Provider | None:
        if not resource.custom or resource.type.startswith("pulumi:providers:"):
            return None
        if resource.provider and resource.provider in self.by_urn:
            explicit = self.by_urn[resource.provider]
            return _Provider(explicit.urn, explicit.type, explicit.name, explicit.inputs)
        # The engine's default provider for the package, configured from the stack's `<package>:` keys.
        package = resource.type.split(":", 1)[0]
        version = _package_version(package)
        name = f"default_{version.replace('.', '_')}"
        properties: dict[str, Any] = {"version": version}
        for key, value in self.stack_config.items():
            if key.startswith(f"{package}:"):
                properties[key.split(":", 1)[1]] = value
        urn = f"urn:pulumi:{self.graph.stack}::{self.project}::pulumi:providers:{package}::{name}"
        return _Provider(urn, f"pulumi:providers:{package}", name, properties)

    def _alias_urn(self, resource: Registration, alias: Mapping[str, Any]) -> str:
        if "urn" in alias:
            return str(alias["urn"])
        spec = alias.get("spec", {})
        name = spec.get("name", resource.name)
        type_ = spec.get("type", resource.type)
        return f"urn:pulumi:{spec.get('stack', self.graph.stack)}::{spec.get('project', self.project)}::{type_}::{name}"

    def options(self, resource: Registration) -> analyzer_pb2.AnalyzerResourceOptions:
        return analyzer_pb2.AnalyzerResourceOptions(
            protect=resource.protect,
            ignoreChanges=resource.ignoreChanges,
            aliases=[self._alias_urn(resource, a) for a in resource.aliases],
            parent=self._parent(resource),
        )

    def _provider_message(self, resource: Registration) -> analyzer_pb2.AnalyzerProviderResource | None:
        provider = self.provider(resource)
        if provider is None:
            return None
        return analyzer_pb2.AnalyzerProviderResource(
            type=provider.type, properties=_struct(provider.properties), urn=provider.urn, name=provider.name
        )

    def analyze_request(self, resource: Registration) -> analyzer_pb2.AnalyzeRequest:
        request = analyzer_pb2.AnalyzeRequest(
            type=resource.type,
            properties=_struct(resource.inputs),
            urn=resource.urn,
            name=resource.name,
            options=self.options(resource),
        )
        provider = self._provider_message(resource)
        if provider is not None:
            request.provider.CopyFrom(provider)
        return request

    def stack_request(self) -> analyzer_pb2.AnalyzeStackRequest:
        resources = [
            analyzer_pb2.AnalyzerResource(
                type="pulumi:pulumi:Stack",
                properties=_struct({}),
                urn=self.root,
                name=f"{self.project}-{self.graph.stack}",
                options=analyzer_pb2.AnalyzerResourceOptions(),
            )
        ]
        default_providers: dict[str, _Provider] = {}
        for resource in self.graph.resources:
            message = analyzer_pb2.AnalyzerResource(
                type=resource.type,
                properties=_struct(resource.inputs),
                urn=resource.urn,
                name=resource.name,
                options=self.options(resource),
                parent=self._parent(resource),
                dependencies=resource.dependencies,
            )
            provider = self.provider(resource)
            if provider is not None:
                message.provider.CopyFrom(self._provider_message(resource))
                if provider.urn not in self.by_urn:
                    default_providers[provider.urn] = provider
            resources.append(message)
        for provider in default_providers.values():  # the engine's default providers are in the snapshot too
            resources.append(
                analyzer_pb2.AnalyzerResource(
                    type=provider.type,
                    properties=_struct(provider.properties),
                    urn=provider.urn,
                    name=provider.name,
                    options=analyzer_pb2.AnalyzerResourceOptions(),
                )
            )
        return analyzer_pb2.AnalyzeStackRequest(resources=resources)


# --- the pack process --------------------------------------------------------------------------


class PolicyPackProcess:
    """The real pack in a subprocess, started as the engine starts it; share one per session."""

    def __init__(self, pack_dir: Path = POLICY_PACK_DIR, env: Mapping[str, str] | None = None) -> None:
        self.pack_dir = pack_dir
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the process)
        self.process = subprocess.Popen(
            [sys.executable, "-u", "-m", "pulumi.policy", UNUSED_ENGINE_ADDRESS, str(pack_dir)],
            cwd=pack_dir,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env={**os.environ, **(env or {})},
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().decode().strip()
        if not line.isdigit():
            self._stop()  # all of its stderr is written once it has ended
            error = self.stderr()
            self._stderr.close()
            raise RuntimeError(f"the policy pack did not print its port (got {line!r}):\n{error}")
        self.port = int(line)
        self.channel = grpc.insecure_channel(f"127.0.0.1:{self.port}")
        grpc.channel_ready_future(self.channel).result(timeout=STARTUP_TIMEOUT_S)
        self.stub = analyzer_pb2_grpc.AnalyzerStub(self.channel)
        self._info: analyzer_pb2.AnalyzerInfo | None = None
        self._configured: str | None = None

    def stderr(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")

    def info(self) -> analyzer_pb2.AnalyzerInfo:
        if self._info is None:
            self._info = self.stub.GetAnalyzerInfo(empty_pb2.Empty())
        return self._info

    def plugin_version(self) -> str:
        return str(self.stub.GetPluginInfo(empty_pb2.Empty()).version)

    def configure(self, config: Mapping[str, Any] | None = None) -> None:
        """Send every policy's resolved level and properties, as the engine does before analyzing
        (once per distinct config: the pack keeps the last one it was sent)."""
        key = json.dumps(config or {}, sort_keys=True)
        if key == self._configured:
            return
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, (level, properties) in resolve_config(self.info(), config or {}).items():
            entry = request.policyConfig[name]
            entry.enforcementLevel = LEVELS[level]
            entry.properties.update(properties)
        self.stub.Configure(request)
        self._configured = key

    def only(self, *names: str) -> dict[str, str]:
        """A policy config that runs only `names`, each at its own level: the pack then reads the
        graph once per named stack policy instead of once per stack policy."""
        levels = {p.name: LEVEL_NAMES[p.enforcementLevel] for p in self.info().policies}
        unknown = sorted(set(names) - set(levels))
        if unknown:
            raise PolicyConfigError(f"unknown policies: {', '.join(unknown)}")
        return {"all": "disabled", **{name: levels[name] for name in names}}

    def analyze(self, wire: _Wire, resource: Registration) -> analyzer_pb2.AnalyzeResponse:
        return self.stub.Analyze(wire.analyze_request(resource))

    def close(self) -> None:
        self._stop()
        self._stderr.close()

    def _stop(self) -> None:
        if getattr(self, "channel", None) is not None:
            self.channel.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()

    def __enter__(self) -> PolicyPackProcess:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def resolve_config(info: analyzer_pb2.AnalyzerInfo, config: Mapping[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Every policy's (level, properties) from a Pulumi policy config document.

    The document maps `all` or a policy name to a level (`"mandatory"`) or to an object with
    `enforcementLevel` and the policy's properties; properties are validated against the policy's
    config schema, and defaults from the schema are filled in.
    """
    policies = {p.name: p for p in info.policies}
    unknown = sorted(set(config) - set(policies) - {"all"})
    if unknown:
        raise PolicyConfigError(f"policy config names unknown policies: {', '.join(unknown)}")

    def split(value: Any, where: str) -> tuple[str | None, dict[str, Any]]:
        if isinstance(value, str):
            return value, {}
        if isinstance(value, Mapping):
            properties = {k: v for k, v in value.items() if k != "enforcementLevel"}
            return value.get("enforcementLevel"), properties
        raise PolicyConfigError(f"{where}: expected a level or an object, got {value!r}")

    default_level, _ = split(config.get("all"), "all") if "all" in config else (None, {})
    resolved: dict[str, tuple[str, dict[str, Any]]] = {}
    for name, policy in policies.items():
        level, properties = split(config[name], name) if name in config else (None, {})
        level = level or default_level or LEVEL_NAMES[policy.enforcementLevel]
        if level not in LEVELS:
            raise PolicyConfigError(f"{name}: enforcement level {level!r} (allowed: {', '.join(LEVELS)})")
        schema = json_format.MessageToDict(policy.configSchema.properties)
        for key, spec in schema.items():
            if "default" in spec and key not in properties:
                properties[key] = spec["default"]
        document_schema = {"type": "object", "properties": schema, "additionalProperties": False}
        try:
            jsonschema.validate(properties, document_schema)
        except jsonschema.ValidationError as error:
            raise PolicyConfigError(f"{name}: {error.message}") from None
        resolved[name] = (level, properties)
    return resolved


def _violations(response: analyzer_pb2.AnalyzeResponse, urn: str) -> Iterable[tuple[bool, Violation]]:
    for diagnostic in response.diagnostics:
        violation = Violation(
            policy=diagnostic.policyName,
            level=LEVEL_NAMES.get(diagnostic.enforcementLevel, "advisory"),
            severity=SEVERITY_NAMES.get(diagnostic.severity, "unspecified"),
            message=diagnostic.message,
            urn=diagnostic.urn or urn,
        )
        yield CANT_RUN_MARKER in diagnostic.message and "can't run policy" in diagnostic.message, violation


def run_policies(
    pack: PolicyPackProcess,
    graph: StackGraph,
    *,
    project: str = "llm-platform",
    config: Mapping[str, Any] | None = None,
    stack_config: Mapping[str, str] | None = None,
    resources: Iterable[Registration] | None = None,
    analyze_stack: bool | None = None,
) -> PolicyReport:
    """Configure the pack, Analyze every resource (or only `resources`), then AnalyzeStack (by default
    only when every resource was analyzed, as the engine does at the end of a preview)."""
    pack.configure(config)
    wire = _Wire(graph, project, stack_config)
    report = PolicyReport()
    for resource in graph.resources if resources is None else resources:
        for cant_run, violation in _violations(pack.analyze(wire, resource), resource.urn):
            (report.not_run if cant_run else report.violations).append(violation)
    if resources is None if analyze_stack is None else analyze_stack:
        for cant_run, violation in _violations(pack.stub.AnalyzeStack(wire.stack_request()), ""):
            (report.not_run if cant_run else report.violations).append(violation)
    return report


def engine_environment(project: str, stack: str, stack_config: Mapping[str, str]) -> dict[str, str]:
    """The environment the engine starts a policy pack with (a preview: dry run)."""
    return {
        "PULUMI_PROJECT": project,
        "PULUMI_STACK": stack,
        "PULUMI_DRY_RUN": "true",
        "PULUMI_CONFIG": json.dumps(dict(stack_config), sort_keys=True),
    }


def format_report(report: PolicyReport, stack: str, pack: str = "") -> str:
    lines = [f"policy pack {pack + ' ' if pack else ''}run on stack {stack}:"]
    for title, group in (
        ("mandatory", report.mandatory),
        ("advisory", report.advisory),
        ("could not run (unknown during preview)", report.not_run),
    ):
        lines.append(f"\n{title}: {len(group)}")
        for violation in sorted(group, key=lambda v: (v.policy, v.urn)):
            lines.append(f"  [{violation.severity}] {violation.policy}  {violation.urn or '(stack)'}")
            for text in violation.message.splitlines()[1:] or violation.message.splitlines():
                lines.append(f"      {text}")
    verdict = "FAILED: mandatory policy violations" if report.mandatory else "passed every mandatory policy"
    lines.append(f"\n{verdict}")
    return "\n".join(lines)
