"""Loopback stand-ins for what the weights Job talks to: the GKE metadata server, Secret Manager,
the Cloud Storage JSON API (media and resumable uploads), the Hugging Face Hub and the CDN it
redirects downloads to (a second server, so a leaked token would show).

Each speaks only the requests the Job sends, with the status codes and headers the real services
document: resumable sessions answer 308 until the last byte, then 200; the Hub's revision API lists
`siblings` with `lfs.sha256` and `size`; `resolve` redirects with 302.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, unquote, urlsplit

from tests.loopback import serving

GOOGLE_TOKEN = "google-access-token"
HUB_TOKEN = "hf_hub_token_value"
SECRET_VERSION = "projects/p/secrets/hf-token/versions/1"


@dataclass
class CloudState:
    objects: dict[str, bytes] = field(default_factory=dict)  # "bucket/name" -> data
    sessions: dict[str, tuple[str, bytearray]] = field(default_factory=dict)
    repo_files: dict[str, bytes] = field(default_factory=dict)  # the revision's files
    revision: str = "a" * 40
    repo: str = "org/model"
    gated: bool = True
    denied: int = 0  # answer 403 to this many Cloud Storage calls first (IAM still propagating)
    corrupt: str | None = None  # a file the CDN serves with a flipped byte
    drop_after: int | None = None  # the CDN closes the connection after this many bytes
    requests: list[tuple[str, str]] = field(default_factory=list)
    cdn_authorization: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def listing(self) -> dict[str, object]:
        siblings = []
        for name, data in sorted(self.repo_files.items()):
            entry: dict[str, object] = {"rfilename": name, "size": len(data)}
            if name.endswith(".safetensors"):
                entry["lfs"] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "pointerSize": 134}
            siblings.append(entry)
        return {"id": self.repo, "sha": self.revision, "siblings": siblings}


class _Handler(BaseHTTPRequestHandler):
    state: CloudState
    cdn_base: str
    server_base: str

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        return

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, document: object) -> None:
        self._send(status, json.dumps(document).encode(), {"Content-Type": "application/json"})

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _google_caller(self) -> bool:
        if self.headers.get("Authorization") != f"Bearer {GOOGLE_TOKEN}":
            self._json(401, {"error": "no token"})
            return False
        with self.state.lock:
            if self.state.denied > 0:
                self.state.denied -= 1
                self._json(403, {"error": "denied"})
                return False
        return True

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        self.state.requests.append(("GET", url.path))
        if url.path == "/computeMetadata/v1/instance/service-accounts/default/token":
            if self.headers.get("Metadata-Flavor") != "Google":
                return self._send(403)
            return self._json(200, {"access_token": GOOGLE_TOKEN, "expires_in": 3599, "token_type": "Bearer"})
        if url.path == f"/v1/{SECRET_VERSION}:access":
            if not self._google_caller():
                return None
            return self._json(200, {"payload": {"data": base64.b64encode(HUB_TOKEN.encode() + b"\n").decode()}})
        if url.path.startswith("/storage/v1/b/"):
            return self._object(url.path, parse_qs(url.query))
        if url.path.startswith("/api/models/"):
            return self._revision(url.path)
        if "/resolve/" in url.path:
            return self._resolve(url.path)
        return self._send(404)

    def _object(self, path: str, query: dict[str, list[str]]) -> None:
        if not self._google_caller():
            return
        bucket, _, name = path.removeprefix("/storage/v1/b/").partition("/o/")
        data = self.state.objects.get(f"{bucket}/{unquote(name)}")
        if data is None:
            return self._json(404, {"error": "not found"})
        if query.get("alt") == ["media"]:
            return self._send(200, data)
        return self._json(200, {"name": unquote(name), "size": str(len(data))})

    def _hub_caller(self) -> bool:
        if self.state.gated and self.headers.get("Authorization") != f"Bearer {HUB_TOKEN}":
            self._json(401, {"error": "Access to model org/model is restricted."})
            return False
        return True

    def _revision(self, path: str) -> None:
        if not self._hub_caller():
            return
        repo, _, revision = path.removeprefix("/api/models/").partition("/revision/")
        if repo != self.state.repo or revision != self.state.revision:
            return self._json(404, {"error": "Revision Not Found"})
        return self._json(200, self.state.listing())

    def _resolve(self, path: str) -> None:
        if not self._hub_caller():
            return
        name = unquote(path.split(f"/resolve/{self.state.revision}/", 1)[1])
        return self._send(302, headers={"Location": f"{self.cdn_base}/cdn/{name}?signature=opaque"})

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        self.state.requests.append(("POST", url.path))
        if not url.path.startswith("/upload/storage/v1/b/") or not self._google_caller():
            return None if url.path.startswith("/upload/") else self._send(404)
        bucket = url.path.removeprefix("/upload/storage/v1/b/").removesuffix("/o")
        query = parse_qs(url.query)
        name = query["name"][0]
        body = self._body()
        if query["uploadType"] == ["media"]:
            self.state.objects[f"{bucket}/{name}"] = body
            return self._json(200, {"name": name})
        session = f"s{len(self.state.sessions)}"
        self.state.sessions[session] = (f"{bucket}/{name}", bytearray())
        return self._send(200, headers={"Location": f"{self.server_base}/session/{session}"})

    def do_PUT(self) -> None:
        url = urlsplit(self.path)
        self.state.requests.append(("PUT", url.path))
        if not self._google_caller():
            return
        target, received = self.state.sessions[url.path.removeprefix("/session/")]
        body = self._body()
        span = self.headers["Content-Range"].removeprefix("bytes ")
        first_last, _, total = span.partition("/")
        if first_last != "*":
            first = int(first_last.split("-")[0])
            assert first == len(received), f"chunk at {first}, expected {len(received)}"
            assert len(body) % (256 * 1024) == 0 or first + len(body) == int(total), "intermediate chunk size"
            received += body
        if len(received) == int(total):
            self.state.objects[target] = bytes(received)
            return self._json(200, {"name": target})
        return self._send(308, headers={"Range": f"bytes=0-{len(received) - 1}"})


class _CdnHandler(_Handler):
    def do_GET(self) -> None:
        url = urlsplit(self.path)
        self.state.requests.append(("CDN", url.path))
        if self.headers.get("Authorization"):
            self.state.cdn_authorization.append(self.headers["Authorization"])
        name = unquote(url.path.removeprefix("/cdn/"))
        data = self.state.repo_files.get(name)
        if data is None:
            return self._send(404)
        if name == self.state.corrupt:
            data = bytes([data[0] ^ 0xFF]) + data[1:]
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.state.drop_after is not None and len(data) > self.state.drop_after:
            self.wfile.write(data[: self.state.drop_after])
            self.wfile.flush()
            self.close_connection = True
            return None
        self.wfile.write(data)
        return None


@contextmanager
def fake_cloud(state: CloudState) -> Iterator[dict[str, str]]:
    """Both servers on loopback; yields the environment that points the Job at them."""
    with serving(type("Cdn", (_CdnHandler,), {"state": state})) as cdn_base:
        handler: type[_Handler] = type("Main", (_Handler,), {"state": state, "cdn_base": cdn_base})
        with serving(handler) as base:
            handler.server_base = base  # where resumable sessions live
            yield {
                "HF_ENDPOINT": base,
                "STORAGE_ENDPOINT": base,
                "SECRETMANAGER_ENDPOINT": base,
                "GCE_METADATA_HOST": base.removeprefix("http://"),
            }
