"""The edge: no CDN on inference, Cloud Armor on every backend, HTTPS and authentication in prod (issue 11)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    StackValidationArgs,
)

from .kubernetes import SERVICE, WORKLOADS, containers, pod_specs
from .metadata import (
    HIGH,
    LOW,
    MANDATORY,
    MEDIUM,
    PROD,
    get,
    has,
    items,
    resource_policy,
    stack_environment,
    stack_policy,
)

BACKEND_SERVICE = "gcp:compute/backendService:BackendService"
SECURITY_POLICY = "gcp:compute/securityPolicy:SecurityPolicy"
BACKEND_CONFIG = "kubernetes:cloud.google.com/v1:BackendConfig"
GCP_BACKEND_POLICY = "kubernetes:networking.gke.io/v1:GCPBackendPolicy"
GATEWAY = "kubernetes:gateway.networking.k8s.io/v1:Gateway"
HTTP_ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"
INFERENCE_POOL = "kubernetes:inference.networking.k8s.io/v1:InferencePool"
EXTERNAL_SCHEMES = {"EXTERNAL", "EXTERNAL_MANAGED"}
API_KEY_FLAG = "--api-key"
API_KEY_ENV = "VLLM_API_KEY"
DEFAULT_MIN_TIMEOUT_SEC = 300
# What may follow --api-key: a variable the kubelet expands, `$(NAME)`, or in a shell script one the
# shell expands, `${NAME}` / `$NAME` (quoted or not); never the key itself.
_KEY_REFERENCE = re.compile(r"^(\$\([A-Za-z_][A-Za-z0-9_]*\)|\$\{[A-Za-z_][A-Za-z0-9_]*\}|\$[A-Za-z_][A-Za-z0-9_]*)$")


def _no_cdn(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == BACKEND_SERVICE and get(args.props, "enableCdn") is True:
        report("enableCdn is true: completions are POSTs and per-user; a cache can only leak or miss.", None)
    if args.resource_type == BACKEND_CONFIG and get(args.props, "spec", "cdn", "enabled") is True:
        report("spec.cdn.enabled is true on an inference backend.", None)


def _cloud_armor(args: ResourceValidationArgs, report: ReportViolation) -> None:
    # The policy's name may be an output of the SecurityPolicy resource: presence decides.
    if args.resource_type == GCP_BACKEND_POLICY and not has(get(args.props, "spec", "default"), "securityPolicy"):
        report("spec.default.securityPolicy is not set: the backend has no Cloud Armor policy.", None)
    if (
        args.resource_type == BACKEND_SERVICE
        and get(args.props, "loadBalancingScheme", default="EXTERNAL") in EXTERNAL_SCHEMES
        and not has(args.props, "securityPolicy")
    ):
        report("an external backend service has no securityPolicy (Cloud Armor).", None)


def _rate_limited(args: ResourceValidationArgs, report: ReportViolation) -> None:
    actions = {get(rule, "action") for rule in items(get(args.props, "rules"))}
    if not actions & {"throttle", "rate_based_ban"}:
        report("no rule throttles or bans per client: one caller can exhaust the TPUs.", None)


def _timeout(args: ResourceValidationArgs, report: ReportViolation) -> None:
    minimum = int(args.get_config().get("minTimeoutSec", DEFAULT_MIN_TIMEOUT_SEC))
    timeout = get(args.props, "spec", "default", "timeoutSec")
    if timeout is None or int(timeout) < minimum:
        report(f"spec.default.timeoutSec is {timeout} (default 30); long generations need at least {minimum}.", None)


def _access_logging(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if get(args.props, "spec", "default", "logging", "enabled") is not True:
        report("spec.default.logging.enabled is not true: no request logs for analytics and SLOs.", None)


def _by_type(resources: list[PolicyResource], resource_type: str) -> list[PolicyResource]:
    return [r for r in resources if r.resource_type == resource_type]


def _name(resource: PolicyResource) -> Any:
    return get(resource.props, "metadata", "name")


def _https_in_prod(args: StackValidationArgs, report: ReportViolation) -> None:
    if stack_environment(args.resources) != PROD:
        return
    routes = _by_type(list(args.resources), HTTP_ROUTE)
    for gateway in _by_type(list(args.resources), GATEWAY):
        listeners = items(get(gateway.props, "spec", "listeners"))
        if not any(get(listener, "protocol") == "HTTPS" for listener in listeners):
            report("a prod Gateway has no HTTPS listener.", gateway.urn)
        plain = {get(listener, "name") for listener in listeners if get(listener, "protocol") == "HTTP"}
        for route in routes:
            for parent in items(get(route.props, "spec", "parentRefs")):
                if get(parent, "name") != _name(gateway):
                    continue
                section = get(parent, "sectionName")
                if plain and (section is None or section in plain) and not _redirects_to_https(route):
                    report("a route serves over a plain-HTTP listener; bind it to HTTPS or redirect.", route.urn)


def _redirects_to_https(route: PolicyResource) -> bool:
    rules = items(get(route.props, "spec", "rules"))
    return bool(rules) and all(
        not items(get(rule, "backendRefs"))
        and any(
            get(f, "type") == "RequestRedirect" and get(f, "requestRedirect", "scheme") == "https"
            for f in items(get(rule, "filters"))
        )
        for rule in rules
    )


def _selects(selector: Any, labels: Any) -> bool:
    if not isinstance(selector, Mapping) or not list(selector) or not isinstance(labels, Mapping):
        return False
    return all(get(labels, key) == get(selector, key) for key in selector)


def _requires_api_key(spec: Any) -> bool:
    for _, container in containers(spec):
        arguments = [str(a) for a in items(get(container, "args"))] + [str(a) for a in items(get(container, "command"))]
        if any(a == API_KEY_FLAG or a.startswith(API_KEY_FLAG + "=") or API_KEY_FLAG + " " in a for a in arguments):
            return True
        if any(get(env, "name") == API_KEY_ENV for env in items(get(container, "env"))):
            return True
    return False


def _key_values(arguments: list[str]) -> list[str]:
    """Every value given to --api-key in a container's argument list, shell scripts' words included."""
    values: list[str] = []
    for argument in arguments:
        if argument.startswith(API_KEY_FLAG + "="):
            values.append(argument.split("=", 1)[1])
        elif API_KEY_FLAG + " " in argument:  # a shell script: its words after the flag
            try:
                words = shlex.split(argument.split(API_KEY_FLAG + " ", 1)[1], posix=False)
            except ValueError:
                words = argument.split(API_KEY_FLAG + " ", 1)[1].split()
            for word in words:
                if word.startswith("-") or word in ("&&", ";", "||", "|"):
                    break
                values.append(word.strip("\"'"))
    for index, argument in enumerate(arguments):
        if argument == API_KEY_FLAG:
            for value in arguments[index + 1 :]:
                if value.startswith("-"):
                    break
                values.append(value)
    return values


def _api_key_by_reference(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for path, spec in pod_specs(args.resource_type, args.props):
        for where, container in containers(spec):
            arguments = [str(a) for a in items(get(container, "command"))] + [
                str(a) for a in items(get(container, "args"))
            ]
            if any(not _KEY_REFERENCE.match(value) for value in _key_values(arguments)):
                report(f"{path}.{where}: --api-key is given a literal value, not a variable from a Secret.", None)
            for env in items(get(container, "env")):
                name = str(get(env, "name", default=""))
                if (name == API_KEY_ENV or name.startswith(API_KEY_ENV + "_")) and has(env, "value"):
                    report(f"{path}.{where}: {name} has a literal value, not valueFrom.secretKeyRef.", None)


def _authenticated_routes(args: StackValidationArgs, report: ReportViolation) -> None:
    if stack_environment(args.resources) != PROD:
        return  # `none` authentication is allowed outside prod
    resources = list(args.resources)
    # A route's backend is a Service (global edge) or an InferencePool (the Inference Gateway): each
    # selects pods, and a GCPBackendPolicy on either can turn IAP on.
    backends = {("Service", _name(s)): get(s.props, "spec", "selector") for s in _by_type(resources, SERVICE)}
    backends |= {
        ("InferencePool", _name(p)): get(p.props, "spec", "selector", "matchLabels")
        for p in _by_type(resources, INFERENCE_POOL)
    }
    iap_backends = {
        (get(p.props, "spec", "targetRef", "kind"), get(p.props, "spec", "targetRef", "name"))
        for p in _by_type(resources, GCP_BACKEND_POLICY)
        if get(p.props, "spec", "default", "iap", "enabled") is True
    }
    for route in _by_type(resources, HTTP_ROUTE):
        for rule in items(get(route.props, "spec", "rules")):
            for ref in items(get(rule, "backendRefs")):
                name = get(ref, "name")
                key = (get(ref, "kind", default="Service"), name)
                if key in iap_backends:
                    continue
                selector = backends.get(key)
                guarded = any(
                    _selects(selector, get(r.props, *path.split(".")[:-1], "metadata", "labels"))
                    and _requires_api_key(spec)
                    for r in resources
                    for path, spec in pod_specs(r.resource_type, r.props)
                )
                if not guarded:
                    report(f"route backend {name} has neither IAP nor a server that requires an API key.", route.urn)


POLICIES = [
    resource_policy(
        "lb-no-cdn-on-inference",
        "No CDN in front of inference backends.",
        types={BACKEND_SERVICE, BACKEND_CONFIG},
        check=_no_cdn,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Set enableCdn = false (BackendService) / remove spec.cdn (BackendConfig).",
        tags=["gateway", "security"],
    ),
    resource_policy(
        "lb-cloud-armor-attached",
        "Every external backend has a Cloud Armor security policy.",
        types={BACKEND_SERVICE, GCP_BACKEND_POLICY},
        check=_cloud_armor,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Set spec.default.securityPolicy on each tier's GCPBackendPolicy to the Cloud Armor policy.",
        tags=["gateway", "security"],
    ),
    resource_policy(
        "lb-cloud-armor-rate-limit",
        "The Cloud Armor policy limits the request rate per client.",
        types={SECURITY_POLICY},
        check=_rate_limited,
        severity=MEDIUM,
        enforcement=MANDATORY,
        remediation="Add a rule with action 'throttle' (exceedAction 'deny(429)') keyed on the client IP or API key.",
        tags=["gateway", "security", "cost"],
    ),
    resource_policy(
        "lb-backend-timeout",
        "Backends allow long generations (GCPBackendPolicy timeoutSec, default 30 s, is raised).",
        types={GCP_BACKEND_POLICY},
        check=_timeout,
        severity=LOW,
        enforcement=MANDATORY,
        remediation="Set spec.default.timeoutSec from the tier's longest expected generation.",
        tags=["gateway", "reliability"],
        config_schema=PolicyConfigSchema(
            properties={"minTimeoutSec": {"type": "integer", "minimum": 30, "default": DEFAULT_MIN_TIMEOUT_SEC}}
        ),
    ),
    resource_policy(
        "lb-access-logging",
        "Backends log requests (sampled) for analytics and SLOs.",
        types={GCP_BACKEND_POLICY},
        check=_access_logging,
        severity=LOW,
        enforcement=MANDATORY,
        remediation="Set spec.default.logging {enabled: true, sampleRate: ...}.",
        tags=["gateway", "observability"],
    ),
    stack_policy(
        "lb-https-in-prod",
        "In prod every Gateway serves HTTPS, and plain HTTP only redirects to it.",
        check=_https_in_prod,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Configure llm-platform:gateway.domain (HTTPS with a managed certificate) and bind plain HTTP "
        "only to the redirect route.",
        tags=["gateway", "security"],
    ),
    resource_policy(
        "lb-api-key-by-reference",
        "A serving container's API keys come from a Secret: --api-key takes only variables, VLLM_API_KEY* only "
        "secretKeyRefs.",
        types=WORKLOADS,
        check=_api_key_by_reference,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Read each key from a Secret (env valueFrom.secretKeyRef) and pass it as --api-key $(VAR).",
        tags=["gateway", "security"],
    ),
    stack_policy(
        "lb-authenticated-routes",
        "In prod every route's backend (Service or InferencePool) requires authentication (IAP or the server's "
        "API key).",
        check=_authenticated_routes,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Use authentication mode apiKey (vLLM --api-key from a Secret) or iap (GCPBackendPolicy iap).",
        tags=["gateway", "security"],
    ),
]
