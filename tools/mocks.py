"""Deterministic stand-ins for the providers: what a real `pulumi up` would compute.

Every value is derived from the resource's type, name and inputs, so two evaluations
produce identical graphs.
"""

from __future__ import annotations

from typing import Any

import pulumi

MOCK_PROJECT_NUMBER = "123456789012"
MOCK_CA_CERTIFICATE = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCm1vY2sKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo="


def _computed(type_: str, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
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
        return {
            "name": physical,
            "endpoint": "10.0.0.2",
            "masterAuth": {"clusterCaCertificate": MOCK_CA_CERTIFICATE},
        }
    if type_.startswith("gcp:"):
        return {"name": physical, "selfLink": f"https://www.googleapis.com/mock/{type_.split(':')[-1]}/{physical}"}
    return {}


class PlatformMocks(pulumi.runtime.Mocks):
    """`computed=False` answers as a provider does in the preview of a new stack: inputs only, no id."""

    def __init__(self, computed: bool = True) -> None:
        self.computed = computed

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        if not args.custom:
            return "", {}
        if not self.computed:
            return "", dict(args.inputs)
        state = {**args.inputs, **_computed(args.typ, args.name, args.inputs)}
        return f"{args.name}-id", state

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        if args.token == "gcp:organizations/getProject:getProject":
            project_id = args.args.get("projectId", "mock-project")
            return {"projectId": project_id, "number": MOCK_PROJECT_NUMBER, "name": project_id}, []
        raise NotImplementedError(f"the offline mocks do not answer invoke {args.token}")
