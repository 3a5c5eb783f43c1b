"""`python -m tools smoke <stack>`: does every tier of a deployed stack answer, through the Gateway?

For each tier the stack routes: `GET <path>/models` must list the tier's served model name, then one
streamed chat completion names that model; the report gives each tier's status, time to first token
and generated tokens per second, and the command exits 1 if any tier fails. Endpoint, paths, served
names and the key come from `pulumi stack output --json --show-secrets` (or a saved copy of it, or
`--url` / `--api-key` given by hand); with tenants the key is `tenantApiKeys.<--tenant>`, the first
tenant by name unless `--tenant` names one (a tenant with a tier allow-list gets 401 elsewhere).
The key is sent as `Authorization: Bearer`, never printed:
every text the report shows has it replaced.

Standard library only (`http.client`): an OpenAI-compatible stream is server-sent events, one
`data: {json}` line per chunk and `data: [DONE]` at the end, which is what is checked.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

KEY_ENV = "LLM_PLATFORM_API_KEY"
PROMPT = "Reply with one short sentence: the platform is up."


class SmokeError(RuntimeError):
    """The smoke test cannot start (no outputs, no URL, no key where one is needed)."""


@dataclass(frozen=True)
class Tier:
    name: str
    path: str  # e.g. /simple/v1
    model: str  # the served model name requests must name


@dataclass(frozen=True)
class Target:
    url: str
    key: str | None
    tiers: tuple[Tier, ...]


@dataclass(frozen=True)
class Result:
    tier: Tier
    ok: bool
    detail: str
    ttft_s: float | None = None
    tokens_per_s: float | None = None
    tokens: int = 0


def stack_outputs(stack: str, run: Callable[..., subprocess.CompletedProcess[str]] = subprocess.run) -> dict[str, Any]:
    """The stack's outputs as `pulumi stack output` prints them (secrets shown: the key is one)."""
    command = ["pulumi", "stack", "output", "--json", "--show-secrets", "--stack", stack]
    try:
        done = run(command, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise SmokeError("the Pulumi CLI is not installed: pass --outputs FILE, or --url and --api-key") from None
    if done.returncode != 0:
        raise SmokeError(f"`pulumi stack output` failed for stack {stack}: {done.stderr.strip()[:300]}")
    outputs: dict[str, Any] = json.loads(done.stdout)
    return outputs


def output_key(outputs: Mapping[str, Any], tenant: str | None = None) -> str | None:
    """The key the outputs hold: the shared `apiKey`, or with tenants `tenant`'s (default: the first by name)."""
    tenants: Mapping[str, str] = outputs.get("tenantApiKeys") or {}
    if tenant is not None and tenant not in tenants:
        known = ", ".join(sorted(tenants)) or "none: the stack has no tenants"
        raise SmokeError(f"tenant {tenant!r} is not in the tenantApiKeys output (allowed: {known})")
    if tenants:
        return tenants[tenant or sorted(tenants)[0]]
    key: str | None = outputs.get("apiKey")
    return key


def target(
    outputs: Mapping[str, Any],
    url: str | None = None,
    key: str | None = None,
    tiers: tuple[Tier, ...] = (),
    tenant: str | None = None,
) -> Target:
    """Where to call and what each tier serves, from the outputs; `url`, `key` and `tiers` override them."""
    endpoint = outputs.get("endpoint") or {}
    base = (url or endpoint.get("url") or "").rstrip("/")
    if not base:
        raise SmokeError("no endpoint URL: the outputs have no endpoint.url (pass --url)")
    auth = endpoint.get("auth", "apiKey")
    key = key or os.environ.get(KEY_ENV) or (output_key(outputs, tenant) if auth == "apiKey" else None)
    if auth != "none" and not key:
        hint = (
            'an ID token: --api-key "$(gcloud auth print-identity-token --audiences=CLIENT_ID)"'
            if auth == "iap"
            else "the key: `pulumi stack output apiKey --show-secrets`, or tenantApiKeys with tenants"
        )
        raise SmokeError(f"the endpoint's auth is {auth} and no credential was given (pass {hint}, or set {KEY_ENV})")
    tiers = tiers or tuple(
        Tier(name, str(figures["path"]), str(figures["servedModelName"]))
        for name, figures in sorted((outputs.get("tiers") or {}).items())
        if figures.get("path")
    )
    if not tiers:
        raise SmokeError("the outputs route no tier (tiers.<name>.path): nothing to call (pass --tier NAME PATH MODEL)")
    return Target(base, key, tiers)


def redact(text: str, key: str | None) -> str:
    return text.replace(key, "[redacted]") if key else text


def _connect(url: str, timeout: float) -> tuple[http.client.HTTPConnection, str]:
    parts = urlsplit(url)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    return kind(parts.netloc, timeout=timeout), parts.path


def _headers(key: str | None) -> dict[str, str]:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    return {**headers, "Authorization": f"Bearer {key}"} if key else headers


def _refusal(status: int, body: bytes) -> str:
    text = body[:300].decode(errors="replace")
    if status in (401, 403):
        return f"HTTP {status}: the credential was refused ({text})"
    return f"HTTP {status}: {text}"


def check_models(base: str, tier: Tier, key: str | None, timeout: float) -> str | None:
    """None when `<path>/models` lists the tier's served name, else what is wrong."""
    connection, prefix = _connect(base + tier.path + "/models", timeout)
    try:
        connection.request("GET", prefix, headers=_headers(key))
        response = connection.getresponse()
        body = response.read()
    except (OSError, http.client.HTTPException) as exc:
        return f"GET {tier.path}/models: {type(exc).__name__}: {exc}"
    finally:
        connection.close()
    if response.status != 200:
        return f"GET {tier.path}/models: {_refusal(response.status, body)}"
    served = [entry.get("id") for entry in json.loads(body or b"{}").get("data", [])]
    if tier.model not in served:
        return (
            f"GET {tier.path}/models lists {served}, not {tier.model!r}: a route to the wrong tier, or the wrong model"
        )
    return None


def _events(response: http.client.HTTPResponse) -> Any:
    """The `data:` payloads of a server-sent event stream, in order."""
    while True:
        line = response.readline()
        if not line:
            return
        text = line.decode(errors="replace").strip()
        if text.startswith("data:"):
            yield text[5:].strip()


def stream_completion(base: str, tier: Tier, key: str | None, first_token_s: float, timeout: float) -> Result:
    """One streamed chat completion: time to the first token, tokens per second, and a complete stream."""
    body = json.dumps(
        {
            "model": tier.model,
            "messages": [{"role": "user", "content": PROMPT}],
            "max_tokens": 32,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
    ).encode()
    connection, path = _connect(base + tier.path + "/chat/completions", first_token_s)
    started, first, chunks, usage = time.monotonic(), None, 0, None
    try:
        connection.request("POST", path, body=body, headers={**_headers(key), "Accept": "text/event-stream"})
        response = connection.getresponse()
        if response.status != 200:
            return Result(
                tier, False, f"POST {tier.path}/chat/completions: {_refusal(response.status, response.read())}"
            )
        for data in _events(response):
            if data == "[DONE]":
                break
            chunk = json.loads(data)
            usage = chunk.get("usage") or usage
            if any((choice.get("delta") or {}).get("content") for choice in chunk.get("choices") or []):
                chunks += 1
                if first is None:
                    first = time.monotonic()
                    if connection.sock is not None:
                        connection.sock.settimeout(timeout)
        else:
            return Result(tier, False, f"the stream ended before [DONE] after {chunks} tokens", _since(started, first))
    except TimeoutError:
        waited = "no first token" if first is None else "the stream stalled"
        return Result(tier, False, f"{waited} within {first_token_s if first is None else timeout:g} s")
    except (OSError, http.client.HTTPException, ValueError) as exc:
        detail = f"the stream broke before [DONE] after {chunks} tokens ({type(exc).__name__})"
        return Result(tier, False, detail, _since(started, first))
    finally:
        connection.close()
    if first is None:
        return Result(tier, False, "the stream finished without a single token")
    tokens = int((usage or {}).get("completion_tokens") or chunks)
    elapsed = time.monotonic() - first
    rate = tokens / elapsed if elapsed > 0 else None
    return Result(tier, True, f"{tokens} tokens", first - started, rate, tokens)


def _since(started: float, first: float | None) -> float | None:
    return None if first is None else first - started


def smoke(target: Target, first_token_s: float = 120, timeout: float = 300) -> list[Result]:
    results = []
    for tier in target.tiers:
        problem = check_models(target.url, tier, target.key, timeout)
        results.append(
            Result(tier, False, problem)
            if problem
            else stream_completion(target.url, tier, target.key, first_token_s, timeout)
        )
    return results


def report(results: list[Result], key: str | None) -> str:
    def figure(value: float | None, unit: str) -> str:
        return "-" if value is None else f"{value:.2f} {unit}"

    lines = [f"{'tier':12} {'status':6} {'TTFT':>10} {'tokens/s':>14}  path, model, detail"]
    for r in results:
        status = "ok" if r.ok else "FAIL"
        lines.append(
            f"{r.tier.name:12} {status:6} {figure(r.ttft_s, 's'):>10} {figure(r.tokens_per_s, 'tok/s'):>14}  "
            f"{r.tier.path} {r.tier.model}: {r.detail}"
        )
    failed = sum(not r.ok for r in results)
    lines.append(f"{len(results) - failed} of {len(results)} tiers answered" + (f"; {failed} failed" if failed else ""))
    return redact("\n".join(lines), key)
