"""What the weights Job runs: fetch one pinned Hugging Face revision into the model bucket, or check a
folder uploaded by hand. Standard library only, so any pinned Python 3.11+ image runs it as
`python3 -c <this file>`; nothing here is imported by the Pulumi program at run time.

MODE=fetch: skip when the folder's marker object names this repository and revision (idempotent);
otherwise list the revision's files on the Hub (with sizes and the SHA-256 of LFS files), stream each
into a resumable Cloud Storage upload without staging it on disk, verify size and hash before the
final chunk is sent (a corrupt file never becomes an object), skip files already complete from an
earlier attempt, and write the marker last. MODE=verify: the folder must hold `config.json` and
every weight file its index names (or `model.safetensors`), else the Job fails with the command
that uploads it.

Identity: a Workload Identity principal; its token comes from the GKE metadata server and reaches
Cloud Storage and Secret Manager (for the Hub token) only. The Hub token goes to the Hub's own host,
never to the CDN a download redirects to, and is never printed.

Environment: MODE, BUCKET, DEST (object prefix ending in `/`); for fetch REPO, REVISION, IGNORE
(JSON list of fnmatch patterns), TOKEN_SECRET (optional Secret Manager version), PARALLEL. The
endpoints default to Google's and the Hub's; tests point them at loopback servers: HF_ENDPOINT,
STORAGE_ENDPOINT, SECRETMANAGER_ENDPOINT, GCE_METADATA_HOST.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import http.client
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

MARKER = ".llm-platform-weights.json"
CHUNK = 64 * 1024 * 1024  # a multiple of 256 KiB, as resumable uploads require
RETRIABLE = {408, 429, 500, 502, 503, 504}
ATTEMPTS = 6
IAM_PROPAGATION_S = 600  # a grant made by the same `pulumi up` can take minutes to apply


class FetchError(RuntimeError):
    """A failure the Job reports in one line and exits 1 on."""


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass(frozen=True)
class Endpoints:
    hub: str
    storage: str
    secrets: str
    metadata: str

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Endpoints:
        return cls(
            hub=env.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/"),
            storage=env.get("STORAGE_ENDPOINT", "https://storage.googleapis.com").rstrip("/"),
            secrets=env.get("SECRETMANAGER_ENDPOINT", "https://secretmanager.googleapis.com").rstrip("/"),
            metadata=f"http://{env.get('GCE_METADATA_HOST', 'metadata.google.internal')}",
        )


def _connection(url: str) -> tuple[http.client.HTTPConnection, str]:
    parts = urlsplit(url)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    return kind(parts.netloc, timeout=300), target or "/"


def open_url(
    method: str, url: str, headers: Mapping[str, str], body: bytes | None = None, auth_host: str | None = None
) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
    """One request, following GET redirects; `Authorization` goes only to `auth_host` (the Hub), so a
    CDN a download is redirected to never sees the Hub token. The caller reads and closes."""
    for _ in range(10):
        connection, target = _connection(url)
        sent = dict(headers)
        if auth_host is not None and urlsplit(url).netloc != auth_host:
            sent.pop("Authorization", None)
        connection.request(method, target, body=body, headers=sent)
        response = connection.getresponse()
        location = response.getheader("Location")
        if method == "GET" and response.status in (301, 302, 303, 307, 308) and location:
            response.read()
            connection.close()
            url = urljoin(url, location)
            continue
        return connection, response
    raise FetchError(f"{method} {url.split('?', 1)[0]}: too many redirects")


def request(
    method: str,
    url: str,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    *,
    auth_host: str | None = None,
    ok: tuple[int, ...] = (200, 201),
    retry_denied: bool = False,
) -> Response:
    """A whole request, retried on transient failures, and on 401/403 for a while when `retry_denied`
    (a grant made by the same `pulumi up` takes minutes to apply)."""
    where = f"{method} {url.split('?', 1)[0]}"
    denied_until = time.monotonic() + IAM_PROPAGATION_S
    failures, last = 0, ""
    while True:
        try:
            connection, response = open_url(method, url, headers or {}, body, auth_host)
            with closing(connection):
                answer: Response | None = Response(response.status, dict(response.getheaders()), response.read())
        except (OSError, http.client.HTTPException) as exc:
            answer, last = None, f"{type(exc).__name__}: {exc}"
        if answer is not None:
            if answer.status in ok:
                return answer
            last = f"HTTP {answer.status}"
            if answer.status in (401, 403) and retry_denied and time.monotonic() < denied_until:
                time.sleep(30 * SLEEP_SCALE)
                continue
            if answer.status not in RETRIABLE:
                raise FetchError(f"{where}: {last}: {answer.body[:300].decode(errors='replace')}")
        failures += 1
        if failures > ATTEMPTS:
            raise FetchError(f"{where}: gave up after {ATTEMPTS} retries ({last})")
        time.sleep(min(2**failures, 30) * SLEEP_SCALE)


SLEEP_SCALE = 1.0  # tests shorten the waits


class Google:
    """Cloud Storage and Secret Manager as the pod's Workload Identity principal."""

    def __init__(self, endpoints: Endpoints) -> None:
        self.endpoints = endpoints
        self._token = ""
        self._expires = 0.0
        self._lock = threading.Lock()

    def headers(self) -> dict[str, str]:
        with self._lock:
            if time.monotonic() > self._expires:
                answer = request(
                    "GET",
                    f"{self.endpoints.metadata}/computeMetadata/v1/instance/service-accounts/default/token",
                    {"Metadata-Flavor": "Google"},
                ).json()
                self._token = answer["access_token"]
                self._expires = time.monotonic() + max(int(answer.get("expires_in", 300)) - 120, 30)
            return {"Authorization": f"Bearer {self._token}"}

    def _object_url(self, bucket: str, name: str) -> str:
        return f"{self.endpoints.storage}/storage/v1/b/{quote(bucket, safe='')}/o/{quote(name, safe='')}"

    def object_size(self, bucket: str, name: str) -> int | None:
        """The object's size, or None when it does not exist."""
        answer = request("GET", self._object_url(bucket, name), self.headers(), ok=(200, 404), retry_denied=True)
        return None if answer.status == 404 else int(answer.json()["size"])

    def read(self, bucket: str, name: str) -> bytes | None:
        answer = request(
            "GET", self._object_url(bucket, name) + "?alt=media", self.headers(), ok=(200, 404), retry_denied=True
        )
        return None if answer.status == 404 else answer.body

    def write(self, bucket: str, name: str, data: bytes) -> None:
        url = f"{self.endpoints.storage}/upload/storage/v1/b/{quote(bucket, safe='')}/o"
        query = f"?uploadType=media&name={quote(name, safe='')}"
        request("POST", url + query, {**self.headers(), "Content-Type": "application/json"}, data, retry_denied=True)

    def start_upload(self, bucket: str, name: str, size: int) -> str:
        url = f"{self.endpoints.storage}/upload/storage/v1/b/{quote(bucket, safe='')}/o"
        query = f"?uploadType=resumable&name={quote(name, safe='')}"
        headers = {**self.headers(), "X-Upload-Content-Length": str(size), "Content-Type": "application/json"}
        answer = request("POST", url + query, headers, b"{}", retry_denied=True)
        session = answer.headers.get("Location") or answer.headers.get("location")
        if not session:
            raise FetchError(f"no upload session for gs://{bucket}/{name}")
        return session

    def send_chunk(self, session: str, data: bytes, start: int, total: int) -> None:
        span = f"bytes {start}-{start + len(data) - 1}/{total}" if data else f"bytes */{total}"
        final = start + len(data) == total
        request("PUT", session, {**self.headers(), "Content-Range": span}, data, ok=(200, 201) if final else (308,))

    def secret(self, version: str) -> str:
        answer = request(
            "GET", f"{self.endpoints.secrets}/v1/{version}:access", self.headers(), retry_denied=True
        ).json()
        return base64.b64decode(answer["payload"]["data"]).decode().strip()


