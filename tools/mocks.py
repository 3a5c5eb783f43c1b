"""Deterministic stand-ins for the providers: what a real `pulumi up` would compute.

Every value is derived from the resource's type, name and inputs, so two evaluations
produce identical graphs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.runtime import rpc

MOCK_PROJECT_NUMBER = "123456789012"
# Recognisable so tests can prove it never appears in plain text in a graph, snapshot or output.
MOCK_REDIS_AUTH = "mock-redis-auth-5f1c9e"
MOCK_REDIS_CA = "-----BEGIN CERTIFICATE-----\nmock-redis-server-ca\n-----END CERTIFICATE-----"
MOCK_SECRET_MARKER = "mock-generated-secret"
# What `getReservation` answers for a name no test overrides: a specific reservation of TPU7x 4-chip
# VMs in the zone asked for (the committed stacks' reserved tiers run on tpu7x-standard-4t).
MOCK_RESERVATION_MACHINE_TYPE = "tpu7x-standard-4t"
MOCK_RESERVATION_COUNT = 64
MOCK_CA_CERTIFICATE = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCm1vY2sKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo="


def _secret(value: Any) -> dict[str, Any]:
    """A value the provider marks secret, as the engine returns it."""
    return {rpc._special_sig_key: rpc._special_secret_sig, "value": value}


def _computed(type_: str, name: str, inputs: dict[str, Any], secret_seed: str = "") -> dict[str, Any]:
    """Outputs the provider computes that the program reads back."""
    physical = inputs.get("name") or name
    project = inputs.get("project", "mock-project")
    if type_ == "gcp:serviceaccount/account:Account":
        return {"email": f"{inputs['accountId']}@{project}.iam.gserviceaccount.com", "name": physical}
    if type_ == "gcp:storage/bucket:Bucket":
        return {
            "name": physical,
            "url": f"gs://{physical}",
            "selfLink": f"https://www.googleapis.com/storage/v1/b/{physical}",
        }
    if type_ == "gcp:container/cluster:Cluster":
        endpoints = inputs.get("controlPlaneEndpointsConfig", {})
        dns = {**endpoints.get("dnsEndpointConfig", {}), "endpoint": f"gke-{physical}.{inputs['location']}.gke.goog"}
        return {
            "name": physical,
            "endpoint": "10.0.0.2",
            "masterAuth": {"clusterCaCertificate": MOCK_CA_CERTIFICATE},
            "controlPlaneEndpointsConfig": {**endpoints, "dnsEndpointConfig": dns},
        }
    if type_ == "gcp:lustre/instance:Instance":
        return {"name": physical, "mountPoint": f"10.24.0.2@tcp:/{inputs['filesystem']}"}
    if type_ == "gcp:compute/globalAddress:GlobalAddress" and inputs.get("addressType") == "EXTERNAL":
        return {"name": physical, "address": "203.0.113.10"}  # documentation range (RFC 5737)
    if type_ == "gcp:compute/address:Address" and inputs.get("addressType") == "EXTERNAL":
        return {"name": physical, "address": "203.0.113.20"}
    if type_ == "gcp:certificatemanager/dnsAuthorization:DnsAuthorization":
        # Certificate Manager's per-project record: `_acme-challenge_<id>.<domain>` CNAME to a Google target.
        domain = inputs["domain"]
        record = {
            "name": f"_acme-challenge_mock0000000000.{domain}.",
            "type": "CNAME",
            "data": "mock0000-0000-0000-0000-000000000000.11.authorize.certificatemanager.goog.",
        }
        return {"name": physical, "dnsResourceRecords": [record]}
    if type_ == "random:index/randomPassword:RandomPassword":
        # A value tests can search for: it must never appear in a recorded graph or output.
        return {"result": f"{MOCK_SECRET_MARKER}-{secret_seed}{name}"}
    if type_ == "gcp:redis/instance:Instance":
        return {
            "host": "10.60.0.3",
            "port": 6378 if inputs.get("transitEncryptionMode") == "SERVER_AUTHENTICATION" else 6379,
            "authString": _secret(MOCK_REDIS_AUTH),  # pulumi-gcp marks authString secret
            "serverCaCerts": [{"cert": MOCK_REDIS_CA}],
        }
    if type_ == "gcp:monitoring/slo:Slo":
        service = inputs["service"]
        return {"name": f"projects/{project}/services/{service}/serviceLevelObjectives/{inputs['sloId']}"}
    if type_ == "gcp:monitoring/customService:CustomService":
        return {"name": f"projects/{project}/services/{inputs['serviceId']}"}
    if type_ == "gcp:monitoring/notificationChannel:NotificationChannel":
        return {"name": f"projects/{project}/notificationChannels/{name}"}
    if type_ == "gcp:pubsub/topic:Topic":
        return {"name": physical, "id": f"projects/{project}/topics/{physical}"}
    if type_ == "gcp:logging/projectSink:ProjectSink":
        return {
            "name": physical,
            "writerIdentity": f"serviceAccount:service-{MOCK_PROJECT_NUMBER}@gcp-sa-logging.iam.gserviceaccount.com",
        }
    if type_ == "gcp:billing/budget:Budget":
        return {"name": f"billingAccounts/{inputs['billingAccount']}/budgets/{name}"}
    if type_ == "gcp:monitoring/dashboard:Dashboard":
        return {"id": f"projects/{project}/dashboards/{name}"}
    if type_.startswith("gcp:"):
        return {"name": physical, "selfLink": f"https://www.googleapis.com/mock/{type_.split(':')[-1]}/{physical}"}
    return {}


# A test's answer for one reservation name: fields merged into the default answer, None for "not
# found" (the provider answers with an empty reservation, not an error), or the text of an error.
ReservationAnswer = Mapping[str, Any] | str | None


def reservation_answer(args: Mapping[str, Any], override: ReservationAnswer) -> dict[str, Any] | str:
    """`getReservation`'s answer as the provider gives it (camelCase fields; zone and selfLink as links)."""
    name, zone = args["name"], args["zone"]
    project = args.get("project") or "mock-project"
    if override is None:  # a 404: the data source returns the id it was asked for and nothing else
        return {
            "name": name,
            "zone": zone,
            "project": project,
            "id": f"projects/{project}/zones/{zone}/reservations/{name}",
        }
    if isinstance(override, str):
        return override
    base = f"https://www.googleapis.com/compute/v1/projects/{project}/zones/{zone}"
    answer = {
        "name": name,
        "project": project,
        "zone": base,
        "selfLink": f"{base}/reservations/{name}",
        "id": f"projects/{project}/zones/{zone}/reservations/{name}",
        "status": "READY",
        "specificReservationRequired": True,
        "specificReservations": [
            {
                "count": MOCK_RESERVATION_COUNT,
                "inUseCount": 0,
                "assuredCount": MOCK_RESERVATION_COUNT,
                "instanceProperties": [{"machineType": MOCK_RESERVATION_MACHINE_TYPE}],
                "sourceInstanceTemplate": "",
            }
        ],
    }
    return {**answer, **override}


