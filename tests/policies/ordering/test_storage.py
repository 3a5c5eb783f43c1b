"""policies/rules/ordering/storage.py: model stores after the peering, volumes and imports after their
instance and grants."""

from __future__ import annotations

import pytest

from tests.policies.conftest import Case, check_case
from tests.policies.ordering.conftest import order

CASES = [
    order(
        "prod",
        ("gcp:lustre/instance:Instance", "model-store-instance"),
        ("network-private-services",),
        "the private services connection",
        "lustre-before-the-peering",
    ),
    order(
        "prod",
        ("kubernetes:core/v1:PersistentVolume", "model-store-volume"),
        ("model-store-instance",),
        "its Managed Lustre instance",
        "lustre-volume-before-the-instance",
    ),
    order(
        "dev",
        ("kubernetes:core/v1:PersistentVolume", "model-store-volume"),
        ("identity-model-reader",),
        "a read grant on its bucket",
        "fuse-volume-before-the-read-grant",
    ),
    order(
        "staging",
        ("kubernetes:datalayer.gke.io/v1:GCPDataSource", "model-store-source"),
        ("identity-model-reader",),
        "a read grant on its bucket",
        "populator-before-the-read-grant",
    ),
    order(
        "prod",
        ("kubernetes:batch/v1:Job", "model-store-import-6698ccb09b"),
        ("model-store-agent-reads-bucket",),
        "the Lustre agent's bucket grant",
        "import-before-the-agent-grant",
    ),
    order(
        "prod",
        ("kubernetes:batch/v1:Job", "model-store-import-6698ccb09b"),
        ("model-store-importer-federation",),
        "the importer's federation",
        "import-before-its-federation",
    ),
    order(
        "prod",
        ("kubernetes:batch/v1:Job", "model-store-import-6698ccb09b"),
        ("weights-6698ccb09b-job",),
        "the Job that puts its folder in the bucket",
        "import-before-the-fetch-of-its-folder",
    ),
    order(
        "dev",
        ("kubernetes:batch/v1:Job", "weights-c6033c3921-job"),
        ("weights-c6033c3921-folder",),
        "the grant on its own bucket folder",
        "weights-job-before-its-folder-grant",
    ),
    order(
        "dev",
        ("kubernetes:batch/v1:Job", "weights-c6033c3921-job"),
        ("weights-c6033c3921-token",),
        "its read grant on the Hub token's secret",
        "weights-job-before-its-token-grant",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy(pack, ordering_graphs, case: Case) -> None:
    check_case(pack, ordering_graphs, case)
