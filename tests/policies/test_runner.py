"""`tools/policy.py` and `python -m tools policy`: the engine's protocol, unknowns, secrets, config."""

from __future__ import annotations

import json
from pathlib import Path

import grpc
import pytest
from google.protobuf import empty_pb2, json_format
from pulumi.runtime import rpc
from pulumi.runtime.proto import analyzer_pb2

from tests.conftest import STACKS
from tests.policies.conftest import changed, find, swapped
from tests.policies.test_stack import without_budget
from tools.__main__ import main
from tools.graph import evaluate
from tools.policy import PolicyConfigError, _Wire, engine_value, run_policies
from tools.stack_config import load_stack_config

CLUSTER = ("gcp:container/cluster:Cluster", "gke-cluster")


@pytest.mark.parametrize("stack", STACKS)
def test_stacks_pass_every_mandatory_policy(pack, graphs, stack: str) -> None:
    report = run_policies(pack, graphs[stack], stack_config=load_stack_config(stack))
    assert report.mandatory == []
    assert report.not_run == []
    assert report.advisory == []


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_no_policy_touches_a_value_a_first_preview_cannot_know(pack, stack: str) -> None:
    """In the first preview of a new stack every provider output is unknown; no policy may depend on one."""
    graph = evaluate(stack, preview=True)
    assert "[unknown]" in graph.to_json()  # the node account's e-mail, the VPC id, the cluster id, ...
    report = run_policies(pack, graph, stack_config=load_stack_config(stack))
    assert report.not_run == [] and report.mandatory == []


def test_a_policy_that_meets_an_unknown_cannot_run_and_does_not_fail_the_run(pack, graphs) -> None:
    graph = graphs["prod"]
    cluster = find(graph, CLUSTER)
    unknown = changed(cluster, {"privateClusterConfig": "[unknown]"})
    report = run_policies(pack, swapped(graph, cluster, unknown), resources=[unknown])
    (not_run,) = [v for v in report.not_run if v.policy == "gke-private-nodes"]
    assert "can't be known during preview" in not_run.message and not_run.level == "advisory"
    assert not report.by_policy("gke-private-nodes")  # as in a real preview: the mandatory policy passes silently


def test_unknowns_and_secrets_go_on_the_wire_as_the_engine_marshals_them() -> None:
    value = engine_value({"a": "[unknown]", "b": ["[secret]", 1.0], "c": {"d": "text"}})
    assert value["a"] == rpc.UNKNOWN
    assert value["b"][0] == {rpc._special_sig_key: rpc._special_secret_sig, "value": "[secret]"}
    assert value["c"] == {"d": "text"} and value["b"][1] == 1.0


def test_secret_values_reach_policies_unwrapped_and_are_never_echoed(pack, policy_graphs) -> None:
    graph = policy_graphs["edge"]
    secret = find(graph, ("kubernetes:core/v1:Secret", "edge-api-key"))
    assert secret.inputs["stringData"] == "[secret]"  # the recorded graph masks it where it is
    small = find(graph, ("kubernetes:apps/v1:Deployment", "edge-small"))
    hidden = changed(small, {"spec.template.spec.containers.0.image": "[secret]"})
    report = run_policies(pack, swapped(graph, small, hidden), resources=[hidden, secret])
    # The pack unwraps the secret to its (placeholder) plaintext: the image has no tag, so the policy fires ...
    (violation,) = report.by_policy("k8s-pinned-images")
    # ... and no message repeats the value.
    assert all("[secret]" not in v.message for v in report.violations + report.not_run)
    assert violation.level == "mandatory"


