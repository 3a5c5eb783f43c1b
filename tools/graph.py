"""Evaluate the real `__main__.py` under Pulumi's mock runtime and record every registration."""

from __future__ import annotations

import gc
import json
import os
import runpy
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from google.protobuf import json_format
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc
from pulumi.runtime.config import set_all_config
from pulumi.runtime.settings import get_root_resource
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from tools.mocks import PlatformMocks, ReservationAnswer
from tools.stack_config import PROJECT_ROOT, SECRET_PLACEHOLDER, load_stack_config, project_name

# What a preview cannot know yet (an output of a resource still to be created) is recorded as this text.
UNKNOWN_PLACEHOLDER = "[unknown]"


@dataclass(frozen=True)
class Registration:
    urn: str
    type: str
    name: str
    parent: str
    custom: bool
    dependencies: list[str]
    inputs: dict[str, Any]
    protect: bool
    retainOnDelete: bool
    aliases: list[Any]
    ignoreChanges: list[str]
    provider: str


@dataclass
class StackGraph:
    stack: str
    resources: list[Registration]
    outputs: dict[str, Any] = field(default_factory=dict)

    def by_type(self, type_: str) -> list[Registration]:
        return [r for r in self.resources if r.type == type_]

    def one(self, type_: str) -> Registration:
        found = self.by_type(type_)
        if len(found) != 1:
            raise AssertionError(f"expected exactly one {type_}, found {len(found)}")
        return found[0]

    def children(self, urn: str) -> list[Registration]:
        return [r for r in self.resources if r.parent == urn]

    def to_json(self) -> str:
        """The canonical snapshot: sorted by URN, stable key order, identical across runs."""
        document = {
            "stack": self.stack,
            "outputs": self.outputs,
            "resources": [asdict(r) for r in sorted(self.resources, key=lambda r: r.urn)],
        }
        return json.dumps(document, indent=2, sort_keys=True) + "\n"


def _plain(value: Any) -> Any:
    """Deserialized inputs as JSON-safe data; secrets are masked."""
    if isinstance(value, dict):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            return SECRET_PLACEHOLDER
        return {k: _plain(v) for k, v in sorted(value.items())}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, pulumi.output.Unknown):
        return UNKNOWN_PLACEHOLDER
    # Anything else (a resource reference, an unknown) would not serialise deterministically.
    raise TypeError(f"cannot record an input of type {type(value).__name__}: {value!r}")


def _masked(value: Any) -> pulumi.Output[Any]:
    """A stack output as the engine shows it: a secret one (or one holding a secret) is masked."""
    output = pulumi.Output.from_input(value)

    async def shown() -> Any:
        return SECRET_PLACEHOLDER if await output.is_secret() else await output.future()

    return pulumi.Output.from_input(shown())