@dataclass(frozen=True)
class RepoFile:
    name: str
    size: int
    sha256: str | None  # LFS files only: the Hub stores small files in git, without a content hash here


def safe_name(name: str) -> bool:
    return bool(name) and not name.startswith("/") and ".." not in name.split("/")


def revision_files(endpoints: Endpoints, repo: str, revision: str, hub_headers: dict[str, str]) -> list[RepoFile]:
    """The files of one commit (Hub API `GET /api/models/{repo}/revision/{revision}?blobs=true`)."""
    answer = request(
        "GET",
        f"{endpoints.hub}/api/models/{repo}/revision/{revision}?blobs=true",
        hub_headers,
        auth_host=urlsplit(endpoints.hub).netloc,
    ).json()
    if answer.get("sha") != revision:
        raise FetchError(f"{repo}: the Hub resolves {revision} to {answer.get('sha')}, not the pinned commit")
    files = []
    for sibling in answer.get("siblings", []):
        name = sibling["rfilename"]
        if not safe_name(name):
            raise FetchError(f"{repo}: refusing a file name outside the folder: {name!r}")
        lfs = sibling.get("lfs") or {}
        files.append(RepoFile(name, int(lfs.get("size", sibling.get("size", 0))), lfs.get("sha256")))
    return files


def read_exactly(response: http.client.HTTPResponse, size: int, file: RepoFile, offset: int) -> bytes:
    """`size` bytes of the download, or FetchError when the stream ends first (a dropped connection)."""
    data = b""
    try:
        while len(data) < size:
            part = response.read(size - len(data))
            if not part:
                break
            data += part
    except (OSError, http.client.HTTPException):
        pass
    if len(data) < size:
        raise FetchError(f"{file.name}: the download stopped at {offset + len(data)} of {file.size} bytes")
    return data