class PlatformMocks(pulumi.runtime.Mocks):
    """`computed=False` answers as a provider does in the preview of a new stack: inputs only, no id.
    `secret_seed` changes what generated secrets come out as (a rotation, for tests); `reservations`
    overrides what `getReservation` answers per reservation name (`ReservationAnswer`)."""

    def __init__(
        self,
        computed: bool = True,
        secret_seed: str = "",
        reservations: Mapping[str, ReservationAnswer] | None = None,
    ) -> None:
        self.computed = computed
        self.secret_seed = secret_seed
        self.reservations = dict(reservations or {})
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        if not args.custom:
            return "", {}
        if not self.computed:
            return "", dict(args.inputs)
        state = {**args.inputs, **_computed(args.typ, args.name, args.inputs, self.secret_seed)}
        return state.pop("id", f"{args.name}-id"), state

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        self.calls.append((args.token, dict(args.args)))
        if args.token == "gcp:compute/getReservation:getReservation":
            answer = reservation_answer(args.args, self.reservations.get(args.args["name"], {}))
            return ({}, [("name", answer)]) if isinstance(answer, str) else (answer, [])
        if args.token == "gcp:organizations/getProject:getProject":
            project_id = args.args.get("projectId", "mock-project")
            return {"projectId": project_id, "number": MOCK_PROJECT_NUMBER, "name": project_id}, []
        raise NotImplementedError(f"the offline mocks do not answer invoke {args.token}")
