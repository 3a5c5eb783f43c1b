"""Routing by the OpenAI `model` field: the body-based router and the extension that calls it
(`llm-platform:gateway:BodyBasedRouter`).

GKE body-based routing (kubernetes-engine/docs/how-to/configure-body-based-routing): the regional load
balancer sends each request to an ext_proc service through a `GCPRoutingExtension` on the Gateway;
the service copies the JSON body's `model` into the `X-Gateway-Model-Name` header and clears the route
cache, and the HTTPRoute's header matches pick the tier. Pinned to the last release that ships it,
gateway-api-inference-extension v1.5.0 (`config/charts/body-based-routing`, image
`registry.k8s.io/gateway-api-inference-extension/bbr:v1.5.0`); its successor,
llm-d/llm-d-inference-payload-processor, has no release yet. Rendered for `provider.name=gke` with
`inferenceGateway.name` = this Gateway, except: only the `body-field-to-header` plugin (the
`base-model-to-header` plugin maps LoRA adapters from ConfigMaps, which this platform does not serve,
so the ConfigMap-reader Role goes too), a pinned pull policy, requests and a restricted security
context. A body without `model` leaves the header unset, and a body that is not JSON gets 400 from the
router (`pkg/bbr/handlers/request.go`); either way no route matches and the Gateway answers 404.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.base import PlatformComponent
from components.gateway.epp_manifests import POD_SECURITY_CONTEXT, SECURITY_CONTEXT

BBR_RELEASE = "v1.5.0"
BBR_IMAGE = f"registry.k8s.io/gateway-api-inference-extension/bbr:{BBR_RELEASE}"
ROUTER_NAME = "body-based-router"
MODEL_HEADER = "X-Gateway-Model-Name"
EXT_PROC_PORT = 9004
HEALTH_PORT = 9005
MODEL_PLUGIN = "body-field-to-header:model-extractor:" + json.dumps(
    {"fieldName": "model", "headerName": MODEL_HEADER}, separators=(",", ":")
)
LABELS = {"app": ROUTER_NAME, "app.kubernetes.io/part-of": "llm-platform", "app.kubernetes.io/managed-by": "pulumi"}


def router_args() -> list[str]:
    """`--streaming` matches the extension's FullDuplexStreamed body mode (the chart sets both)."""
    return ["--streaming", "--v", "3", "--plugin", MODEL_PLUGIN, "--tracing=false"]


def router_pod_spec(account: str, node_selector: dict[str, str]) -> k8s.core.v1.PodSpecArgs:
    namespace_env = k8s.core.v1.EnvVarArgs(
        name="NAMESPACE",
        value_from=k8s.core.v1.EnvVarSourceArgs(
            field_ref=k8s.core.v1.ObjectFieldSelectorArgs(field_path="metadata.namespace")
        ),
    )
    return k8s.core.v1.PodSpecArgs(
        service_account_name=account,
        node_selector=node_selector,
        security_context=POD_SECURITY_CONTEXT,
        containers=[
            k8s.core.v1.ContainerArgs(
                name="bbr",
                image=BBR_IMAGE,
                image_pull_policy="IfNotPresent",
                args=router_args(),
                env=[namespace_env],
                ports=[
                    k8s.core.v1.ContainerPortArgs(container_port=EXT_PROC_PORT),
                    k8s.core.v1.ContainerPortArgs(container_port=HEALTH_PORT),
                ],
                # The router's gRPC health server (cmd/bbr/runner/health.go) on its health port.
                readiness_probe=k8s.core.v1.ProbeArgs(
                    grpc=k8s.core.v1.GRPCActionArgs(port=HEALTH_PORT), period_seconds=5
                ),
                liveness_probe=k8s.core.v1.ProbeArgs(
                    grpc=k8s.core.v1.GRPCActionArgs(port=HEALTH_PORT), initial_delay_seconds=5, period_seconds=10
                ),
                resources=k8s.core.v1.ResourceRequirementsArgs(
                    requests={"cpu": "250m", "memory": "256Mi"}, limits={"cpu": "1", "memory": "512Mi"}
                ),
                security_context=SECURITY_CONTEXT,
            )
        ],
    )