def copy_file(google: Google, endpoints: Endpoints, job: Job, file: RepoFile, hub_headers: dict[str, str]) -> str:
    """Stream one file from the Hub into the bucket; the final chunk waits until size and hash check out."""
    name = job.dest + file.name
    if google.object_size(job.bucket, name) == file.size:
        return f"kept {file.name} ({file.size} bytes, complete from an earlier attempt)"
    url = f"{endpoints.hub}/{job.repo}/resolve/{job.revision}/{quote(file.name)}"
    connection, response = open_url("GET", url, hub_headers, auth_host=urlsplit(endpoints.hub).netloc)
    with closing(connection):
        if response.status != 200:
            raise FetchError(f"{job.repo}/{file.name}: HTTP {response.status} from the Hub")
        session = google.start_upload(job.bucket, name, file.size)
        digest, offset = hashlib.sha256(), 0
        while True:
            chunk = read_exactly(response, min(CHUNK, file.size - offset), file, offset)
            digest.update(chunk)
            final = offset + len(chunk) == file.size
            if final and file.sha256 is not None and digest.hexdigest() != file.sha256:
                raise FetchError(f"{file.name}: SHA-256 {digest.hexdigest()} is not the Hub's {file.sha256}")
            google.send_chunk(session, chunk, offset, file.size)
            offset += len(chunk)
            if final:
                return f"copied {file.name} ({file.size} bytes)"


@dataclass(frozen=True)
class Job:
    mode: str
    bucket: str
    dest: str
    repo: str
    revision: str
    ignore: tuple[str, ...]
    token_secret: str
    parallel: int

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Job:
        missing = [key for key in ("MODE", "BUCKET", "DEST") if not env.get(key)]
        if env.get("MODE") == "fetch":
            missing += [key for key in ("REPO", "REVISION") if not env.get(key)]
        if missing:
            raise FetchError(f"missing environment: {', '.join(missing)}")
        if env["MODE"] not in ("fetch", "verify") or not env["DEST"].endswith("/"):
            raise FetchError(
                f"MODE {env['MODE']!r} / DEST {env['DEST']!r}: expected fetch|verify and a folder ending in /"
            )
        return cls(
            mode=env["MODE"],
            bucket=env["BUCKET"],
            dest=env["DEST"],
            repo=env.get("REPO", ""),
            revision=env.get("REVISION", ""),
            ignore=tuple(json.loads(env.get("IGNORE") or "[]")),
            token_secret=env.get("TOKEN_SECRET", ""),
            parallel=max(1, int(env.get("PARALLEL") or 4)),
        )

    @property
    def marker(self) -> dict[str, str]:
        return {"repo": self.repo, "revision": self.revision}


def fetch(job: Job, endpoints: Endpoints, google: Google, log: Callable[[str], None]) -> None:
    where = f"gs://{job.bucket}/{job.dest}"
    marker = google.read(job.bucket, job.dest + MARKER)
    if marker is not None and json.loads(marker).get("revision") == job.revision:
        log(f"{job.repo}@{job.revision} is already in {where}: nothing to fetch")
        return
    hub_headers = {"Authorization": f"Bearer {google.secret(job.token_secret)}"} if job.token_secret else {}
    files = [
        f
        for f in revision_files(endpoints, job.repo, job.revision, hub_headers)
        if not any(fnmatch.fnmatch(f.name, pattern) for pattern in job.ignore)
    ]
    log(f"fetching {len(files)} files ({sum(f.size for f in files)} bytes) of {job.repo}@{job.revision} into {where}")
    with ThreadPoolExecutor(max_workers=job.parallel) as pool:
        ordered = sorted(files, key=lambda f: -f.size)
        for line in pool.map(lambda f: copy_file(google, endpoints, job, f, hub_headers), ordered):
            log(line)
    record = {**job.marker, "files": sorted(f.name for f in files)}
    google.write(job.bucket, job.dest + MARKER, json.dumps(record, sort_keys=True).encode())
    log(f"{job.repo}@{job.revision} is in {where}")


def verify(job: Job, google: Google, log: Callable[[str], None]) -> None:
    where = f"gs://{job.bucket}/{job.dest}"
    upload = f"gcloud storage rsync -r LOCAL_MODEL_FOLDER {where.rstrip('/')}"
    if google.object_size(job.bucket, job.dest + "config.json") is None:
        raise FetchError(f"{where} holds no config.json: upload the model folder with `{upload}`")
    index = google.read(job.bucket, job.dest + "model.safetensors.index.json")
    shards = sorted(set(json.loads(index)["weight_map"].values())) if index is not None else ["model.safetensors"]
    missing = [shard for shard in shards if google.object_size(job.bucket, job.dest + shard) is None]
    if missing:
        raise FetchError(f"{where} lacks {len(missing)} weight file(s), e.g. {missing[0]}: upload with `{upload}`")
    log(f"{where} holds config.json and {len(shards)} weight file(s)")


def main(env: Mapping[str, str] | None = None, log: Callable[[str], None] = print) -> int:
    env = os.environ if env is None else env
    try:
        job = Job.from_env(env)
        endpoints = Endpoints.from_env(env)
        google = Google(endpoints)
        if job.mode == "fetch":
            fetch(job, endpoints, google, log)
        else:
            verify(job, google, log)
    except (FetchError, ValueError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
