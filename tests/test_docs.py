"""The docs' promises, each read from the code, the stack files or the stack graphs, never from a copy."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from components.config.errors import GCP_KEYS, annotation_at, fields_of, unwrap
from components.config.platform import PlatformConfig
from tools.graph import StackGraph
from tools.stack_config import PROJECT_ROOT, available_stacks

README_PATH = PROJECT_ROOT / "README.md"
CONFIGURATION_PATH = PROJECT_ROOT / "docs" / "configuration.md"
OPERATIONS_PATH = PROJECT_ROOT / "docs" / "operations.md"
DOC_PATHS = (README_PATH, *sorted((PROJECT_ROOT / "docs").glob("*.md")), PROJECT_ROOT / "policies" / "README.md")
DOCS = {path: path.read_text(encoding="utf-8") for path in DOC_PATHS}
README = DOCS[README_PATH]
README_MAX_LINES = 200  # quick start, real deployment and day 2 on one page; the reference is in docs/
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.M | re.S)
NUMBER_WORDS = {"both": 2, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}


def _config_keys(model: type[BaseModel]) -> set[str]:
    """Every camelCase key name in the config tree."""
    keys: set[str] = set()
    for name, field in model.model_fields.items():
        keys.add(GCP_KEYS.get(name, field.alias or name))
        annotation: Any = unwrap(field.annotation)
        for candidate in (annotation, *getattr(annotation, "__args__", ())):
            candidate = unwrap(candidate)
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                keys |= _config_keys(candidate)
    return keys


def _prose(text: str) -> str:
    return FENCE.sub("", text)


def _blocks(text: str) -> list[str]:
    return FENCE.findall(text)


def test_readme_opens_with_the_two_commands() -> None:
    first_block = README.split("```")[1]
    assert [line.split("#")[0].strip() for line in first_block.strip().splitlines()[1:]] == [
        "make preview",
        "make test",
    ]


def test_every_config_key_is_documented() -> None:
    reference = DOCS[CONFIGURATION_PATH]
    undocumented = sorted(key for key in _config_keys(PlatformConfig) if key not in reference)
    assert undocumented == []


# --- every key the docs name exists ----------------------------------------------------------

TOP_KEYS = sorted(set(fields_of(PlatformConfig)) - set(GCP_KEYS), key=len, reverse=True)
STEP = r"(?:\.(?:[A-Za-z][\w-]*|<\w+>|\{[\w,]+\}|\*)|\[\d+\])"
QUALIFIED_KEY = re.compile(rf"llm-platform:([A-Za-z]\w*{STEP}*)(?![:\w])")
INLINE_KEY = re.compile(rf"`((?:{'|'.join(TOP_KEYS)}){STEP}+)`")


def _expand(key: str) -> list[str]:
    """`a.{b,c}.d` -> `a.b.d`, `a.c.d`."""
    match = re.search(r"\{([\w,]+)\}", key)
    if not match:
        return [key]
    return [e for option in match.group(1).split(",") for e in _expand(key.replace(match.group(0), option, 1))]


def _exists(key: str) -> bool:
    location: list[Any] = []
    for token in re.findall(r"[^.\[\]]+|\[\d+\]", key.removesuffix(".*")):
        location.append(int(token[1:-1]) if token.startswith("[") else "NAME" if token.startswith("<") else token)
    return annotation_at(PlatformConfig, tuple(location)) is not None


def test_every_key_the_docs_name_exists() -> None:
    named: dict[str, set[str]] = {}
    for path, text in DOCS.items():
        found = set(QUALIFIED_KEY.findall(text)) | set(INLINE_KEY.findall(_prose(text)))
        found = {key for key in found if not re.search(r"\.(py|md|ya?ml|json|txt)$", key)}  # file names
        for expanded in {one for key in found for one in _expand(key)}:
            named.setdefault(expanded, set()).add(path.relative_to(PROJECT_ROOT).as_posix())
    assert "network.privateServicesCidr" in named  # the check sees the keys the docs name
    assert {key: sorted(where) for key, where in sorted(named.items()) if not _exists(key)} == {}


# --- links, length, stack counts -------------------------------------------------------------


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(text: str) -> set[str]:
    return {_slug(line.lstrip("#")) for line in _prose(text).splitlines() if line.startswith("#")}


def test_links_between_the_docs_resolve() -> None:
    broken = []
    for path, text in DOCS.items():
        for target in re.findall(r"\]\(([^)\s]+)\)", _prose(text)):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            file_part, _, anchor = target.partition("#")
            linked = (path.parent / file_part).resolve() if file_part else path
            if not linked.exists() or (anchor and anchor not in _anchors(linked.read_text(encoding="utf-8"))):
                broken.append(f"{path.relative_to(PROJECT_ROOT)}: {target}")
    assert broken == []


def test_readme_is_one_page_and_links_the_reference_and_the_runbooks() -> None:
    assert len(README.splitlines()) <= README_MAX_LINES
    assert "(docs/configuration.md)" in README and "(docs/operations.md)" in README


def test_stack_counts_match_the_stack_files() -> None:
    stacks = len(available_stacks())
    counted = [
        (path.relative_to(PROJECT_ROOT).as_posix(), word)
        for path, text in DOCS.items()
        for word in re.findall(r"\b(\w+)(?: committed)? stacks\b", text, re.I)
        if NUMBER_WORDS.get(word.lower(), stacks) != stacks
    ]
    assert counted == []


def _readme_stack_rows() -> dict[str, list[str]]:
    table = next(block for block in README.split("\n\n") if block.startswith("| stack |"))
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in table.splitlines()[2:]]
    return {row[0].strip("`"): row[1:] for row in rows}


def test_readme_stack_table_matches_the_graphs(graphs: dict[str, StackGraph]) -> None:
    rows = _readme_stack_rows()
    assert sorted(rows) == available_stacks()
    for stack, (control_plane, tiers, store, protection) in rows.items():
        outputs = graphs[stack].outputs
        regional = re.fullmatch(r"[a-z]+-[a-z]+\d", outputs["clusterLocation"]) is not None
        assert control_plane == ("regional" if regional else "zonal"), stack
        shapes = {name: figures["topology"] for name, figures in outputs["tiers"].items()}
        assert sorted(re.findall(r"(\w+) (\d+x\d+x\d+)", tiers)) == sorted(shapes.items()), stack
        assert store == f"`{outputs['modelStore']['type']}`", stack
        assert protection == ("on" if any(r.protect for r in graphs[stack].resources) else "off"), stack


def test_readme_names_the_operations_concerns_the_program_creates(prod: StackGraph) -> None:
    intro = README.split("## Quick start")[0]
    created = {"Memorystore": "gcp:redis/instance:Instance", "Cloud Monitoring": "gcp:monitoring/dashboard:Dashboard"}
    created["billing budget"] = "gcp:billing/budget:Budget"
    for words, resource_type in created.items():
        assert prod.by_type(resource_type) and words in intro, words
    assert not [path for path, text in DOCS.items() if "issues that follow" in text]


# --- examples checked against the graphs -----------------------------------------------------


def _route_to(graph: StackGraph, path: str) -> str:
    """The backend Service the stack's HTTPRoute sends `path` to (longest matching prefix)."""
    prefixes = {
        match["path"]["value"]: rule["backendRefs"][0]["name"]
        for route in graph.by_type("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute")
        for rule in route.inputs["spec"]["rules"]
        if rule.get("backendRefs")  # not the HTTP-to-HTTPS redirect
        for match in rule["matches"]
    }
    matching = [p for p in prefixes if path == p or path.startswith(p.rstrip("/") + "/")]
    assert matching, f"{graph.stack} routes no rule to {path}"
    return prefixes[max(matching, key=len)]