def routing_extension_spec(gateway: str) -> dict[str, Any]:
    """The chart's `gke.yaml`: one chain, the router on request headers, body and trailers."""
    return {
        "targetRefs": [{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": gateway}],
        "extensionChains": [
            {
                "name": "chain1",
                "extensions": [
                    {
                        "name": "ext1",
                        "authority": "myext.com",
                        "timeout": "1s",
                        "supportedEvents": ["RequestHeaders", "RequestBody", "RequestTrailers"],
                        "requestBodySendMode": "FullDuplexStreamed",
                        "backendRef": {"group": "", "kind": "Service", "name": ROUTER_NAME, "port": EXT_PROC_PORT},
                    }
                ],
            }
        ],
    }


def router_health_check_spec(namespace: str) -> dict[str, Any]:
    return {
        "default": {
            "logConfig": {"enabled": True},
            "config": {"type": "GRPC", "grpcHealthCheck": {"portSpecification": "USE_FIXED_PORT", "port": HEALTH_PORT}},
        },
        "targetRef": {"group": "", "kind": "Service", "name": ROUTER_NAME, "namespace": namespace},
    }


@dataclass(frozen=True)
class BodyBasedRouterArgs:
    namespace: str
    gateway: str  # the Gateway's name
    node_selector: dict[str, str]
    provider: k8s.Provider


class BodyBasedRouter(PlatformComponent):
    def __init__(self, name: str, args: BodyBasedRouterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("gateway:BodyBasedRouter", name, opts)
        account = f"{ROUTER_NAME}-{ROUTER_NAME}"  # the chart's `<name>-<release>`
        meta = k8s.meta.v1.ObjectMetaArgs(name=ROUTER_NAME, namespace=args.namespace, labels=LABELS)
        on_cluster = self.child(provider=args.provider)
        self.service_account = k8s.core.v1.ServiceAccount(
            f"{name}-service-account",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=account, namespace=args.namespace, labels=LABELS),
            opts=on_cluster,
        )
        self.deployment = k8s.apps.v1.Deployment(
            f"{name}-deployment",
            metadata=meta,
            spec=k8s.apps.v1.DeploymentSpecArgs(
                replicas=1,
                selector=k8s.meta.v1.LabelSelectorArgs(match_labels={"app": ROUTER_NAME}),
                template=k8s.core.v1.PodTemplateSpecArgs(
                    metadata=k8s.meta.v1.ObjectMetaArgs(labels={"app": ROUTER_NAME}),
                    spec=router_pod_spec(account, args.node_selector),
                ),
            ),
            opts=self.child(depends_on=[self.service_account], provider=args.provider),
        )
        port = k8s.core.v1.ServicePortArgs(
            protocol="TCP", port=EXT_PROC_PORT, target_port=EXT_PROC_PORT, app_protocol="HTTP2"
        )
        self.service = k8s.core.v1.Service(
            f"{name}-service",
            metadata=meta,
            spec=k8s.core.v1.ServiceSpecArgs(type="ClusterIP", selector={"app": ROUTER_NAME}, ports=[port]),
            opts=self.child(depends_on=[self.deployment], provider=args.provider),
        )
        self.health_check_policy = self._custom(
            f"{name}-health-check",
            "HealthCheckPolicy",
            "bbr-healthcheck",
            router_health_check_spec(args.namespace),
            args,
        )
        self.extension = self._custom(
            f"{name}-extension", "GCPRoutingExtension", ROUTER_NAME, routing_extension_spec(args.gateway), args
        )
        self.ready: list[pulumi.Resource] = [self.service, self.health_check_policy, self.extension]
        self.register_outputs({"header": MODEL_HEADER})

    def _custom(
        self, resource: str, kind: str, name: str, spec: dict[str, Any], args: BodyBasedRouterArgs
    ) -> k8s.apiextensions.CustomResource:
        return k8s.apiextensions.CustomResource(
            resource,
            api_version="networking.gke.io/v1",
            kind=kind,
            metadata=k8s.meta.v1.ObjectMetaArgs(name=name, namespace=args.namespace, labels=LABELS),
            spec=spec,
            opts=self.child(depends_on=[self.service], provider=args.provider),
        )
