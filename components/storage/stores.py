"""One model store per stack, chosen by `modelStore.type`; each hands serving the same `ModelMount`."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.storage.config import ModelStoreConfig, ModelStoreType
from components.storage.gcsfuse import GcsFuseModelStore, GcsFuseModelStoreArgs
from components.storage.hyperdisk_ml import HyperdiskMlModelStore, HyperdiskMlModelStoreArgs
from components.storage.lustre import LustreModelStore, LustreModelStoreArgs
from components.storage.mount import ModelStore, ModelStoreArgs
from components.storage.parallelstore import ParallelstoreModelStore, ParallelstoreModelStoreArgs


@dataclass(frozen=True)
class StoreContext:
    """What the stores take from the network and the cluster."""

    network_id: pulumi.Input[str]
    network_name: pulumi.Input[str]
    private_services_range: pulumi.Input[str]
    private_services_cidr: str
    node_tag: str
    project_number: pulumi.Input[str]
    workload_pool: pulumi.Input[str]
    cluster_id: pulumi.Input[str]
    cluster_location: str
    node_service_account: pulumi.Input[str]
    system_node_selector: dict[str, str]
    gcsfuse_cache_gib: int
    gcsfuse_serving_profile: bool


def create_model_store(
    name: str,
    kind: ModelStoreType,
    common: ModelStoreArgs,
    config: ModelStoreConfig,
    context: StoreContext,
    opts: pulumi.ResourceOptions | None = None,
) -> ModelStore:
    shared = vars(common)
    if kind == "lustre":
        return LustreModelStore(
            name,
            LustreModelStoreArgs(
                **shared,
                config=config.lustre,
                network_id=context.network_id,
                private_services_cidr=context.private_services_cidr,
                node_tag=context.node_tag,
                project_number=context.project_number,
                workload_pool=context.workload_pool,
                system_node_selector=context.system_node_selector,
            ),
            opts,
        )
    if kind == "hyperdisk-ml":
        return HyperdiskMlModelStore(
            name,
            HyperdiskMlModelStoreArgs(
                **shared,
                config=config.hyperdisk_ml,
                cluster_id=context.cluster_id,
                cluster_location=context.cluster_location,
                node_service_account=context.node_service_account,
            ),
            opts,
        )
    if kind == "parallelstore":
        return ParallelstoreModelStore(
            name,
            ParallelstoreModelStoreArgs(
                **shared,
                config=config.parallelstore,
                network_name=context.network_name,
                private_services_range=context.private_services_range,
            ),
            opts,
        )
    return GcsFuseModelStore(
        name,
        GcsFuseModelStoreArgs(
            **shared,
            config=config.gcsfuse,
            cache_size_gib=context.gcsfuse_cache_gib,
            serving_profile=context.gcsfuse_serving_profile,
        ),
        opts,
    )