def _curl_examples() -> list[tuple[str, str, str]]:
    """(stack, request path, model) of every chat completion example in the docs."""
    examples = []
    for text in DOCS.values():
        for block in _blocks(text):
            if "curl" not in block or "/chat/completions" not in block:
                continue
            stack = re.match(r"# (\w+):", block)
            assert stack and stack.group(1) in available_stacks(), f"say which stack a curl block is for:\n{block}"
            for command in block.replace("\\\n", " ").splitlines():
                if command.startswith("curl"):
                    path = re.search(r'"\$URL(/[^"]+)"', command)
                    model = re.search(r'"model": "([^"]+)"', command)
                    assert path and model, command
                    examples.append((stack.group(1), path.group(1), model.group(1)))
    return examples


def test_curl_examples_name_the_model_their_route_serves(graphs: dict[str, StackGraph]) -> None:
    examples = _curl_examples()
    assert {"dev", "prod"} <= {stack for stack, _, _ in examples}
    for stack, path, model in examples:
        service = _route_to(graphs[stack], path)
        tier = service.removeprefix("vllm-")
        assert graphs[stack].outputs["tiers"][tier]["servedModelName"] == model, (stack, path)


PRODUCTS = {"lustre": "Lustre", "redis": "Memorystore", "parallelstore": "Parallelstore"}


