"""Hyperdisk ML's pure decisions: the transfer pool the populator's Job runs on, and the StorageClass."""

from __future__ import annotations

from components.naming import Naming
from components.storage.config import HyperdiskMlConfig
from components.storage.hyperdisk_ml import (
    compute_class_spec,
    storage_class_parameters,
    transfer_node_config,
    transfer_pool_name,
)
from tests.unit.sdk_args import plain


def test_the_transfer_pool_name_fits_gke_s_forty_characters() -> None:
    assert transfer_pool_name(Naming(stack="staging", environment="staging")) == "llm-staging-hdml-transfer"
    long = transfer_pool_name(Naming(stack="a-long-stack-name-for-ml", environment="dev"))
    assert long == "llm-a-long-stack-nam-hdml-transfer"  # the prefix is cut at 20 characters first


def test_only_the_populator_s_job_lands_on_transfer_nodes() -> None:
    node = plain(transfer_node_config(HyperdiskMlConfig(transfer_machine_type="n2-standard-8"), "n@p", {"env": "s"}))
    assert node["machine_type"] == "n2-standard-8"
    assert node["labels"] == {"cloud.google.com/compute-class": "gcs-to-hdml-compute-class"}
    assert node["taints"] == [
        {"key": "cloud.google.com/compute-class", "value": "gcs-to-hdml-compute-class", "effect": "NO_SCHEDULE"}
    ]
    assert node["workload_metadata_config"] == {"mode": "GKE_METADATA"}
    assert node["resource_labels"] == {"env": "s"}


def test_the_compute_class_prefers_the_transfer_pool_and_scales_nothing_else() -> None:
    assert compute_class_spec("llm-staging-hdml-transfer") == {
        "priorities": [{"nodepools": ["llm-staging-hdml-transfer"]}],
        "whenUnsatisfiable": "DoNotScaleUp",
    }


def test_the_storage_class_provisions_the_configured_throughput() -> None:
    assert storage_class_parameters(HyperdiskMlConfig(provisioned_throughput_mibps=2400)) == {
        "type": "hyperdisk-ml",
        "provisioned-throughput-on-create": "2400Mi",
    }
