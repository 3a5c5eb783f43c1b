"""Creation order on a brand-new project: for every resource type, what must exist before it.

A first `pulumi up` creates everything at once, in the order the graph's dependencies allow and in
no other: a resource whose Google API, service agent, grant or host is not upstream of it races it,
and fails (or waits until its timeout) on a fresh project, then passes on the second run. `RULES`
holds, per resource type, the APIs it needs (each API's `gcp:projects/service:Service` must be
upstream) and the resources that must be created first, each rule with its source. The stack policy
`stack-creation-order` walks every resource's dependencies, through its provider and transitively,
and reports each prerequisite that is not upstream. Every type in every stack has a rule (the tests
hold it), so a new type is reviewed before it lands.

Parents are not followed: the engine creates a child as soon as its own dependencies are ready.
Values a first preview cannot know are judged leniently (`_same`): a value computed from another
resource's output already depends on that resource.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import PolicyResource, ReportViolation, StackValidationArgs

from .metadata import HIGH, MANDATORY, UNKNOWN, items, known, stack_policy

SERVICE = "gcp:projects/service:Service"
SERVICE_IDENTITY = "gcp:projects/serviceIdentity:ServiceIdentity"
PROJECT_IAM_MEMBER = "gcp:projects/iAMMember:IAMMember"
BUCKET_IAM_MEMBER = "gcp:storage/bucketIAMMember:BucketIAMMember"
TOPIC_IAM_MEMBER = "gcp:pubsub/topicIAMMember:TopicIAMMember"
DATASET_IAM_MEMBER = "gcp:bigquery/datasetIamMember:DatasetIamMember"
SERVICE_ACCOUNT_IAM_MEMBER = "gcp:serviceaccount/iAMMember:IAMMember"
SECRET_IAM_MEMBER = "gcp:secretmanager/secretIamMember:SecretIamMember"
IAM_MEMBERS = (
    PROJECT_IAM_MEMBER,
    BUCKET_IAM_MEMBER,
    TOPIC_IAM_MEMBER,
    DATASET_IAM_MEMBER,
    SERVICE_ACCOUNT_IAM_MEMBER,
    SECRET_IAM_MEMBER,
)
CLUSTER = "gcp:container/cluster:Cluster"
NODE_POOL = "gcp:container/nodePool:NodePool"
CONNECTION = "gcp:servicenetworking/connection:Connection"
NAMESPACE = "kubernetes:core/v1:Namespace"
BOOTSTRAP_APIS = ("cloudresourcemanager.googleapis.com", "serviceusage.googleapis.com")

# A Workload Identity Federation member: `principal[Set]://.../workloadIdentityPools/P.svc.id.goog/...`
# or the older `serviceAccount:P.svc.id.goog[ns/ksa]`.
WORKLOAD_POOL = re.compile(r"\.svc\.id\.goog\b")
# A per-project Google service agent: `serviceAccount:service-NUMBER@<agent domain>.iam.gserviceaccount.com`.
SERVICE_AGENT = re.compile(r"^serviceAccount:service-\d+@([a-z0-9-]+)\.iam\.gserviceaccount\.com$")

Match = Callable[[PolicyResource, PolicyResource], bool]  # (candidate upstream, the resource judged)


def _value(resource: PolicyResource, *path: str | int) -> Any:
    return known(resource.props, *path)


def _same(a: Any, b: Any) -> bool:
    """Equal, or not yet known (a value computed from an output depends on its resource anyway)."""
    return a is UNKNOWN or b is UNKNOWN or a == b


def _any(candidate: PolicyResource, subject: PolicyResource) -> bool:
    return True


def _named_by(field: str, *path: str) -> Match:
    """A candidate whose `field` is what the judged resource names at `path`."""
    return lambda candidate, subject: _same(_value(candidate, field), _value(subject, *path))


def _sets(*path: str) -> Callable[[PolicyResource], bool]:
    return lambda resource: _value(resource, *path) is not None


@dataclass(frozen=True)
class Prerequisite:
    """A resource that must be upstream: of `type`, matching `match`.

    `if_in_stack`: required only when the stack creates such a resource (a namespace the stack does
    not own, say, is someone else's to order)."""

    what: str
    type: str
    match: Match = _any
    if_in_stack: bool = False


@dataclass(frozen=True)
class Rule:
    type: str
    source: str
    apis: tuple[str, ...] = ()
    after: tuple[Prerequisite, ...] | Callable[[PolicyResource], tuple[Prerequisite, ...]] = ()
    when: Callable[[PolicyResource], bool] = field(default=lambda resource: True)

    def prerequisites(self, resource: PolicyResource) -> tuple[Prerequisite, ...]:
        after = self.after(resource) if callable(self.after) else self.after
        return (*(api(name) for name in self.apis), *after)


def api(name: str) -> Prerequisite:
    return Prerequisite(name, SERVICE, lambda candidate, _: _value(candidate, "service") == name)


# --- the Google service agents a grant can name, and what brings each into being -----------------
def _agent(service: str, name: str) -> Prerequisite:
    return Prerequisite(
        f"the {name} service agent (ServiceIdentity {service})",
        SERVICE_IDENTITY,
        lambda candidate, _: _value(candidate, "service") == service,
    )


AGENT_ORIGINS: dict[str, Prerequisite] = {
    "gcp-sa-lustre": _agent("lustre.googleapis.com", "Managed Lustre"),
    "service-networking": _agent("servicenetworking.googleapis.com", "Service Networking"),
    "gcp-sa-monitoring-notification": _agent("monitoring.googleapis.com", "Cloud Monitoring notification"),
    "gcp-sa-artifactregistry": _agent("artifactregistry.googleapis.com", "Artifact Registry"),
    # A project sink's writer identity is the Logging agent, which the sink's creation returns.
    "gcp-sa-logging": Prerequisite("the log sink whose writer identity it is", "gcp:logging/projectSink:ProjectSink"),
}


def agent_origin(resource: PolicyResource) -> tuple[Prerequisite, ...]:
    domain = agent_domain(resource) or ""
    unknown = Prerequisite(f"an origin for the agent domain {domain!r} (add it to AGENT_ORIGINS)", "(none)")
    return (AGENT_ORIGINS.get(domain, unknown),)


def names_workload_pool(resource: PolicyResource) -> bool:
    member = _value(resource, "member")
    return isinstance(member, str) and WORKLOAD_POOL.search(member) is not None


def agent_domain(resource: PolicyResource) -> Any:
    """The agent domain of a grant to a service agent; None for other members; UNKNOWN if not known yet."""
    member = _value(resource, "member")
    if member is UNKNOWN:
        return UNKNOWN
    found = SERVICE_AGENT.match(member) if isinstance(member, str) else None
    return found.group(1) if found else None


def _grants(role: str, what: str, type_: str = PROJECT_IAM_MEMBER) -> Prerequisite:
    return Prerequisite(what, type_, lambda candidate, _: _value(candidate, "role") == role)


def _metadata_name(resource: PolicyResource) -> Any:
    return _value(resource, "metadata", "name")


def _pod_spec(resource: PolicyResource) -> Any:
    """The pod template of a Deployment, or an LWS's worker template (leader and workers share nodes)."""
    spec = known(resource.props, "spec", "template", "spec")
    if spec is None:
        spec = known(resource.props, "spec", "leaderWorkerTemplate", "workerTemplate", "spec")
    return spec if isinstance(spec, Mapping) else {}


def _tpu_selector(resource: PolicyResource) -> Mapping[str, Any]:
    selector = known(_pod_spec(resource), "nodeSelector")
    return selector if isinstance(selector, Mapping) and has_tpu(selector) else {}


def has_tpu(selector: Mapping[str, Any]) -> bool:
    return any(key == "cloud.google.com/gke-tpu-accelerator" for key in selector)


def _pool_hosts(candidate: PolicyResource, subject: PolicyResource) -> bool:
    """A TPU node pool whose node labels satisfy the pod's own (non-GKE) selector labels."""
    machine = _value(candidate, "nodeConfig", "machineType")
    if not (isinstance(machine, str) and machine.startswith("tpu")):
        return False
    labels = _value(candidate, "nodeConfig", "labels")
    labels = labels if isinstance(labels, Mapping) else {}
    selector = _tpu_selector(subject)
    return all(
        _same(labels.get(key), value) for key, value in selector.items() if not key.startswith("cloud.google.com/")
    )


def _in_namespace(candidate: PolicyResource, subject: PolicyResource) -> bool:
    return _same(_metadata_name(candidate), _value(subject, "metadata", "namespace"))


def _csi_driver(resource: PolicyResource) -> Any:
    return _value(resource, "spec", "csi", "driver")


# Which aggregated API serves each HPA metric type (Resource metrics come with GKE's metrics-server).
METRICS_APIS = {
    "Pods": "custom.metrics.k8s.io",
    "Object": "custom.metrics.k8s.io",
    "External": "external.metrics.k8s.io",
}


def _serves(group: str) -> Prerequisite:
    return Prerequisite(
        f"the APIService of {group}",
        "kubernetes:apiregistration.k8s.io/v1:APIService",
        lambda candidate, _: _same(_value(candidate, "spec", "group"), group),
    )


def metrics_apis(resource: PolicyResource) -> tuple[Prerequisite, ...]:
    kinds = {known(metric, "type") for metric in items(_value(resource, "spec", "metrics"))}
    return tuple(_serves(group) for group in sorted({METRICS_APIS[kind] for kind in kinds if kind in METRICS_APIS}))


def _runs(command: str) -> Callable[[PolicyResource], bool]:
    def runs(resource: PolicyResource) -> bool:
        containers = items(_value(resource, "spec", "template", "spec", "containers"))
        return any(
            command in str(part)
            for container in containers
            for part in items(known(container, "command")) + items(known(container, "args"))
        )

    return runs


def _bucket_of_uri(uri: Any) -> Any:
    return uri.removeprefix("gs://").split("/", 1)[0] if isinstance(uri, str) else uri


K8S_NODES = Prerequisite(
    "a node pool the Kubernetes provider waits for (through the provider's dependencies)", NODE_POOL
)
K8S_NAMESPACE = Prerequisite("the Namespace it lives in", NAMESPACE, _in_namespace, if_in_stack=True)
K8S_SOURCE = (
    "pulumi-kubernetes awaits a workload's readiness, which no pod reaches before a node pool can host it "
    "(https://www.pulumi.com/registry/packages/kubernetes/api-docs/apps/v1/deployment/); the API server "
    "refuses an object in a namespace that does not exist yet "
    "(https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/)"
)


def _after(type_: str, source: str, *after: Prerequisite, **options: Any) -> Rule:
    return Rule(type_, source, after=after, **options)


KUBERNETES_TYPES = (
    NAMESPACE,
    "kubernetes:core/v1:Secret",
    "kubernetes:core/v1:Service",
    "kubernetes:core/v1:ServiceAccount",
    "kubernetes:core/v1:PersistentVolume",
    "kubernetes:core/v1:PersistentVolumeClaim",
    "kubernetes:policy/v1:PodDisruptionBudget",
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
    "kubernetes:storage.k8s.io/v1:StorageClass",
    "kubernetes:cloud.google.com/v1:ComputeClass",
    "kubernetes:helm.sh/v4:Chart",
    "kubernetes:apps/v1:Deployment",
    "kubernetes:batch/v1:Job",
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    "kubernetes:apiregistration.k8s.io/v1:APIService",
    "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet",
    "kubernetes:gateway.networking.k8s.io/v1:Gateway",
    "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
    "kubernetes:networking.gke.io/v1:GCPBackendPolicy",
    "kubernetes:networking.gke.io/v1:HealthCheckPolicy",
    "kubernetes:monitoring.googleapis.com/v1:PodMonitoring",
    "kubernetes:datalayer.gke.io/v1:GCPDataSource",
)


IAM_SOURCE = "the API rejects a grant to a principal that does not exist yet (`Service account ... does not exist`)"

RULES: tuple[Rule, ...] = (
    # --- project and identity -----------------------------------------------------------------
    Rule(
        SERVICE,
        "Enabling an API goes through Service Usage and reads the project through Cloud Resource Manager "
        "(terraform-provider-google #6101, #11435, #16883)",
        apis=BOOTSTRAP_APIS,
        when=lambda r: _value(r, "service") not in BOOTSTRAP_APIS,
    ),
    Rule(
        SERVICE_IDENTITY,
        "services.generateServiceIdentity is a Service Usage call for an enabled service "
        "(https://cloud.google.com/service-usage/docs/reference/rest/v1beta1/services/generateServiceIdentity)",
        apis=("serviceusage.googleapis.com",),
        after=(
            Prerequisite(
                "the Service enabling its own API",
                SERVICE,
                _named_by("service", "service"),
            ),
        ),
    ),
    Rule(
        "gcp:serviceaccount/account:Account", "iam.googleapis.com serves service accounts", apis=("iam.googleapis.com",)
    ),
    Rule(
        "gcp:projects/iAMCustomRole:IAMCustomRole",
        "iam.googleapis.com serves custom roles",
        apis=("iam.googleapis.com",),
    ),
    Rule(
        "gcp:projects/iAMAuditConfig:IAMAuditConfig",
        "a project IAM policy change is a Cloud Resource Manager call",
        apis=("cloudresourcemanager.googleapis.com",),
    ),
    *(
        Rule(type_, f"{IAM_SOURCE}: {api_name} serves the grant", apis=(api_name,))
        for type_, api_name in (
            (PROJECT_IAM_MEMBER, "cloudresourcemanager.googleapis.com"),
            (BUCKET_IAM_MEMBER, "storage.googleapis.com"),
            (TOPIC_IAM_MEMBER, "pubsub.googleapis.com"),
            (DATASET_IAM_MEMBER, "bigquery.googleapis.com"),
            (SERVICE_ACCOUNT_IAM_MEMBER, "iam.googleapis.com"),
            (SECRET_IAM_MEMBER, "secretmanager.googleapis.com"),
        )
    ),
    *(
        Rule(
            type_,
            "The pool PROJECT.svc.id.goog exists only once a cluster with Workload Identity exists "
            "(googleforgames/global-multiplayer-demo#39, terraform-google-kubernetes-engine#916, PR #301)",
            after=(Prerequisite("the cluster that creates the Workload Identity pool", CLUSTER),),
            when=names_workload_pool,
        )
        for type_ in IAM_MEMBERS
    ),
    *(
        Rule(
            type_,
            "A service agent exists only once its service creates it: a grant to one that is assumed "
            "fails on a fresh project (https://cloud.google.com/iam/docs/service-agents; "
            "terraform-provider-google #14720); AGENT_ORIGINS says what brings each agent into being",
            after=lambda r: agent_origin(r),
            when=lambda r: isinstance(agent_domain(r), str),
        )
        for type_ in IAM_MEMBERS
    ),
    # --- network --------------------------------------------------------------------------------
    *(
        Rule(type_, "compute.googleapis.com serves it", apis=("compute.googleapis.com",))
        for type_ in (
            "gcp:compute/network:Network",
            "gcp:compute/firewall:Firewall",
            "gcp:compute/globalAddress:GlobalAddress",
            "gcp:compute/router:Router",
            "gcp:compute/routerNat:RouterNat",
            "gcp:compute/subnetwork:Subnetwork",
            "gcp:compute/securityPolicy:SecurityPolicy",
            "gcp:compute/resourcePolicy:ResourcePolicy",
        )
    ),
    Rule(
        CONNECTION,
        "The connection peers the reserved range and needs the Service Networking agent with "
        "roles/servicenetworking.serviceAgent on a fresh project (terraform-provider-google #14720, #11195; "
        "cloud-foundation-fabric #1399)",
        apis=("servicenetworking.googleapis.com",),
        after=(
            Prerequisite(
                "its reserved peering range",
                "gcp:compute/globalAddress:GlobalAddress",
                lambda candidate, subject: (
                    _value(candidate, "purpose") == "VPC_PEERING"
                    and any(
                        _same(_value(candidate, "name"), r) for r in items(_value(subject, "reservedPeeringRanges"))
                    )
                ),
            ),
            _grants("roles/servicenetworking.serviceAgent", "the Service Networking agent's role"),
        ),
    ),
    # --- GKE --------------------------------------------------------------------------------------
    Rule(
        CLUSTER,
        "GKE needs the Compute and GKE APIs, its subnetwork, and a node account able to write logs and "
        "metrics (https://cloud.google.com/kubernetes-engine/docs/how-to/hardening-your-cluster)",
        apis=("container.googleapis.com", "compute.googleapis.com"),
        after=(
            Prerequisite("its subnetwork", "gcp:compute/subnetwork:Subnetwork"),
            _grants("roles/container.defaultNodeServiceAccount", "the node account's GKE role"),
        ),
    ),
    Rule(
        CLUSTER,
        "Admission from the first pod: the project's Binary Authorization policy is in place before "
        "the cluster that enforces it starts anything "
        "(https://cloud.google.com/binary-authorization/docs/policy-yaml-reference)",
        apis=("binaryauthorization.googleapis.com",),
        after=(Prerequisite("the Binary Authorization policy", "gcp:binaryauthorization/policy:Policy"),),
        when=lambda r: _value(r, "binaryAuthorization", "evaluationMode") == "PROJECT_SINGLETON_POLICY_ENFORCE",
    ),
    Rule(
        CLUSTER,
        "Image streaming needs the Container File System API "
        "(https://cloud.google.com/kubernetes-engine/docs/how-to/image-streaming)",
        apis=("containerfilesystem.googleapis.com",),
        when=lambda r: _value(r, "nodePoolDefaults", "nodeConfigDefaults", "gcfsConfig", "enabled") is True,
    ),
    Rule(
        NODE_POOL,
        "A pool joins its cluster; nodes whose account lacks roles/container.defaultNodeServiceAccount "
        "cannot write logs and metrics "
        "(https://docs.cloud.google.com/kubernetes-engine/security/configure-node-service-accounts)",
        apis=("container.googleapis.com", "compute.googleapis.com"),
        after=(
            Prerequisite("its cluster", CLUSTER),
            _grants("roles/container.defaultNodeServiceAccount", "the node account's GKE role"),
        ),
    ),
    Rule(
        NODE_POOL,
        "A multi-host TPU slice names its workload policy, which must exist "
        "(https://cloud.google.com/kubernetes-engine/docs/how-to/tpus)",
        after=(
            Prerequisite(
                "the workload policy it names",
                "gcp:compute/resourcePolicy:ResourcePolicy",
                _named_by("name", "placementPolicy", "policyName"),
            ),
        ),
        when=lambda r: isinstance(_value(r, "placementPolicy", "policyName"), str),
    ),
    Rule(
        "gcp:binaryauthorization/policy:Policy",
        "binaryauthorization.googleapis.com serves it",
        apis=("binaryauthorization.googleapis.com",),
    ),
    Rule(
        "pulumi:providers:kubernetes",
        "The kubeconfig names the cluster's endpoint, and objects that schedule pods need nodes "
        "(https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl)",
        after=(Prerequisite("the cluster", CLUSTER), Prerequisite("a node pool", NODE_POOL)),
    ),
    Rule(
        "pulumi:providers:gcp",
        "An explicit Google provider only configures calls; the resources that use it carry their own rules",
    ),
    # --- storage ------------------------------------------------------------------------------------
    Rule("gcp:storage/bucket:Bucket", "storage.googleapis.com serves it", apis=("storage.googleapis.com",)),
    Rule(
        "gcp:lustre/instance:Instance",
        "Managed Lustre is reached through private services access (https://docs.cloud.google.com/managed-lustre/docs/vpc)",
        apis=("lustre.googleapis.com",),
        after=(Prerequisite("the private services connection", CONNECTION),),
    ),
    Rule(
        "gcp:parallelstore/instance:Instance",
        "Parallelstore is reached through private services access (https://cloud.google.com/parallelstore/docs/vpc)",
        apis=("parallelstore.googleapis.com",),
        after=(Prerequisite("the private services connection", CONNECTION),),
    ),
    # --- serving registry, edge and operations -------------------------------------------------------
    Rule(
        "gcp:artifactregistry/repository:Repository",
        "artifactregistry.googleapis.com serves it",
        apis=("artifactregistry.googleapis.com",),
    ),
    Rule(
        "gcp:artifactregistry/repository:Repository",
        "A remote repository reads its upstream password as the Artifact Registry service agent, which "
        "needs roles/secretmanager.secretAccessor on the secret "
        "(https://cloud.google.com/artifact-registry/docs/repositories/configure-remote-auth-dockerhub)",
        after=(
            _grants(
                "roles/secretmanager.secretAccessor", "the agent's access to the upstream secret", SECRET_IAM_MEMBER
            ),
        ),
        when=_sets(
            "remoteRepositoryConfig", "upstreamCredentials", "usernamePasswordCredentials", "passwordSecretVersion"
        ),
    ),
    *(
        Rule(type_, "certificatemanager.googleapis.com serves it", apis=("certificatemanager.googleapis.com",))
        for type_ in (
            "gcp:certificatemanager/certificate:Certificate",
            "gcp:certificatemanager/certificateMap:CertificateMap",
        )
    ),
    Rule(
        "gcp:certificatemanager/certificateMapEntry:CertificateMapEntry",
        "An entry joins an existing map and serves an existing certificate "
        "(https://cloud.google.com/certificate-manager/docs/maps)",
        apis=("certificatemanager.googleapis.com",),
        after=(
            Prerequisite(
                "its certificate map",
                "gcp:certificatemanager/certificateMap:CertificateMap",
                _named_by("name", "map"),
            ),
            Prerequisite("its certificate", "gcp:certificatemanager/certificate:Certificate"),
        ),
    ),
    Rule(
        "gcp:redis/instance:Instance",
        "A PRIVATE_SERVICE_ACCESS instance is placed in the peered range "
        "(https://cloud.google.com/memorystore/docs/redis/networking)",
        apis=("redis.googleapis.com",),
        after=(Prerequisite("the private services connection", CONNECTION),),
        when=lambda r: _value(r, "connectMode") == "PRIVATE_SERVICE_ACCESS",
    ),
    Rule("gcp:redis/instance:Instance", "redis.googleapis.com serves it", apis=("redis.googleapis.com",)),
    *(
        Rule(type_, "monitoring.googleapis.com serves it", apis=("monitoring.googleapis.com",))
        for type_ in (
            "gcp:monitoring/alertPolicy:AlertPolicy",
            "gcp:monitoring/customService:CustomService",
            "gcp:monitoring/dashboard:Dashboard",
            "gcp:monitoring/notificationChannel:NotificationChannel",
        )
    ),
    Rule(
        "gcp:monitoring/slo:Slo",
        "An SLO belongs to an existing service "
        "(https://cloud.google.com/monitoring/api/ref_v3/rest/v3/services.serviceLevelObjectives/create)",
        apis=("monitoring.googleapis.com",),
        after=(
            Prerequisite(
                "its service",
                "gcp:monitoring/customService:CustomService",
                _named_by("serviceId", "service"),
            ),
        ),
    ),
    Rule("gcp:pubsub/topic:Topic", "pubsub.googleapis.com serves it", apis=("pubsub.googleapis.com",)),
    Rule("gcp:bigquery/dataset:Dataset", "bigquery.googleapis.com serves it", apis=("bigquery.googleapis.com",)),
    Rule(
        "gcp:logging/projectSink:ProjectSink",
        "logging.googleapis.com serves it; the destination must exist "
        "(https://cloud.google.com/logging/docs/export/configure_export_v2)",
        apis=("logging.googleapis.com",),
        after=(Prerequisite("its BigQuery dataset", "gcp:bigquery/dataset:Dataset"),),
        when=lambda r: str(_value(r, "destination")).startswith("bigquery.googleapis.com/"),
    ),
    Rule("gcp:logging/projectSink:ProjectSink", "logging.googleapis.com serves it", apis=("logging.googleapis.com",)),
    Rule(
        "gcp:billing/budget:Budget",
        "Billing publishes as billing-budget-alert@system.gserviceaccount.com, which needs "
        "roles/pubsub.publisher on the topic; the API adds it only when the caller may set the topic's "
        "IAM policy (https://cloud.google.com/billing/docs/how-to/budgets-programmatic-notifications)",
        apis=("billingbudgets.googleapis.com",),
        after=(_grants("roles/pubsub.publisher", "the topic's publisher grant to Billing", TOPIC_IAM_MEMBER),),
        when=_sets("allUpdatesRule", "pubsubTopic"),
    ),
    Rule(
        "gcp:billing/budget:Budget", "billingbudgets.googleapis.com serves it", apis=("billingbudgets.googleapis.com",)
    ),
    Rule("random:index/randomPassword:RandomPassword", "generated locally: no API, nothing before it"),
    # --- Kubernetes -----------------------------------------------------------------------------------
    *(Rule(type_, K8S_SOURCE, after=(K8S_NODES, K8S_NAMESPACE)) for type_ in KUBERNETES_TYPES),
    *(
        _after(
            type_,
            "A TPU workload's pods stay Pending until a TPU pool with their labels exists "
            "(https://cloud.google.com/kubernetes-engine/docs/how-to/tpus)",
            Prerequisite("the TPU node pool its pods select", NODE_POOL, _pool_hosts),
            when=lambda r: bool(_tpu_selector(r)),
        )
        for type_ in ("kubernetes:apps/v1:Deployment", "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet")
    ),
    _after(
        "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet",
        "The LeaderWorkerSet CRD and its admission webhook come with the controller's chart "
        "(https://lws.sigs.k8s.io/docs/installation/)",
        Prerequisite(
            "the LeaderWorkerSet controller's chart",
            "kubernetes:helm.sh/v4:Chart",
            lambda candidate, _: "lws" in str(_value(candidate, "chart")),
        ),
    ),
    _after(
        "kubernetes:apiregistration.k8s.io/v1:APIService",
        "The Custom Metrics Stackdriver Adapter behind these APIs reads Cloud Monitoring as its KSA "
        "(https://github.com/GoogleCloudPlatform/k8s-stackdriver/tree/master/custom-metrics-stackdriver-adapter)",
        _grants("roles/monitoring.viewer", "the adapter's Cloud Monitoring read grant"),
    ),
    Rule(
        "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
        "Pods and Object metrics are served by the custom metrics API, External ones by the external "
        "metrics API; until it answers the HPA reports FailedGetPodsMetric / FailedGetExternalMetric "
        "(https://cloud.google.com/kubernetes-engine/docs/tutorials/autoscaling-metrics)",
        after=metrics_apis,
        when=lambda r: bool(metrics_apis(r)),
    ),
    _after(
        "kubernetes:gateway.networking.k8s.io/v1:Gateway",
        "A Gateway names a reserved address and a certificate map; GKE does not program it until both "
        "exist (https://cloud.google.com/kubernetes-engine/docs/how-to/secure-gateway)",
        Prerequisite(
            "the address it names",
            "gcp:compute/globalAddress:GlobalAddress",
            lambda candidate, subject: any(
                _same(_value(candidate, "name"), known(address, "value"))
                for address in items(_value(subject, "spec", "addresses"))
            ),
            if_in_stack=True,
        ),
    ),
    _after(
        "kubernetes:gateway.networking.k8s.io/v1:Gateway",
        "The certificate map must hold its entry before the load balancer serves HTTPS "
        "(https://cloud.google.com/kubernetes-engine/docs/how-to/secure-gateway)",
        Prerequisite(
            "an entry of the certificate map it names",
            "gcp:certificatemanager/certificateMapEntry:CertificateMapEntry",
            _named_by("map", "metadata", "annotations", "networking.gke.io/certmap"),
        ),
        when=_sets("metadata", "annotations", "networking.gke.io/certmap"),
    ),
    _after(
        "kubernetes:networking.gke.io/v1:GCPBackendPolicy",
        "GKE attaches the Cloud Armor policy it names only if it exists "
        "(https://cloud.google.com/kubernetes-engine/docs/how-to/configure-gateway-resources)",
        Prerequisite(
            "the Cloud Armor policy it names",
            "gcp:compute/securityPolicy:SecurityPolicy",
            _named_by("name", "spec", "default", "securityPolicy"),
        ),
        when=_sets("spec", "default", "securityPolicy"),
    ),
    _after(
        "kubernetes:core/v1:PersistentVolume",
        "A Managed Lustre volume mounts an existing instance (https://docs.cloud.google.com/managed-lustre/docs/connect-from-kubernetes-engine-existing-instance)",
        Prerequisite("its Managed Lustre instance", "gcp:lustre/instance:Instance"),
        when=lambda r: _csi_driver(r) == "lustre.csi.storage.gke.io",
    ),
    _after(
        "kubernetes:core/v1:PersistentVolume",
        "A Cloud Storage FUSE volume mounts its bucket as the pod's KSA, which needs a read grant first "
        "(https://cloud.google.com/kubernetes-engine/docs/how-to/persistent-volumes/cloud-storage-fuse-csi-driver-setup)",
        Prerequisite(
            "a read grant on its bucket",
            BUCKET_IAM_MEMBER,
            _named_by("bucket", "spec", "csi", "volumeHandle"),
        ),
        when=lambda r: _csi_driver(r) == "gcsfuse.csi.storage.gke.io",
    ),
    _after(
        "kubernetes:datalayer.gke.io/v1:GCPDataSource",
        "The GKE Volume Populator reads the bucket as the named KSA, which needs roles/storage.objectViewer "
        "(https://cloud.google.com/kubernetes-engine/docs/concepts/about-volume-populator)",
        Prerequisite(
            "a read grant on its bucket",
            BUCKET_IAM_MEMBER,
            lambda candidate, subject: _same(
                _value(candidate, "bucket"), _bucket_of_uri(_value(subject, "spec", "cloudStorage", "uri"))
            ),
        ),
    ),
    _after(
        "kubernetes:batch/v1:Job",
        "The import runs as the Lustre service agent (bucket read) and as a federated importer "
        "(lustre.instances.importData) into an existing instance "
        "(https://cloud.google.com/managed-lustre/docs/transfer-data)",
        Prerequisite("the Managed Lustre instance", "gcp:lustre/instance:Instance"),
        Prerequisite(
            "the Lustre agent's bucket grant",
            BUCKET_IAM_MEMBER,
            lambda candidate, _: _same(agent_domain(candidate), "gcp-sa-lustre"),
        ),
        _grants("roles/iam.workloadIdentityUser", "the importer's federation", SERVICE_ACCOUNT_IAM_MEMBER),
        when=_runs("lustre instances import-data"),
    ),
)

RULED_TYPES = frozenset(rule.type for rule in RULES)


class Graph:
    """Upstream sets over dependencies and providers (parents are not creation order)."""

    def __init__(self, resources: list[PolicyResource]) -> None:
        self.resources = resources
        self.by_urn = {resource.urn: resource for resource in resources}
        self._upstream: dict[str, frozenset[str]] = {}

    def _direct(self, resource: PolicyResource) -> list[str]:
        urns = [dependency.urn for dependency in resource.dependencies]
        if resource.provider is not None:
            urns.append(resource.provider.urn)
        return urns

    def upstream(self, resource: PolicyResource) -> frozenset[str]:
        cached = self._upstream.get(resource.urn)
        if cached is not None:
            return cached
        found: set[str] = set()
        pending = self._direct(resource)
        while pending:
            urn = pending.pop()
            if urn in found:
                continue
            found.add(urn)
            if urn in self._upstream:
                found |= self._upstream[urn]
            elif urn in self.by_urn:
                pending.extend(self._direct(self.by_urn[urn]))
        self._upstream[resource.urn] = frozenset(found)
        return self._upstream[resource.urn]

    def satisfied(self, prerequisite: Prerequisite, resource: PolicyResource) -> bool:
        def matches(candidate: PolicyResource) -> bool:
            return candidate.resource_type == prerequisite.type and prerequisite.match(candidate, resource)

        upstream = self.upstream(resource)
        if any(matches(self.by_urn[urn]) for urn in upstream if urn in self.by_urn):
            return True
        return prerequisite.if_in_stack and not any(matches(candidate) for candidate in self.resources)


def missing(resources: list[PolicyResource]) -> list[tuple[PolicyResource, Prerequisite, Rule]]:
    """Every (resource, prerequisite, rule) where the prerequisite is not upstream of the resource."""
    graph = Graph(resources)
    found = []
    for resource in resources:
        for rule in RULES:
            if rule.type != resource.resource_type or not rule.when(resource):
                continue
            for prerequisite in rule.prerequisites(resource):
                if not graph.satisfied(prerequisite, resource):
                    found.append((resource, prerequisite, rule))
    return found


def _creation_order(args: StackValidationArgs, report: ReportViolation) -> None:
    reported: set[tuple[str, str]] = set()
    for resource, prerequisite, rule in missing(list(args.resources)):
        if (resource.urn, prerequisite.what) in reported:
            continue
        reported.add((resource.urn, prerequisite.what))
        report(
            f"is not created after {prerequisite.what} ({prerequisite.type}): on a fresh project "
            f"the first `pulumi up` races it. Why: {rule.source}.",
            resource.urn,
        )


def _unruled(args: StackValidationArgs, report: ReportViolation) -> None:
    for resource in args.resources:
        kind = resource.resource_type
        if _is_resource(resource) and kind not in RULED_TYPES:
            report(f"{kind} has no creation-order rule: add one to policies/rules/ordering.py.", resource.urn)


def _is_resource(resource: PolicyResource) -> bool:
    kind = resource.resource_type
    if kind == "pulumi:pulumi:Stack" or (kind.startswith("pulumi:providers:") and resource.name.startswith("default")):
        return False
    return kind.split(":", 1)[0] in ("gcp", "kubernetes", "random", "tls", "pulumi")


POLICIES = [
    stack_policy(
        "stack-creation-order",
        "Every resource is created after the APIs, service agents, grants and hosts it needs "
        "(the rule table of policies/rules/ordering.py), so the first `pulumi up` on a fresh project goes through.",
        check=_creation_order,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Pass the missing resource in depends_on (or take an input from its output).",
        tags=["reliability"],
    ),
    stack_policy(
        "stack-creation-order-covered",
        "Every resource type of the stack has a creation-order rule, so a new type is reviewed before it lands.",
        check=_unruled,
        severity=HIGH,
        enforcement=MANDATORY,
        remediation="Add the type to RULES in policies/rules/ordering.py with its APIs, prerequisites and source.",
        tags=["reliability"],
    ),
]