def _wire_inputs(value: Any) -> Any:
    """Inputs as the engine holds them (secrets stay where they are, unknowns stay unknown), masked.

    The SDK's own deserializer would lift a nested secret up to its top-level property; the engine
    does not, and neither does what it later sends to a policy pack, so the recording keeps the position.
    """
    if isinstance(value, dict):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            return SECRET_PLACEHOLDER
        if rpc._special_sig_key in value:
            raise TypeError(f"cannot record a special input (signature {value[rpc._special_sig_key]}): {value!r}")
        return {k: _wire_inputs(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [_wire_inputs(v) for v in value]
    if value == rpc.UNKNOWN:
        return UNKNOWN_PLACEHOLDER
    return value


def _provider_urn(reference: str) -> str:
    """A provider reference is `<urn>::<id>`; the URN alone is stable and readable."""
    return reference.rsplit("::", 1)[0] if reference else ""


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """A MockMonitor that also keeps what the mocks never see: parent, dependencies, options."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.registrations: list[Registration] = []
        self._lock = threading.Lock()

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # The engine does not put the root stack's type into its children's URNs; match it.
        if "::pulumi:pulumi:Stack::" in parent:
            parent = ""
        return super().make_urn(parent, type_, name)

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            return response
        registration = Registration(
            urn=response.urn,
            type=request.type,
            name=request.name,
            parent=request.parent,
            custom=bool(request.custom),
            dependencies=sorted(set(request.dependencies)),
            inputs=_wire_inputs(json_format.MessageToDict(request.object)),
            protect=bool(request.protect),
            retainOnDelete=bool(request.retainOnDelete),
            aliases=[json_format.MessageToDict(alias) for alias in request.aliases],
            ignoreChanges=sorted(request.ignoreChanges),
            provider=_provider_urn(request.provider),
        )
        with self._lock:
            self.registrations.append(registration)
        return response


class ProgramError(Exception):
    """The program stopped with a `pulumi.RunError` (a clean, user-facing message)."""

    def __init__(self, message: str, registered: int) -> None:
        super().__init__(message)
        self.registered = registered  # resources registered before it stopped


def record(
    program: Callable[[], object],
    *,
    stack: str,
    project: str,
    config: dict[str, str] | None = None,
    preview: bool = False,
    secret_seed: str = "",
    reservations: Mapping[str, ReservationAnswer] | None = None,
) -> StackGraph:
    """Run `program` under the mock runtime with `config`; returns every registered resource.

    With `preview`, the run is a dry run in which providers compute nothing (as for a brand-new
    stack): every value derived from a provider output is recorded as UNKNOWN_PLACEHOLDER.
    Raises ProgramError with the program's message when it stops with `pulumi.RunError`.
    """
    os.environ.pop("PULUMI_CONFIG", None)
    pulumi.runtime.reset_options()
    set_all_config(config or {})
    mocks = PlatformMocks(computed=not preview, secret_seed=secret_seed, reservations=reservations)
    monitor = RecordingMonitor(mocks)
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=preview, monitor=monitor)
    exports: dict[str, Any] = {}

    def run() -> None:
        program()
        outputs = getattr(get_root_resource(), "outputs", {})
        pulumi.Output.all(**{key: _masked(value) for key, value in outputs.items()}).apply(exports.update)

    # Everything loaded so far (the SDKs: some 450,000 objects) outlives the run, yet each full
    # collection during it would walk all of it: about a fifth of a prod evaluation's CPU. Frozen,
    # the collector walks only what the run creates; unfrozen after, nothing is kept from it.
    gc.freeze()
    try:
        _sync_await(run_pulumi_func(run))
    except pulumi.RunError as exc:
        raise ProgramError(str(exc), registered=len(monitor.registrations)) from None
    finally:
        gc.unfreeze()
        pulumi.runtime.reset_options()
    return StackGraph(stack=stack, resources=monitor.registrations, outputs=_plain(exports))


def evaluate(
    stack: str,
    root: Path = PROJECT_ROOT,
    config: dict[str, str] | None = None,
    preview: bool = False,
    secret_seed: str = "",
    reservations: Mapping[str, ReservationAnswer] | None = None,
) -> StackGraph:
    """Run the real `root/__main__.py` for `stack` offline with its stack file's config.

    `config` replaces the stack file's values (tests use it for bad configs); `preview` records
    provider-computed values as unknown, as a first `pulumi preview` of the stack sees them;
    `secret_seed` makes generated secrets come out different (a key rotation); `reservations`
    overrides what the mocked `getReservation` answers per name (`tools.mocks.ReservationAnswer`).
    """
    values = load_stack_config(stack, root) if config is None else config
    added = str(root) not in sys.path
    if added:  # the program imports its own `components` package
        sys.path.insert(0, str(root))
    try:
        return record(
            lambda: runpy.run_path(str(root / "__main__.py"), run_name="__main__"),
            stack=stack,
            project=project_name(root),
            config=values,
            preview=preview,
            secret_seed=secret_seed,
            reservations=reservations,
        )
    finally:
        if added:
            sys.path.remove(str(root))


def load_graph(text: str) -> StackGraph:
    """A graph back from its canonical JSON (`StackGraph.to_json`)."""
    document = json.loads(text)
    return StackGraph(
        stack=document["stack"],
        resources=[Registration(**resource) for resource in document["resources"]],
        outputs=document.get("outputs", {}),
    )
