"""The policy runner's own decisions (`tools/policy.py`), held literally: the report's text, which
diagnostics could not run, the default provider sent with each resource, config defaults."""

from __future__ import annotations

from pathlib import Path

import pytest
from google.protobuf import empty_pb2
from pulumi.runtime.proto import analyzer_pb2

from tools.graph import Registration, StackGraph
from tools.policy import (
    CANT_RUN_MARKER,
    PolicyPackProcess,
    PolicyReport,
    Violation,
    _package_version,
    _violations,
    _Wire,
    format_report,
    resolve_config,
)

STACK_URN = "urn:pulumi:dev::llm-platform::pulumi:pulumi:Stack::llm-platform-dev"


def violation(policy: str, level: str, message: str, urn: str = "") -> Violation:
    return Violation(policy=policy, level=level, severity="high", message=message, urn=urn)


def test_the_report_lists_each_group_and_the_verdict() -> None:
    report = PolicyReport(
        violations=[
            violation("b-policy", "advisory", "one line only", "urn:b"),
            violation("a-policy", "mandatory", "a-policy: summary\nthe first detail\nthe second detail", "urn:a"),
        ],
        not_run=[violation("c-policy", "advisory", "c-policy: during preview:\nreads an unknown")],
    )
    assert format_report(report, "dev", "llm-platform-policies") == "\n".join(
        [
            "policy pack llm-platform-policies run on stack dev:",
            "",
            "mandatory: 1",
            "  [high] a-policy  urn:a",
            "      the first detail",
            "      the second detail",
            "",
            "advisory: 1",
            "  [high] b-policy  urn:b",
            "      one line only",
            "",
            "could not run (unknown during preview): 1",
            "  [high] c-policy  (stack)",
            "      reads an unknown",
            "",
            "FAILED: mandatory policy violations",
        ]
    )
    assert format_report(PolicyReport(), "prod").splitlines()[0] == "policy pack run on stack prod:"
    assert format_report(PolicyReport(), "prod").endswith("\npassed every mandatory policy")


def test_only_the_packs_cant_run_advisory_counts_as_not_run() -> None:
    def diagnostic(message: str) -> analyzer_pb2.AnalyzeDiagnostic:
        return analyzer_pb2.AnalyzeDiagnostic(policyName="p", message=message)

    response = analyzer_pb2.AnalyzeResponse(
        diagnostics=[
            diagnostic(f"can't run policy 'p' {CANT_RUN_MARKER} unknown"),
            diagnostic(f"a message that quotes {CANT_RUN_MARKER} only"),
            diagnostic("can't run policy, said by a policy"),
        ]
    )
    assert [cant_run for cant_run, _ in _violations(response, "urn:x")] == [True, False, False]


def test_a_resource_is_sent_with_its_default_provider_configured_from_the_stack() -> None:
    def registration(type_: str, name: str, custom: bool = True) -> Registration:
        return Registration(f"urn:{name}", type_, name, STACK_URN, custom, [], {}, False, False, [], [], "")

    bucket = registration("gcp:storage/bucket:Bucket", "b")
    component = registration("llm:index:Store", "c", custom=False)
    provider = registration("pulumi:providers:gcp", "gcp")
    graph = StackGraph("dev", [bucket, component, provider], {})
    wire = _Wire(graph, "llm-platform", {"gcp:project": "p-1", "gcp:region": "r-1", "llm-platform:x": "y"})
    sent = wire.provider(bucket)
    assert sent is not None
    assert sent.type == "pulumi:providers:gcp"
    assert sent.name.startswith("default_")
    assert {k: v for k, v in sent.properties.items() if k != "version"} == {"project": "p-1", "region": "r-1"}
    assert wire.provider(component) is None
    assert wire.provider(provider) is None


def test_a_policy_config_default_fills_an_unset_property(pack) -> None:
    resolved = resolve_config(pack.info(), {})
    assert resolved["lb-backend-timeout"] == ("mandatory", {"minTimeoutSec": 300})
    assert resolve_config(pack.info(), {"lb-backend-timeout": {"minTimeoutSec": 600}})["lb-backend-timeout"][1] == {
        "minTimeoutSec": 600
    }


def test_the_stack_request_holds_the_root_then_each_resource_then_each_default_provider_once() -> None:
    def bucket(name: str) -> Registration:
        return Registration(
            f"urn:{name}", "gcp:storage/bucket:Bucket", name, STACK_URN, True, [], {}, False, False, [], [], ""
        )

    graph = StackGraph("dev", [bucket("a"), bucket("b")], {})
    request = _Wire(graph, "llm-platform", {"gcp:project": "p-1"}).stack_request()
    assert [(r.type, r.name) for r in request.resources][:3] == [
        ("pulumi:pulumi:Stack", "llm-platform-dev"),
        ("gcp:storage/bucket:Bucket", "a"),
        ("gcp:storage/bucket:Bucket", "b"),
    ]
    (default,) = request.resources[3:]
    assert default.type == "pulumi:providers:gcp"
    assert default.urn == request.resources[1].provider.urn == request.resources[2].provider.urn
    assert default.properties["project"] == "p-1"


def test_a_package_that_is_not_installed_has_version_zero() -> None:
    assert _package_version("no_such_provider") == "0.0.0"


def test_the_pack_process_gets_its_environment_and_is_stopped_on_close() -> None:
    with PolicyPackProcess(env={"LLM_PLATFORM_PROBE": "on"}) as process:
        environ = Path(f"/proc/{process.process.pid}/environ").read_bytes().split(b"\0")
        assert b"LLM_PLATFORM_PROBE=on" in environ
    assert process.process.returncode is not None  # terminated, not left running
    assert process.process.stdout is not None and process.process.stdout.closed
    with pytest.raises(ValueError, match="closed channel"):  # the channel is closed, not just the process gone
        process.stub.GetAnalyzerInfo(empty_pb2.Empty())


def test_a_pack_that_fails_to_start_is_reported_with_all_it_wrote(tmp_path: Path) -> None:
    # Mutation testing found this path raising "seek of closed file" instead: the pack's output was
    # read after the file holding it was closed.
    (tmp_path / "__main__.py").write_text(
        'import sys\nsys.stderr.write("ImportError: no module named pulumi_policy\\n")\nsys.exit(3)\n'
    )
    with pytest.raises(RuntimeError) as raised:
        PolicyPackProcess(tmp_path)
    assert str(raised.value) == (
        "the policy pack did not print its port (got ''):\nImportError: no module named pulumi_policy\n"
    )