def _peering_producers(graph: StackGraph) -> set[str]:
    """The services that take addresses from the private services connection's range."""
    (connection,) = graph.by_type("gcp:servicenetworking/connection:Connection")
    found = set()
    for resource in graph.resources:
        if connection.urn not in resource.dependencies:
            continue
        instance = re.fullmatch(r"gcp:(\w+)/instance:Instance", resource.type)
        if instance:
            found.add(instance.group(1))
        elif resource.type.endswith(":StorageClass") and "reserved-ip-range" in resource.inputs.get("parameters", {}):
            found.add(resource.inputs["provisioner"].split(".")[0])
    return found


def test_the_peering_producers_are_all_named(graphs: dict[str, StackGraph]) -> None:
    producers = set().union(*(_peering_producers(graph) for graph in graphs.values()))
    assert producers - set(PRODUCTS) == set(), "name the new producer's product in PRODUCTS and in the docs"
    (paragraph,) = [p for p in DOCS[OPERATIONS_PATH].split("\n- ") if "private services access connection" in p]
    assert [PRODUCTS[p] for p in sorted(producers) if PRODUCTS[p] not in paragraph] == []


# --- the real deployment's steps -------------------------------------------------------------


def _deploy_block() -> str:
    section = README.split("## Deploying for real")[1].split("\n## ")[0]
    return _blocks(section)[0]


def test_the_deploy_steps_create_the_policy_pack_virtualenv() -> None:
    runtime = yaml.safe_load((PROJECT_ROOT / "policies" / "PulumiPolicy.yaml").read_text(encoding="utf-8"))["runtime"]
    venv = f"policies/{runtime['options']['virtualenv']}"
    steps = _deploy_block()
    create = f"python3 -m venv {venv} && {venv}/bin/python -m pip install -r policies/requirements.txt"
    assert steps.index(create) < steps.index("pulumi preview --diff --policy-pack policies")


def test_the_deploy_steps_log_in_for_gcloud_and_for_the_providers(dev: StackGraph) -> None:
    steps = [line for line in _deploy_block().splitlines() if not line.startswith("#")]
    (kubernetes,) = dev.by_type("pulumi:providers:kubernetes")
    assert "--use_application_default_credentials" in kubernetes.inputs["kubeconfig"]
    first_cloud_call = next(i for i, line in enumerate(steps) if line.startswith("gcloud") and " auth " not in line)
    assert "gcloud auth login" in steps[:first_cloud_call]  # gcloud's own commands use gcloud's credentials
    assert "gcloud auth application-default login" in steps[:first_cloud_call]
    backend = "\n".join(steps)
    assert backend.index("PULUMI_CONFIG_PASSPHRASE") < backend.index("pulumi stack select --create")


@pytest.mark.parametrize("path", DOC_PATHS, ids=lambda p: p.relative_to(PROJECT_ROOT).as_posix())
def test_policy_pack_config_files_the_docs_name_exist(path: Path) -> None:
    named = re.findall(r"--policy-pack-config (policies/[\w./-]+)", DOCS[path])
    assert [file for file in named if not (PROJECT_ROOT / file).is_file()] == []


def test_headings_the_program_points_at_exist() -> None:
    pointers = []
    for source in sorted((PROJECT_ROOT / "components").rglob("*.py")):
        text = " ".join(source.read_text(encoding="utf-8").split())
        for doc, heading in re.findall(r"\((README|docs/\w+\.md), [\"']([^\"']+)[\"']\)", text):
            pointers.append((source.name, doc, heading))
    assert pointers  # the program does point at sections
    missing = []
    for name, doc, heading in pointers:
        target = README_PATH if doc == "README" else PROJECT_ROOT / doc
        if _slug(heading) not in _anchors(target.read_text(encoding="utf-8")):
            missing.append((name, doc, heading))
    assert missing == []
