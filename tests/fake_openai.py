"""A minimal OpenAI-compatible server on loopback, shaped like vLLM's behind the Gateway.

Routes `<prefix>/v1/models` and `<prefix>/v1/chat/completions` for each tier; checks
`Authorization: Bearer <key>` as vLLM's `--api-key` does (401 `{"error": "Unauthorized"}`);
answers an unknown model with vLLM's 404 error body; streams chat completions as server-sent
events over chunked transfer encoding (`data: {chunk}` lines, a usage chunk, `data: [DONE]`).
Faults: a slow first token, and a stream dropped before `[DONE]`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from tests.loopback import serving


@dataclass
class Behaviour:
    key: str
    tiers: dict[str, str]  # path prefix ("" for /v1) -> served model name
    first_token_delay_s: float = 0.0
    drop_after_tokens: int | None = None
    echo_authorization: bool = False  # a careless proxy that repeats the header in its 401 body
    tokens: tuple[str, ...] = ("The", " platform", " is", " up", ".")
    requests: list[tuple[str, str]] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    behaviour: Behaviour
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        return

    def _json(self, status: int, document: object) -> None:
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _tier(self, suffix: str) -> str | None:
        for prefix, model in self.behaviour.tiers.items():
            if self.path == f"{prefix}/v1{suffix}":
                return model
        return None

    def _authorized(self) -> bool:
        given = self.headers.get("Authorization", "")
        if given == f"Bearer {self.behaviour.key}":
            return True
        body: dict[str, str] = {"error": "Unauthorized"}
        if self.behaviour.echo_authorization:
            body["received"] = given
        self._json(401, body)
        return False

    def do_GET(self) -> None:
        self.behaviour.requests.append(("GET", self.path))
        model = self._tier("/models")
        if model is None:
            return self._json(404, {"detail": "Not Found"})
        if self._authorized():
            self._json(200, {"object": "list", "data": [{"id": model, "object": "model", "owned_by": "vllm"}]})
        return None

    def do_POST(self) -> None:
        self.behaviour.requests.append(("POST", self.path))
        model = self._tier("/chat/completions")
        request = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        if model is None:
            return self._json(404, {"detail": "Not Found"})
        if not self._authorized():
            return None
        if request.get("model") != model:
            message = f"The model `{request.get('model')}` does not exist."
            return self._json(404, {"error": {"message": message, "type": "NotFoundError", "code": 404}})
        return self._stream(model)

    def _chunk(self, data: str) -> None:
        payload = f"data: {data}\n\n".encode()
        self.wfile.write(f"{len(payload):x}\r\n".encode() + payload + b"\r\n")
        self.wfile.flush()

    def _stream(self, model: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        time.sleep(self.behaviour.first_token_delay_s)
        for index, token in enumerate(self.behaviour.tokens):
            if self.behaviour.drop_after_tokens is not None and index == self.behaviour.drop_after_tokens:
                self.close_connection = True
                return  # no terminating chunk, no [DONE]: the connection just ends
            delta = {"role": "assistant", "content": token} if index == 0 else {"content": token}
            self._chunk(
                json.dumps(
                    {
                        "id": "c",
                        "object": "chat.completion.chunk",
                        "model": model,
                        "choices": [{"index": 0, "delta": delta, "finish_reason": None}],
                    }
                )
            )
        usage = {"prompt_tokens": 12, "completion_tokens": len(self.behaviour.tokens), "total_tokens": 17}
        self._chunk(
            json.dumps({"id": "c", "object": "chat.completion.chunk", "model": model, "choices": [], "usage": usage})
        )
        self._chunk("[DONE]")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


@contextmanager
def openai_server(behaviour: Behaviour) -> Iterator[str]:
    """The server on a free loopback port; yields its base URL."""
    handler: type[_Handler] = type("Handler", (_Handler,), {"behaviour": behaviour})
    with serving(handler) as base:
        yield base
