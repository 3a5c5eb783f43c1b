"""The offline toolchain's command line, as a user runs it."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from tools.__main__ import main
from tools.bench import replay, sdk_classes, typed_replay
from tools.graph import StackGraph, record
from tools.render import mermaid
from tools.stack_config import PROJECT_ROOT, load_stack_config, project_name


def test_preview_writes_the_canonical_json(tmp_path: Path, dev: StackGraph, capsys, caplog) -> None:
    target = tmp_path / "dev.json"
    assert main(["preview", "dev", "--json", str(target)]) == 0
    document = json.loads(target.read_text())
    assert target.read_text() == dev.to_json()
    urns = [r["urn"] for r in document["resources"]]
    assert urns == sorted(urns)
    assert set(document["resources"][0]) == {
        "urn",
        "type",
        "name",
        "parent",
        "custom",
        "dependencies",
        "inputs",
        "protect",
        "retainOnDelete",
        "aliases",
        "ignoreChanges",
        "provider",
    }
    out = capsys.readouterr().out
    assert "offline preview of stack dev" in out
    assert "resources by type" in out
    # The committed placeholders pass offline, and the preview warns what a real run will ask for.
    assert "a real preview or up stops until these placeholders are set:" in caplog.text
    assert "pulumi config set gcp:project VALUE" in caplog.text


def test_mermaid_has_a_subgraph_per_component(dev: StackGraph) -> None:
    picture = mermaid(dev)
    components = [r for r in dev.resources if not r.custom]
    assert picture.startswith("flowchart LR")
    assert picture.count("subgraph ") == len(components)
    assert "network-vpc<br/>Network" in picture


def test_mermaid_draws_dependencies_between_components(prod: StackGraph) -> None:
    picture = mermaid(prod)
    network = "n_llm_platform_network_Network__network"
    cluster = "n_llm_platform_gke_Cluster__gke"
    services = "n_llm_platform_project_Services__services"
    assert f"{cluster} -.->|depends on| {network}" in picture
    assert f"{network} -.->|depends on| {services}" in picture
    assert f"{services} -.->|depends on|" not in picture


def test_secret_inputs_are_masked_in_the_recorded_graph() -> None:
    import pulumi
    import pulumi_gcp as gcp

    graph = record(
        lambda: gcp.storage.Bucket("b", location="US", labels={"token": pulumi.Output.secret("hunter2")}),
        stack="test",
        project="llm-platform",
    )
    # Masked where the secret is, as the engine keeps it (the SDK's deserializer would lift it to the map).
    assert graph.one("gcp:storage/bucket:Bucket").inputs["labels"] == {"token": "[secret]"}
    assert "hunter2" not in graph.to_json()


def test_unparsable_stack_file_is_a_clean_error(tmp_path: Path, capsys) -> None:
    (tmp_path / "Pulumi.yaml").write_text((PROJECT_ROOT / "Pulumi.yaml").read_text())
    (tmp_path / "Pulumi.bad.yaml").write_text("config:\n  gcp:project: [unclosed\n")
    assert main(["preview", "bad", "--project-dir", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith("error: Pulumi.bad.yaml:3: ")


def test_unknown_stack_is_a_clean_error(capsys) -> None:
    assert main(["preview", "nope"]) == 2
    assert "no stack file Pulumi.nope.yaml (stacks here: dev, legacy, prod, staging)" in capsys.readouterr().err


def test_bad_config_exits_non_zero_with_keyed_message_and_no_traceback(tmp_path: Path, capsys) -> None:
    for name in ("__main__.py", "Pulumi.yaml"):
        (tmp_path / name).write_text((PROJECT_ROOT / name).read_text())
    (tmp_path / "components").symlink_to(PROJECT_ROOT / "components")
    (tmp_path / "Pulumi.broken.yaml").write_text(
        "config:\n  gcp:project: replace-me-llm-dev\n  gcp:zone: us-east1-b\n"
        "  llm-platform:environment: qa\n  llm-platform:colour: blue\n"
    )
    assert main(["preview", "broken", "--project-dir", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    assert err.startswith("error: stack broken: invalid stack configuration:")
    assert "llm-platform:colour: unknown key (allowed: " in err
    assert "llm-platform:environment: 'qa' is not a valid choice (allowed: dev, staging, prod)" in err
    assert "llm-platform:tiers: required but not set" in err
    assert err.endswith("(the program stopped before registering any resource)\n")
    assert out == ""


def test_stack_loader_passes_values_as_the_engine_does() -> None:
    values = load_stack_config("dev")
    assert values["gcp:region"] == "us-central1"
    assert json.loads(values["llm-platform:network"])["privateServicesCidr"] == "10.24.0.0/22"
    assert values["llm-platform:environment"] == "dev"


def test_nested_secure_values_reach_the_program_as_opaque_secrets(tmp_path: Path) -> None:
    # `pulumi config set --secret --path 'llm-platform:gateway.auth.apiKey' KEY` writes a nested secure value.
    (tmp_path / "Pulumi.yaml").write_text((PROJECT_ROOT / "Pulumi.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    stack = (PROJECT_ROOT / "Pulumi.dev.yaml").read_text(encoding="utf-8")
    stack = stack.replace("      mode: apiKey", "      apiKey:\n        secure: v1:AAAA\n      mode: apiKey", 1)
    (tmp_path / "Pulumi.dev.yaml").write_text(stack, encoding="utf-8")
    values = load_stack_config("dev", tmp_path)
    gateway = json.loads(values["llm-platform:gateway"])
    assert gateway["auth"] == {"apiKey": "[secret]", "mode": "apiKey"}


def test_checkov_without_its_virtualenv_is_one_clean_line(tmp_path: Path, dev: StackGraph, monkeypatch, capsys) -> None:
    import tools.tfplan

    recorded = tmp_path / "dev.json"
    recorded.write_text(dev.to_json(), encoding="utf-8")
    monkeypatch.setattr(tools.tfplan, "checkov_executable", lambda root: tmp_path / ".venv-checkov" / "bin" / "checkov")
    code = main(["export", "dev", "--graph", str(recorded), "--out", str(tmp_path / "out"), "--checkov"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("error: checkov is not installed in .venv-checkov")
    create = "python3 -m venv .venv-checkov && .venv-checkov/bin/python -m pip install -r requirements-checkov.txt"
    assert f"`{create}`" in err


def test_the_committed_policy_config_lets_a_stack_without_a_budget_through(tmp_path: Path, dev: StackGraph, capsys):
    # The file README's deployment section passes to `pulumi preview --policy-pack-config` for users
    # without billing rights: `python -m tools policy --config` takes the same file.
    config = PROJECT_ROOT / "policies" / "without-billing-rights.json"
    levels = json.loads(config.read_text(encoding="utf-8"))
    assert set(levels) == {"stack-budget-exists"}  # it lowers the budget policy and nothing else
    recorded = tmp_path / "dev-without-budget.json"
    resources = [r for r in dev.resources if r.type != "gcp:billing/budget:Budget"]
    recorded.write_text(StackGraph(dev.stack, resources, dev.outputs).to_json(), encoding="utf-8")
    assert main(["policy", "dev", "--graph", str(recorded), "--config", str(config)]) == 0
    report = capsys.readouterr().out
    assert "mandatory: 0" in report
    assert "advisory: 1\n  [medium] stack-budget-exists" in report


@pytest.mark.parametrize("typed", [False, True], ids=["untyped", "typed"])
def test_the_bench_replays_register_the_stack_again_as_it_was(prod: StackGraph, typed: bool) -> None:
    # A replay floor is only a floor for this graph if it sends the engine the same registrations.
    registrations = [asdict(r) for r in prod.resources]
    program = typed_replay(registrations, sdk_classes("prod")) if typed else replay(registrations)
    replayed = record(program, stack="prod", project=project_name())

    def sent(graph: StackGraph) -> list[dict[str, object]]:
        return sorted((asdict(r) for r in graph.resources), key=lambda r: str(r["urn"]))

    assert sent(replayed) == sent(prod)
