"""`python -m tools smoke`: against a real OpenAI-compatible HTTP server on loopback (tests/fake_openai.py)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fake_openai import Behaviour, openai_server
from tools.__main__ import main
from tools.smoke import SmokeError, stack_outputs, target

KEY = "sk-smoke-test-key-0123456789"
SMALL, MEDIUM = "meta-llama/Llama-3.1-8B-Instruct", "meta-llama/Llama-3.3-70B-Instruct"


def outputs(url: str, auth: str = "apiKey") -> dict[str, object]:
    """What `pulumi stack output --json --show-secrets` prints for a two-tier stack (prod's shape)."""
    return {
        "endpoint": {"url": url, "auth": auth, "https": False, "ip": "203.0.113.10", "defaultTier": "medium"},
        "apiKey": KEY,
        "tiers": {
            "small": {"path": "/simple/v1", "servedModelName": SMALL},
            "medium": {"path": "/v1", "servedModelName": MEDIUM},
            "parked": {"path": None, "servedModelName": "org/unrouted"},
        },
    }


@pytest.fixture
def behaviour() -> Behaviour:
    return Behaviour(key=KEY, tiers={"/simple": SMALL, "": MEDIUM})


@pytest.fixture
def server(behaviour: Behaviour) -> Iterator[str]:
    with openai_server(behaviour) as url:
        yield url


def run(tmp_path: Path, document: object, *extra: str) -> int:
    saved = tmp_path / "outputs.json"
    saved.write_text(json.dumps(document), encoding="utf-8")
    return main(["smoke", "--outputs", str(saved), "--first-token-timeout", "5", "--timeout", "10", *extra])


def test_every_routed_tier_answers_with_its_served_model(
    server: str, behaviour: Behaviour, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(tmp_path, outputs(server))
    out = capsys.readouterr().out

    assert code == 0, out
    assert "2 of 2 tiers answered" in out
    small = next(line for line in out.splitlines() if line.startswith("small"))
    assert " ok " in small and "/simple/v1 meta-llama/Llama-3.1-8B-Instruct: 5 tokens" in small
    assert " s " in small and "tok/s" in small  # TTFT and tokens/s are reported
    assert ("GET", "/simple/v1/models") in behaviour.requests and ("POST", "/v1/chat/completions") in behaviour.requests
    assert not [r for r in behaviour.requests if "unrouted" in r[1]]
    assert KEY not in out


def test_a_wrong_key_fails_every_tier_and_the_key_is_never_printed(
    server: str, behaviour: Behaviour, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    behaviour.key = "sk-the-servers-real-key"
    behaviour.echo_authorization = True  # even a server that repeats the header back

    code = run(tmp_path, outputs(server))
    captured = capsys.readouterr()

    assert code == 1
    assert captured.out.count("HTTP 401: the credential was refused") == 2
    assert "0 of 2 tiers answered; 2 failed" in captured.out
    assert KEY not in captured.out + captured.err
    assert "[redacted]" in captured.out


def test_a_route_to_the_wrong_model_fails_that_tier(
    server: str, behaviour: Behaviour, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    behaviour.tiers["/simple"] = "meta-llama/Llama-3.1-405B-Instruct"

    code = run(tmp_path, outputs(server))
    out = capsys.readouterr().out

    assert code == 1
    small = next(line for line in out.splitlines() if line.startswith("small"))
    assert (
        "FAIL" in small
        and "lists ['meta-llama/Llama-3.1-405B-Instruct'], not 'meta-llama/Llama-3.1-8B-Instruct'" in small
    )
    assert "1 of 2 tiers answered; 1 failed" in out


def test_a_served_name_the_server_does_not_know_is_its_404(
    server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(tmp_path, outputs(server), "--tier", "medium", "/v1", "org/not-served")
    out = capsys.readouterr().out

    assert code == 1
    assert "lists ['meta-llama/Llama-3.3-70B-Instruct'], not 'org/not-served'" in out


def test_a_slow_first_token_fails_with_the_time_it_waited(
    server: str, behaviour: Behaviour, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    behaviour.first_token_delay_s = 1.5
    saved = tmp_path / "outputs.json"
    saved.write_text(json.dumps(outputs(server)), encoding="utf-8")

    code = main(
        ["smoke", "--outputs", str(saved), "--first-token-timeout", "0.2", "--tier", "small", "/simple/v1", SMALL]
    )
    out = capsys.readouterr().out

    assert code == 1
    assert "no first token within 0.2 s" in out


def test_a_dropped_stream_fails_before_done(
    server: str, behaviour: Behaviour, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    behaviour.drop_after_tokens = 2

    code = run(tmp_path, outputs(server))
    out = capsys.readouterr().out

    assert code == 1
    assert out.count("before [DONE] after 2 tokens") == 2


def test_url_and_key_by_hand_override_the_outputs(
    server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = outputs("http://192.0.2.1:9")  # unreachable: the --url given by hand is the one called
    document["apiKey"] = "sk-stale"
    code = run(tmp_path, document, "--url", server, "--api-key", KEY)
    out = capsys.readouterr().out

    assert code == 0, out
    assert KEY not in out and "sk-stale" not in out


def test_with_tenants_the_named_tenants_key_is_sent(
    server: str, behaviour: Behaviour, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = outputs(server)
    del document["apiKey"]  # with tenants the stack exports tenantApiKeys only
    document["tenantApiKeys"] = {"batch": "sk-batch-wrong", "search": KEY}
    assert run(tmp_path, document, "--tenant", "search") == 0
    assert "2 of 2 tiers answered" in capsys.readouterr().out
    assert run(tmp_path, document) == 1  # the first tenant by name, batch, whose key the server refuses
    out = capsys.readouterr().out
    assert "sk-batch-wrong" not in out
    with pytest.raises(SmokeError, match="tenant 'nobody' is not in the tenantApiKeys output"):
        target(document, tenant="nobody")


def test_an_endpoint_without_a_credential_stops_before_calling(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SmokeError, match="auth is iap and no credential"):
        target(outputs("https://llm.example.com", auth="iap") | {"apiKey": None})
    with pytest.raises(SmokeError, match="no endpoint URL"):
        target({"tiers": {}})


def test_outputs_come_from_pulumi_stack_output_with_secrets() -> None:
    seen: list[list[str]] = []

    def fake_run(command: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        seen.append(command)
        return subprocess.CompletedProcess(command, 0, stdout=json.dumps({"endpoint": {"url": "http://x"}}), stderr="")

    assert stack_outputs("prod", run=fake_run) == {"endpoint": {"url": "http://x"}}
    assert seen == [["pulumi", "stack", "output", "--json", "--show-secrets", "--stack", "prod"]]


def test_a_missing_pulumi_cli_is_a_clean_error() -> None:
    def no_cli(command: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        raise FileNotFoundError("pulumi")

    with pytest.raises(SmokeError, match="the Pulumi CLI is not installed"):
        stack_outputs("prod", run=no_cli)


def test_the_cli_reports_a_bad_outputs_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    assert main(["smoke", "--outputs", str(tmp_path / "bad.json")]) == 2
    assert capsys.readouterr().err.startswith("error: ")
