"""The weights Job's own code, run against loopback stand-ins of the Hub, Cloud Storage, Secret
Manager and the metadata server (tests/unit/storage/fake_cloud.py): never the real Hub."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from components.storage import fetch_weights
from tests.unit.storage.fake_cloud import HUB_TOKEN, SECRET_VERSION, CloudState, fake_cloud

BUCKET = "acme-models"
DEST = "models/org/model/" + "a" * 40 + "/"
SHARD = bytes(range(256)) * 4096 * 3  # 3 MiB: several chunks with the test's small chunk size


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fetch_weights, "SLEEP_SCALE", 0.0)
    monkeypatch.setattr(fetch_weights, "CHUNK", 256 * 1024)


@pytest.fixture
def state() -> CloudState:
    return CloudState(
        repo_files={
            "config.json": b'{"architectures": ["LlamaForCausalLM"]}',
            "model-00001-of-00002.safetensors": SHARD,
            "model-00002-of-00002.safetensors": SHARD[::-1],
            "model.safetensors.index.json": b'{"weight_map": {"a": "model-00001-of-00002.safetensors"}}',
            "original/consolidated.00.pth": b"duplicate weights",
            "empty.txt": b"",
        }
    )


@pytest.fixture
def endpoints(state: CloudState) -> Iterator[dict[str, str]]:
    with fake_cloud(state) as env:
        yield env


def fetch_env(endpoints: dict[str, str], **overrides: str) -> dict[str, str]:
    return {
        **endpoints,
        "MODE": "fetch",
        "BUCKET": BUCKET,
        "DEST": DEST,
        "REPO": "org/model",
        "REVISION": "a" * 40,
        "IGNORE": json.dumps(["original/*"]),
        "TOKEN_SECRET": SECRET_VERSION,
        "PARALLEL": "2",
        **overrides,
    }


def run(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    lines: list[str] = []
    code = fetch_weights.main(env, log=lines.append)
    return code, "\n".join(lines) + capsys.readouterr().err


def test_fetch_copies_every_file_but_the_ignored_ones_and_writes_the_marker_last(
    state: CloudState, endpoints: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = run(fetch_env(endpoints), capsys)

    assert code == 0, output
    copied = {name.removeprefix(f"{BUCKET}/{DEST}"): data for name, data in state.objects.items()}
    assert copied.pop(fetch_weights.MARKER) is not None
    assert copied == {name: data for name, data in state.repo_files.items() if not name.startswith("original/")}
    marker = json.loads(state.objects[f"{BUCKET}/{DEST}{fetch_weights.MARKER}"])
    assert marker["repo"] == "org/model" and marker["revision"] == "a" * 40
    uploads = [path for method, path in state.requests if method == "POST" and path.startswith("/upload/")]
    assert len(uploads) == 6  # five resumable sessions, then the marker (a media upload) last
    assert HUB_TOKEN not in output


def test_the_hub_token_reaches_the_hub_only_never_the_cdn_it_redirects_to(
    state: CloudState, endpoints: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = run(fetch_env(endpoints), capsys)

    assert code == 0
    assert any(method == "CDN" for method, _ in state.requests)
    assert state.cdn_authorization == []


def test_a_second_run_finds_the_marker_and_transfers_nothing(
    state: CloudState, endpoints: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(fetch_env(endpoints), capsys)[0] == 0
    state.requests.clear()

    code, output = run(fetch_env(endpoints), capsys)

    assert code == 0
    assert "nothing to fetch" in output
    assert not [r for r in state.requests if r[0] in ("PUT", "POST", "CDN") or r[1].startswith("/api/models/")]


def test_a_retry_after_a_failed_attempt_keeps_the_files_already_complete(
    state: CloudState, endpoints: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    first = "model-00001-of-00002.safetensors"
    state.objects[f"{BUCKET}/{DEST}{first}"] = state.repo_files[first]

    code, output = run(fetch_env(endpoints), capsys)

    assert code == 0
    assert f"kept {first}" in output
    assert ("CDN", f"/cdn/{first}") not in state.requests


def test_a_corrupt_download_fails_before_its_object_exists(
    state: CloudState, endpoints: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    state.corrupt = "model-00002-of-00002.safetensors"

    code, output = run(fetch_env(endpoints), capsys)

    assert code == 1
    assert "SHA-256" in output and "model-00002-of-00002.safetensors" in output
    assert f"{BUCKET}/{DEST}model-00002-of-00002.safetensors" not in state.objects
    assert f"{BUCKET}/{DEST}{fetch_weights.MARKER}" not in state.objects


def test_a_dropped_download_fails_with_how_far_it_got_and_no_marker(
    state: CloudState, endpoints: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    state.drop_after = 300 * 1024

    code, output = run(fetch_env(endpoints, PARALLEL="1"), capsys)

    assert code == 1
    assert "the download stopped at" in output
    assert f"{BUCKET}/{DEST}{fetch_weights.MARKER}" not in state.objects


def test_a_gated_repository_without_a_token_fails_on_the_hub_answer(
    state: CloudState, endpoints: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = run(fetch_env(endpoints, TOKEN_SECRET=""), capsys)

    assert code == 1
    assert "HTTP 401" in output and "restricted" in output


def test_a_public_repository_needs_no_token(
    state: CloudState, endpoints: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    state.gated = False

    code, _ = run(fetch_env(endpoints, TOKEN_SECRET=""), capsys)

    assert code == 0
    assert not [path for _, path in state.requests if path.endswith(":access")]


def test_a_revision_the_hub_does_not_have_fails(
    state: CloudState, endpoints: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = run(fetch_env(endpoints, REVISION="b" * 40), capsys)

    assert code == 1
    assert "Revision Not Found" in output


def test_grants_still_propagating_are_waited_for(
    state: CloudState, endpoints: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    state.denied = 3

    code, output = run(fetch_env(endpoints), capsys)

    assert code == 0, output
    assert state.denied == 0


def test_a_file_name_outside_the_folder_is_refused(
    state: CloudState, endpoints: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    state.repo_files["../escape.json"] = b"{}"

    code, output = run(fetch_env(endpoints), capsys)

    assert code == 1
    assert "outside the folder" in output
    assert not [name for name in state.objects if "escape" in name]


def verify_env(endpoints: dict[str, str]) -> dict[str, str]:
    return {**endpoints, "MODE": "verify", "BUCKET": BUCKET, "DEST": "models/org/uploaded/"}


def test_verify_passes_a_complete_upload(
    state: CloudState, endpoints: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    prefix = f"{BUCKET}/models/org/uploaded/"
    state.objects[prefix + "config.json"] = b"{}"
    state.objects[prefix + "model.safetensors.index.json"] = json.dumps(
        {"weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}
    ).encode()
    state.objects[prefix + "model-00001-of-00002.safetensors"] = b"x"
    state.objects[prefix + "model-00002-of-00002.safetensors"] = b"y"

    code, output = run(verify_env(endpoints), capsys)

    assert code == 0
    assert "2 weight file(s)" in output


def test_verify_names_the_missing_shard_and_the_upload_command(
    state: CloudState, endpoints: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    prefix = f"{BUCKET}/models/org/uploaded/"
    state.objects[prefix + "config.json"] = b"{}"
    index = {"weight_map": {"a": "model-00001-of-00002.safetensors"}}
    state.objects[prefix + "model.safetensors.index.json"] = json.dumps(index).encode()

    code, output = run(verify_env(endpoints), capsys)

    assert code == 1
    assert "model-00001-of-00002.safetensors" in output
    assert "gcloud storage rsync -r LOCAL_MODEL_FOLDER gs://acme-models/models/org/uploaded`" in output


def test_verify_of_an_empty_folder_says_nothing_was_uploaded(
    state: CloudState, endpoints: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = run(verify_env(endpoints), capsys)

    assert code == 1
    assert "holds no config.json" in output


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"MODE": ""}, "missing environment: MODE"),
        ({"REPO": ""}, "missing environment: REPO"),
        ({"MODE": "copy"}, "expected fetch|verify"),
        ({"DEST": "models/no-slash"}, "expected fetch|verify and a folder ending in /"),
    ],
)
def test_a_job_misconfigured_fails_in_one_line(
    overrides: dict[str, str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {"MODE": "fetch", "BUCKET": BUCKET, "DEST": DEST, "REPO": "org/model", "REVISION": "a" * 40, **overrides}

    code, output = run(env, capsys)

    assert code == 1
    assert expected in output
