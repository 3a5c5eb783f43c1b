"""The LLM inference platform: composes the components for one stack.

All decisions live in `components/`; this file only wires them together and exports.
"""

import pulumi
import pulumi_gcp as gcp

from components.config import load_platform_config
from components.model_bucket import ModelBucket, ModelBucketArgs
from components.naming import Naming
from components.network import Network, NetworkArgs
from components.project_services import ProjectServices, ProjectServicesArgs, required_services
from components.workload_identity import WorkloadIdentity, WorkloadIdentityArgs

config = load_platform_config()
naming = Naming(stack=pulumi.get_stack(), environment=config.environment, extra_labels=config.labels)

services = ProjectServices("services", ProjectServicesArgs(project=config.project, services=required_services()))
after_apis = pulumi.ResourceOptions(depends_on=services.resources)

network = Network(
    "network",
    NetworkArgs(
        project=config.project,
        region=config.region,
        naming=naming,
        config=config.network,
        serving_port=config.serving.port,
    ),
    after_apis,
)
model_bucket = ModelBucket(
    "models",
    ModelBucketArgs(
        project=config.project,
        region=config.region,
        naming=naming,
        config=config.model_bucket,
        protect=config.protect,
    ),
    after_apis,
)
project = gcp.organizations.get_project_output(
    project_id=config.project, opts=pulumi.InvokeOutputOptions(depends_on=services.resources)
)
identity = WorkloadIdentity(
    "identity",
    WorkloadIdentityArgs(
        project=config.project,
        project_number=project.number,
        namespace=config.serving.namespace,
        service_account=config.serving.service_account,
        model_bucket=model_bucket.name,
    ),
    after_apis,
)

pulumi.export("network", network.network_name)
pulumi.export("modelBucket", model_bucket.url)
pulumi.export("servingNamespace", identity.namespace)
pulumi.export("servingServiceAccount", identity.service_account)
pulumi.export("servingPrincipal", identity.principal)
