"""`make mutation`: mutate the decision modules with cosmic-ray and report the kill rate and survivors.

    python -m tests.mutation.run [--jobs N] [--only NAME ...] [--workdir DIR] [--minimum PERCENT]

The checkout is never mutated: the tracked files are copied to `<workdir>/src-<job>` (one copy per
parallel job, since cosmic-ray rewrites the files it mutates in place), and each target of
`tests/mutation/scope.py` runs there as one cosmic-ray session with its own test command. The tool
lives in `.venv-mutation` (it needs none of the project's packages); the tests run with the
project's interpreter. The report (`<workdir>/report.txt`) lists every surviving mutant with its
diff; the run fails when the kill rate over all targets is under `--minimum` (90 by default).
docs/mutation.md explains the survivors of the last full run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from tests.mutation.forkserver import ERROR_MARK
from tests.mutation.scope import TARGETS, Target
from tools.stack_config import PROJECT_ROOT

TOOL_BIN = PROJECT_ROOT / ".venv-mutation" / "bin"
# Operators left out: bitwise, shift, power and modulo swaps (the modules do no such arithmetic),
# comparison swaps that only produce type errors or duplicates of a kept swap, and the variable
# replacer / inserter (random names: no stable mutant to discuss).
KEPT_SWAPS = {  # one arithmetic swap per operator; a comparison's boundary shift and its negation
    "Add": ("Sub",),
    "Sub": ("Add",),
    "Mul": ("Div",),
    "Div": ("Mul",),
    "FloorDiv": ("Mul",),
    "Eq": ("NotEq",),
    "NotEq": ("Eq",),
    "Lt": ("LtE", "GtE"),
    "LtE": ("Lt", "Gt"),
    "Gt": ("GtE", "LtE"),
    "GtE": ("Gt", "Lt"),
    "Is": ("IsNot",),
    "IsNot": ("Is",),
}
_KEPT = "|".join(f"{op}_{to}" for op, swaps in KEPT_SWAPS.items() for to in swaps)
# Left out: every other operator swap (type errors or duplicates of a kept one), unary swaps but the
# removal of a `not`, and
# the variable replacer / inserter (random names: no stable mutant to discuss).
EXCLUDED_OPERATORS = (
    rf"core/Replace(Binary|Comparison)Operator_(?!({_KEPT})$)",
    r"core/ReplaceUnaryOperator_(?!Delete_Not$)",
    r"core/VariableReplacer",
    r"core/VariableInserter",
)
MIN_TIMEOUT_S = 60


@dataclass
class Outcome:
    target: str
    module: str
    killed: int = 0
    survivors: list[dict[str, object]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return self.killed + len(self.survivors)


def _tracked_files(root: Path) -> list[str]:
    listed = subprocess.run(
        ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        check=False,
    )
    if listed.returncode == 0:
        return [name for name in listed.stdout.decode().split("\0") if name and (root / name).is_file()]
    skip = {".git", ".venv", ".venv-checkov", ".venv-mutation", ".mutation", "__pycache__"}
    return [
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.is_file() and not skip & set(path.relative_to(root).parts)
    ]


def copy_tree(root: Path, destination: Path) -> None:
    if destination.exists():
        shutil.rmtree(destination)
    for name in _tracked_files(root):
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, target)
    for venv in (".venv", ".venv-checkov"):  # tests that read an installed package's files find them
        if (root / venv).exists():
            (destination / venv).symlink_to((root / venv).resolve())


def test_command(target: Target, server: Path) -> list[str]:
    """`python -m pytest ARGS`, run by the copy's warm fork server."""
    return [
        sys.executable,
        "-m",
        "tests.mutation.forkserver",
        "run",
        str(server),
        "-x",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "tests.mutation.plugin",
        *target.tests,
    ]


