"""What `make mutation` mutates, and the fast tests that judge each module.

The decision modules: the policy pack's rules and creation-order table, the runner that speaks the
Analyzer protocol to it, and the pure decisions of `components/` (placeholders, cross-concern checks,
TPU shapes and sizing, maintenance windows, presets, vLLM arguments). Each target runs only the
tests that exercise its module, so a mutant costs one short pytest process; `cached_graphs` targets
take no part in evaluating the program and read the stack graphs from the first run's pickles.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    name: str
    modules: tuple[str, ...]  # files to mutate, relative to the project root
    tests: tuple[str, ...]  # pytest arguments: the tests that judge them
    cached_graphs: bool = False


# The whole pack passing on the four recorded stacks (each case also judges its compliant baseline).
STACKS_PASS = "tests/policies/test_runner.py::test_stacks_pass_every_mandatory_policy"


def _policy(module: str, *tests: str) -> Target:
    return Target(f"policies-{module}", (f"policies/rules/{module}.py",), tests, cached_graphs=True)


TARGETS: tuple[Target, ...] = (
    _policy(
        "gke",
        "tests/policies/test_gke.py",
        "tests/policies/forms/test_gke.py",
        # binauthz-pinned-images-only lives in gke.py; its cases sit with the other isolation policies.
        "tests/policies/test_isolation.py",
        "tests/policies/forms/test_isolation.py",
    ),
    _policy(
        "tpu",
        "tests/policies/test_tpu.py",
        "tests/policies/test_tpu_gaps.py",
        "tests/policies/forms/test_tpu.py",
        "tests/policies/test_kubernetes.py",
    ),
    _policy(
        "storage",
        "tests/policies/test_storage.py",
        "tests/policies/forms/test_storage.py",
        "tests/policies/test_iam.py",
    ),
    _policy("iam", "tests/policies/test_iam.py", "tests/policies/forms/test_iam.py"),
    _policy("cache", "tests/policies/test_cache.py", "tests/policies/forms/test_cache.py"),
    _policy(
        "kubernetes",
        "tests/policies/test_kubernetes.py",
        "tests/policies/forms/test_kubernetes.py",
        "tests/policies/test_gateway.py",
        # The NetworkPolicy rules live in kubernetes.py; their cases sit with the isolation policies.
        "tests/policies/test_isolation.py",
        "tests/policies/forms/test_isolation.py",
    ),
    _policy(
        "gateway",
        "tests/policies/test_gateway.py",
        "tests/policies/test_gateway_gaps.py",
        "tests/policies/forms/test_gateway.py",
    ),
    _policy(
        "stack",
        "tests/policies/test_stack.py",
        "tests/policies/test_stack_gaps.py",
        "tests/policies/forms/test_stack.py",
    ),
    _policy(
        "metadata",
        "tests/policies/test_metadata.py",
        "tests/policies/forms",
        STACKS_PASS,
        "tests/policies/test_pack.py",
    ),
    Target(
        "policies-ordering",
        tuple(
            f"policies/rules/ordering/{module}.py"
            for module in (
                "engine",
                "agents",
                "project",
                "identity",
                "network",
                "kubernetes",
                "gke",
                "storage",
                "serving",
                "gateway",
                "operations",
            )
        ),
        (STACKS_PASS, "tests/policies/ordering"),
        cached_graphs=True,
    ),
    Target(
        "tools-policy",
        ("tools/policy.py",),
        (
            "tests/policies/test_runner.py",
            "tests/policies/test_runner_units.py",
            "tests/policies/test_pack.py",
            "tests/policies/test_gateway.py",
            "tests/policies/test_storage.py",
        ),
        cached_graphs=True,
    ),
    Target(
        "components-placeholders",
        ("components/config/placeholders.py",),
        ("tests/stacks/test_placeholders.py", "tests/unit/config/test_placeholders.py"),
    ),
    Target(
        "components-checks",
        ("components/config/checks.py",),
        # The corpus and the direct checks first: a killed mutant stops there, before the drawn
        # configs (each evaluated through the whole program, some 30 s) run.
        (
            "tests/corpus/test_bad_configs.py",
            *(
                f"tests/unit/config/test_{name}.py"
                for name in (
                    "check_boundaries",
                    "range_sizing",
                    "catalog_rows",
                    "gateway",
                    "operations",
                    "placeholders",
                    "platform",
                    "storage",
                    "properties",
                )
            ),
        ),
    ),
    Target(
        "components-gke-decisions",
        ("components/gke/maintenance.py", "components/gke/tpu.py", "components/gke/pool_sizing.py"),
        ("tests/unit/gke", "tests/unit/serving/test_presets.py"),
    ),
    Target(
        "components-serving-decisions",
        ("components/serving/presets.py", "components/serving/vllm_args.py", "components/serving/cold_start.py"),
        ("tests/unit/serving",),
    ),
)