def test_requests_carry_options_and_the_provider(graphs) -> None:
    graph = graphs["prod"]
    wire = _Wire(graph, "llm-platform", load_stack_config("prod"))
    cluster = find(graph, CLUSTER)
    request = wire.analyze_request(cluster)
    assert request.options.protect is True
    assert list(request.options.ignoreChanges) == ["initialNodeCount", "nodeConfig"]
    assert request.options.parent == cluster.parent
    assert request.provider.type == "pulumi:providers:gcp" and request.provider.name.startswith("default_")
    assert json_format.MessageToDict(request.provider.properties)["project"] == "replace-me-llm-prod"
    namespace = find(graph, ("kubernetes:core/v1:Namespace", "serving-namespace"))
    assert wire.analyze_request(namespace).provider.urn == namespace.provider  # the explicit provider
    stack = wire.stack_request()
    root = stack.resources[0]
    assert root.type == "pulumi:pulumi:Stack"
    pool = next(r for r in stack.resources if r.urn.endswith("tier-large-pool"))
    assert any("ResourcePolicy" in d for d in pool.dependencies) and pool.parent.endswith("tier-large")


def test_the_pack_serves_what_the_engine_asks_and_refuses_what_python_packs_lack(pack) -> None:
    assert pack.plugin_version() == "1.21.0"
    with pytest.raises(grpc.RpcError) as raised:
        pack.stub.Handshake(analyzer_pb2.AnalyzerHandshakeRequest(engine_address="127.0.0.1:1"))
    assert raised.value.code() == grpc.StatusCode.UNIMPLEMENTED
    with pytest.raises(grpc.RpcError):
        pack.stub.Cancel(empty_pb2.Empty())


def test_policy_config_overrides_levels_for_all_and_per_policy(pack, graphs) -> None:
    graph = without_budget(graphs["dev"])
    assert run_policies(pack, graph, config={"all": "disabled"}).violations == []
    report = run_policies(pack, graph, config={"all": "disabled", "stack-budget-exists": "advisory"})
    assert [(v.policy, v.level) for v in report.violations] == [("stack-budget-exists", "advisory")]
    # The next run is configured afresh: the policy is mandatory again.
    assert [v.policy for v in run_policies(pack, graph).mandatory] == ["stack-budget-exists"]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"no-such-policy": "mandatory"}, "unknown policies: no-such-policy"),
        ({"gke-private-nodes": "sometimes"}, "enforcement level 'sometimes'"),
        ({"lb-backend-timeout": {"minTimeoutSec": "long"}}, "'long' is not of type 'integer'"),
        ({"gke-private-nodes": {"colour": "blue"}}, "Additional properties are not allowed"),
    ],
)
def test_bad_policy_config_is_refused(pack, graphs, config: dict, message: str) -> None:
    with pytest.raises(PolicyConfigError, match=message):
        run_policies(pack, graphs["dev"], config=config)


def test_cli_exits_non_zero_on_a_mandatory_violation_and_lists_it(tmp_path: Path, graphs, capsys) -> None:
    graph = graphs["prod"]
    cluster = find(graph, CLUSTER)
    broken = swapped(graph, cluster, changed(cluster, {"enableLegacyAbac": True}))
    recorded = tmp_path / "prod.json"
    recorded.write_text(broken.to_json())
    assert main(["policy", "prod", "--graph", str(recorded)]) == 1
    out = capsys.readouterr().out
    assert "mandatory: 1" in out and f"gke-no-legacy-abac  {cluster.urn}" in out
    assert "FAILED: mandatory policy violations" in out

    demoted = tmp_path / "policy-config.json"
    demoted.write_text(json.dumps({"gke-no-legacy-abac": {"enforcementLevel": "advisory"}}))
    assert main(["policy", "prod", "--graph", str(recorded), "--config", str(demoted)]) == 0
    assert "passed every mandatory policy" in capsys.readouterr().out


def test_cli_passes_on_the_real_stack(cli_reads_session_graphs, capsys) -> None:
    assert main(["policy", "dev"]) == 0
    out = capsys.readouterr().out
    assert "mandatory: 0" in out and "advisory: 0" in out


def test_cli_refuses_a_bad_config_file(tmp_path: Path, graphs, capsys) -> None:
    recorded = tmp_path / "dev.json"
    recorded.write_text(graphs["dev"].to_json())
    config = tmp_path / "bad.json"
    config.write_text(json.dumps({"nope": "advisory"}))
    assert main(["policy", "dev", "--graph", str(recorded), "--config", str(config)]) == 2
    assert "unknown policies: nope" in capsys.readouterr().err