def _environment(target: Target, cache: Path, write: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MUTATION_GRAPH_CACHE")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    if target.cached_graphs:
        env["MUTATION_GRAPH_CACHE"] = str(cache)
        if write:
            env["MUTATION_GRAPH_CACHE_WRITE"] = "1"
    return env


def _config(target: Target, server: Path, timeout: float) -> str:
    command = " ".join(test_command(target, server))
    modules = json.dumps(list(target.modules))
    excluded = json.dumps(list(EXCLUDED_OPERATORS))
    return (
        f"[cosmic-ray]\nmodule-path = {modules}\ntimeout = {timeout}\nexcluded-modules = []\n"
        f'test-command = {json.dumps(command)}\n\n[cosmic-ray.distributor]\nname = "local"\n\n'
        f"[cosmic-ray.filters.operators-filter]\nexclude-operators = {excluded}\n"
    )


def _tool(name: str, *args: str, cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run([str(TOOL_BIN / name), *args], cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{name} {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def run_target(target: Target, source: Path, sessions: Path, cache: Path) -> list[Outcome]:
    """Baseline, then every mutant of the target's modules; one Outcome per module."""
    started = time.monotonic()
    server = socket_of(source)
    baseline = subprocess.run(
        test_command(target, server),
        cwd=source,
        env=_environment(target, cache, write=True),
        capture_output=True,
        text=True,
    )
    if baseline.returncode != 0:
        raise RuntimeError(
            f"{target.name}: the tests fail without any mutation:\n{baseline.stdout[-4000:]}{baseline.stderr[-4000:]}"
        )
    baseline_s = time.monotonic() - started
    config = sessions / f"{target.name}.toml"
    session = sessions / f"{target.name}.sqlite"
    session.unlink(missing_ok=True)
    config.write_text(_config(target, server, max(MIN_TIMEOUT_S, round(5 * baseline_s))), encoding="utf-8")
    env = _environment(target, cache, write=False)
    _tool("cosmic-ray", "init", str(config), str(session), cwd=source, env=env)
    _tool("cr-filter-operators", str(session), str(config), cwd=source, env=env)
    _tool("cosmic-ray", "exec", str(config), str(session), cwd=source, env=env)
    outcomes = {module: Outcome(target.name, module) for module in target.modules}
    for line in _tool("cosmic-ray", "dump", str(session), cwd=source, env=env).splitlines():
        item, result = json.loads(line)
        if result is None or result["worker_outcome"] == "skipped":
            continue
        (mutation,) = item["mutations"]
        if ERROR_MARK in (result.get("output") or ""):
            raise RuntimeError(f"{target.name}: the fork server failed on {mutation}:\n{result['output']}")
        outcome = outcomes[mutation["module_path"]]
        if result["test_outcome"] == "survived":
            outcome.survivors.append({**mutation, "diff": result.get("diff") or ""})
        elif result["test_outcome"] == "killed":
            outcome.killed += 1
    elapsed = time.monotonic() - started
    for outcome in outcomes.values():
        outcome.seconds = elapsed / len(outcomes)
    print(f"  {target.name}: done in {elapsed:.0f} s (baseline {baseline_s:.1f} s)", flush=True)
    return list(outcomes.values())


def socket_of(source: Path) -> Path:
    """Where the copy's fork server listens (short: a Unix socket path has at most 107 bytes)."""
    return Path(tempfile.gettempdir()) / f"llm-platform-mutation-{os.getpid()}-{source.name}.sock"


def start_server(source: Path) -> subprocess.Popen[str]:
    """The copy's warm pytest (tests/mutation/forkserver.py), once it has imported every library."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, "-m", "tests.mutation.forkserver", "serve", str(socket_of(source))]
    server = subprocess.Popen(command, cwd=source, env=env, stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    if server.stdout.readline().strip() != "ready":
        server.kill()
        raise RuntimeError(f"the fork server in {source} did not start")
    return server


def _changed_line(diff: str) -> str:
    added = [line[1:].strip() for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    return added[0] if added else ""


def report(outcomes: Sequence[Outcome], seconds: float) -> tuple[str, float]:
    lines = ["mutation testing (cosmic-ray): killed / mutants per module", ""]
    for outcome in sorted(outcomes, key=lambda o: o.module):
        rate = 100 * outcome.killed / outcome.total if outcome.total else 100.0
        lines.append(f"  {outcome.module:48} {outcome.killed:4} / {outcome.total:<4} {rate:5.1f}%")
    killed = sum(o.killed for o in outcomes)
    total = sum(o.total for o in outcomes)
    rate = 100 * killed / total if total else 100.0
    lines += ["", f"kill rate: {killed} / {total} = {rate:.1f}% in {seconds / 60:.1f} min", "", "survivors:"]
    for outcome in sorted(outcomes, key=lambda o: o.module):
        for survivor in sorted(outcome.survivors, key=lambda s: (str(s["start_pos"]), str(s["operator_name"]))):
            position: list[int] = survivor["start_pos"]  # type: ignore[assignment]
            line = position[0]
            operator = str(survivor["operator_name"]).removeprefix("core/")
            lines.append(f"  {outcome.module}:{line}  {operator}  ->  {_changed_line(str(survivor['diff']))}")
    return "\n".join(lines), rate


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.mutation.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2, help="targets run in parallel, each in its own copy")
    parser.add_argument(
        "--only", nargs="*", default=None, help="target names (tests/mutation/scope.py), run in this order"
    )
    parser.add_argument("--workdir", type=Path, default=PROJECT_ROOT / ".mutation")
    parser.add_argument("--minimum", type=float, default=90.0, help="the kill rate below which the run fails")
    args = parser.parse_args(argv)
    if not (TOOL_BIN / "cosmic-ray").exists():
        print(f"cosmic-ray is not installed in {TOOL_BIN.parent} (run `make mutation`)", file=sys.stderr)
        return 2
    by_name = {t.name: t for t in TARGETS}
    targets = list(TARGETS) if args.only is None else [by_name[n] for n in args.only if n in by_name]
    unknown = set(args.only or ()) - {t.name for t in TARGETS}
    if unknown:
        print(f"unknown targets: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    workdir: Path = args.workdir.resolve()
    sessions, cache = workdir / "sessions", workdir / "graphs"
    for folder in (sessions, cache):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    jobs = max(1, min(args.jobs, len(targets)))
    sources = [workdir / f"src-{job}" for job in range(jobs)]
    started = time.monotonic()
    servers = []
    for source in sources:
        copy_tree(PROJECT_ROOT, source)
        servers.append(start_server(source))
    print(f"mutating {len(targets)} targets with {jobs} jobs in {workdir}", flush=True)
    # One baseline fills the graph cache first, so parallel jobs never evaluate the same graphs twice.
    cached = [t for t in targets if t.cached_graphs]
    if cached:
        subprocess.run(
            test_command(cached[0], socket_of(sources[0])),
            cwd=sources[0],
            env=_environment(cached[0], cache, write=True),
            capture_output=True,
            check=False,
        )
    # Each job takes the next target when it is free: target costs differ tenfold.
    pending, taking = list(targets), threading.Lock()
    outcomes: list[Outcome] = []

    def drain(job: int) -> list[Outcome]:
        found: list[Outcome] = []
        while True:
            with taking:
                if not pending:
                    return found
                target = pending.pop(0)
            found += run_target(target, sources[job], sessions, cache)

    try:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            for found in pool.map(drain, range(jobs)):
                outcomes += found
    finally:
        for server in servers:
            server.terminate()
            server.wait()
    text, rate = report(outcomes, time.monotonic() - started)
    (workdir / "report.txt").write_text(text + "\n", encoding="utf-8")
    print(text)
    if rate < args.minimum:
        print(f"\nFAILED: kill rate {rate:.1f}% is under {args.minimum:g}%", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
