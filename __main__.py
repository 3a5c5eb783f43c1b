"""The LLM inference platform: composes the concerns for one stack, in the order a fresh project needs them.

All decisions live in `components/`; how each concern is built from the config is
`components/stack/`; this file only says what comes after what, and exports.
"""

import pulumi

from components import concerns
from components.naming import Naming
from components.stack.foundation import build_foundation, cluster_and_pools, model_weights, serving_identity
from components.stack.operations import operations
from components.stack.outputs import Platform, export_outputs
from components.stack.serving import edge, inference_tiers, isolation, serving_plane
from components.stack.weights import model_weights_jobs

config = concerns.load_config()
naming = Naming(
    stack=pulumi.get_stack(), environment=config.environment, extra_labels=config.labels, retiring=config.retiring
)

base = build_foundation(config, naming)
cluster, pools = cluster_and_pools(config, naming, base)
identity, serving = serving_identity(config, naming, base, cluster)
plane = serving_plane(config, naming, base, cluster, identity, serving)
isolated = isolation(config, cluster, serving, plane)
weights = model_weights_jobs(config, naming, base, cluster, serving, plane.registry)
store = model_weights(config, naming, base, cluster, identity, serving, weights)
tiers = inference_tiers(config, cluster, pools, serving, store, plane, base.bucket)
gateway = edge(config, naming, base, cluster, serving, tiers, plane.auth)
cache, observability, budget = operations(config, naming, base, cluster, serving)

export_outputs(
    Platform(
        config,
        base,
        cluster,
        pools,
        identity,
        serving,
        weights,
        store,
        plane,
        tiers,
        gateway,
        cache,
        observability,
        budget,
    )
)
