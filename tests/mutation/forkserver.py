"""A warm pytest for mutation runs: imports the libraries once, forks one child per mutant's test run.

    python -m tests.mutation.forkserver serve SOCKET      (cwd: the copy being mutated)
    python -m tests.mutation.forkserver run SOCKET ARGS   (cosmic-ray's test command)

A fresh `python -m pytest` spends seconds importing pytest, hypothesis, pulumi and the SDKs before
the first test of a mutant runs. The server imports every module of the program and of the tests
once (pulling in every library they use), then forgets the program's own modules, so each forked
child imports them again from disk, mutated as cosmic-ray left them, and runs `pytest.main(ARGS)`.
`run` prints the child's output and exits with its status, as `python -m pytest ARGS` would; when
`run` is killed (cosmic-ray's timeout) the server kills the child and everything it started. A
failure of the server itself prints FORKSERVER_ERROR, which `tests/mutation/run.py` refuses to count
as a killed mutant.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import select
import signal
import socket
import sys
import tempfile
import time
from pathlib import Path

ERROR_MARK = "FORKSERVER_ERROR"
PACKAGES = ("components", "policies", "tools", "tests")


def _own_modules(root: Path) -> list[str]:
    found = []
    for name, module in list(sys.modules.items()):
        paths = [getattr(module, "__file__", None), *list(getattr(module, "__path__", None) or ())]
        if any(path and Path(path).resolve().is_relative_to(root) for path in paths):
            found.append(name)
    return found


def preload(root: Path) -> None:
    """Import every module of the project (and so every library it uses), then forget the project's."""
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if "venv" in path.parts or path.name == "__main__.py":
                continue
            parts = path.relative_to(root).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            with contextlib.suppress(Exception):
                importlib.import_module(name)
    import pytest  # noqa: F401  (and its plugins, through the entry points of a first collection)

    for name in _own_modules(root):
        del sys.modules[name]


def _child(args: list[str], environment: dict[str, str], output: int) -> None:
    os.environ.clear()  # the client's environment, as `python -m pytest` would have run with it
    os.environ.update(environment)
    os.setsid()  # its own process group: the server kills the pack and the tests together
    os.dup2(output, 1)
    os.dup2(output, 2)
    importlib.invalidate_caches()
    import pytest

    try:
        code = int(pytest.main(args))
    except BaseException as error:  # a mutant may break anything; report it as a failing run
        print(f"pytest raised {error!r}")
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _serve_one(connection: socket.socket) -> None:
    request = json.loads(connection.makefile("r").readline())
    with tempfile.TemporaryFile() as output:
        pid = os.fork()
        if pid == 0:
            connection.close()
            _child(request["args"], request["environment"], output.fileno())
        code = None
        while code is None:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                code = os.waitstatus_to_exitcode(status)
                break
            readable, _, _ = select.select([connection], [], [], 0.05)
            if readable and not connection.recv(1, socket.MSG_PEEK):  # the client is gone: timeout
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)  # anything the tests left running
        output.seek(0)
        text = output.read().decode(errors="replace")
    with contextlib.suppress(OSError):
        connection.sendall(json.dumps({"code": code, "output": text}).encode())


def serve(path: str) -> None:
    sys.dont_write_bytecode = True
    root = Path.cwd().resolve()
    preload(root)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(4)
    print("ready", flush=True)
    while True:
        connection, _ = server.accept()
        with connection:
            try:
                _serve_one(connection)
            except Exception as error:
                with contextlib.suppress(OSError):
                    connection.sendall(json.dumps({"code": 3, "output": f"{ERROR_MARK}: {error!r}"}).encode())


def run(path: str, args: list[str]) -> int:
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    for _ in range(100):
        try:
            client.connect(path)
            break
        except OSError:
            time.sleep(0.1)
    else:
        print(f"{ERROR_MARK}: no server at {path}")
        return 3
    client.sendall((json.dumps({"args": args, "environment": dict(os.environ)}) + "\n").encode())
    chunks = []
    while chunk := client.recv(65536):
        chunks.append(chunk)
    try:
        reply = json.loads(b"".join(chunks))
    except ValueError:
        print(f"{ERROR_MARK}: the server sent no result")
        return 3
    sys.stdout.write(reply["output"])
    return int(reply["code"])


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "serve":
        serve(argv[1])
        return 0
    if len(argv) >= 2 and argv[0] == "run":
        return run(argv[1], argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
