"""The pack as a whole: its metadata, coverage by the cases, and the facts it cites."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pulumi_gcp as gcp
import pytest
import yaml

import tests.policies.ordering as ordering_tests
from tests.policies import (
    test_cache,
    test_capacity,
    test_gateway,
    test_gke,
    test_iam,
    test_inference,
    test_isolation,
    test_kubernetes,
    test_stack,
    test_storage,
    test_tpu,
    test_weights,
)
from tools.policy import LEVEL_NAMES, SEVERITY_NAMES
from tools.stack_config import PROJECT_ROOT

PACK = PROJECT_ROOT / "policies"
CASE_MODULES = (
    test_gke,
    test_tpu,
    test_capacity,
    test_storage,
    test_weights,
    test_iam,
    test_cache,
    test_kubernetes,
    test_gateway,
    test_inference,
    test_stack,
    test_isolation,
    *(
        importlib.import_module(f"{ordering_tests.__name__}.{module.name}")
        for module in pkgutil.iter_modules(ordering_tests.__path__)
        if module.name.startswith("test_")
    ),
)
# Policies whose compliant/violating pair lives in a dedicated test rather than a CASES table.
DEDICATED = {"k8s-tpu-pool-exists": "test_kubernetes.py::test_tpu_pods_need_a_pool_of_their_topology"}


def test_pack_files_are_a_standard_python_pack() -> None:
    manifest = yaml.safe_load((PACK / "PulumiPolicy.yaml").read_text())
    assert manifest["runtime"]["name"] == "python" and manifest["version"]
    main = (PACK / "__main__.py").read_text()
    assert "PolicyPack(" in main and "def " not in main  # only builds the pack
    requirements = (PACK / "requirements.txt").read_text()
    assert re.search(r"^pulumi-policy==\d+\.\d+\.\d+$", requirements, re.M)


def test_at_least_forty_policies_each_fully_described(pack) -> None:
    info = pack.info()
    assert info.name == "llm-platform-policies" and info.supportsConfig
    assert len(info.policies) >= 40
    names = [p.name for p in info.policies]
    assert len(names) == len(set(names))
    for policy in info.policies:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", policy.name), policy.name
        assert policy.description.endswith("."), policy.name
        assert policy.remediation_steps, policy.name
        assert SEVERITY_NAMES[policy.severity] in ("low", "medium", "high", "critical"), policy.name
        assert LEVEL_NAMES[policy.enforcementLevel] in ("advisory", "mandatory"), policy.name
        assert policy.tags, policy.name


def test_every_policy_has_a_compliant_and_a_violating_case(pack) -> None:
    covered = {case.policy for module in CASE_MODULES for case in getattr(module, "CASES", ())} | set(DEDICATED)
    assert {p.name for p in pack.info().policies} == covered


CHECKOV_CHECKS = PROJECT_ROOT / ".venv-checkov"


_NAME = re.compile(r'name = ((?:"[^"\n]*"\s*\\?\s*)+)')
_ID = re.compile(r'(?:id|check_id) = "(CKV_[A-Z0-9_]+)"')


def _checkov_titles() -> dict[str, str]:
    """check id -> title, from the pinned Checkov's own check classes (one check per module)."""
    titles: dict[str, str] = {}
    for root in CHECKOV_CHECKS.glob("lib/python*/site-packages/checkov"):
        for framework in ("kubernetes", "terraform"):  # CKV_K8S ids: the manifest framework's titles
            for source in (root / framework / "checks" / "resource").rglob("*.py"):
                text = source.read_text(encoding="utf-8")
                name, check_id = _NAME.search(text), _ID.search(text)
                if name and check_id:
                    titles.setdefault(check_id[1], "".join(re.findall(r'"([^"]*)"', name[1])))
    return titles


def test_cited_checkov_ids_exist_in_the_pinned_checkov(pack) -> None:
    titles = _checkov_titles()
    if not titles:
        pytest.fail("the pinned Checkov is not installed: run `make .venv-checkov/.installed`")
    for policy in pack.info().policies:
        cited = [t.split(":", 1)[1] for t in policy.tags if t.startswith("checkov:")]
        if policy.framework.name == "Checkov":
            cited.append(policy.framework.reference)
            assert titles.get(policy.framework.reference, "").startswith(policy.framework.specification[:40]), policy
        for check_id in cited:
            assert check_id in titles, f"{policy.name} cites {check_id}, which the pinned Checkov does not have"


def test_label_fields_match_the_sdk() -> None:
    from policies.rules.metadata import LABEL_FIELDS

    for type_token, path in LABEL_FIELDS.items():
        module, class_name = type_token.split(":")[1].split("/")[0], type_token.rsplit(":", 1)[1]
        cls = getattr(getattr(gcp, module), class_name)
        if path[0] == "nodeConfig":
            assert "resource_labels" in inspect.signature(gcp.container.NodePoolNodeConfigArgs.__init__).parameters
            continue
        snake = re.sub(r"(?<!^)([A-Z])", r"_\1", path[0]).lower()
        assert snake in inspect.signature(cls._internal_init).parameters, type_token


def test_every_labelled_type_in_the_stacks_is_in_the_label_table(graphs) -> None:
    from policies.rules.metadata import LABEL_FIELDS

    for graph in graphs.values():
        for resource in graph.resources:
            if resource.type.startswith("gcp:") and ({"labels", "resourceLabels", "userLabels"} & set(resource.inputs)):
                assert resource.type in LABEL_FIELDS, resource.type


def test_pack_imports_nothing_from_the_program() -> None:
    sources = sorted((PACK / "rules").rglob("*.py"))
    assert PACK / "rules" / "ordering" / "engine.py" in sources
    for source in sources:
        text = source.read_text()
        assert "components" not in re.findall(r"^(?:from|import) (\w+)", text, re.M), source.name
    assert Path(PACK / "__main__.py").read_text().count("import") == 2


def test_readme_lists_every_policy(pack) -> None:
    readme = (PACK / "README.md").read_text()
    for policy in pack.info().policies:
        assert f"| `{policy.name}` |" in readme, policy.name
