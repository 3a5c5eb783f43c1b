"""The one reader of the engine's config: every key checked, every problem named at once.

`load_platform_config()` is the only place in the program that reads Pulumi config. It takes every
key the engine hands the program, rejects keys of unknown namespaces and `gcp:` keys the Google
provider does not take, and validates the project's own namespace (`llm-platform:*`) plus
`gcp:project`, `gcp:region` and `gcp:zone`. Field problems are listed together; the checks that
span keys (`components/config/checks.py` and those the concerns declare, handed in as `checks`) run
once every field is valid. A problem raises `pulumi.RunError` listing each as
`key: what is wrong (allowed: ...)`: `pulumi preview` prints it without a Python traceback, and
because it is raised before any resource is constructed, nothing is registered.
"""

from __future__ import annotations

import difflib
import importlib.util
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.settings import get_monitor
from pydantic import ValidationError

from components.config.checks import stack_problems
from components.config.errors import GCP_KEYS, NAMESPACE, ConfigError, describe, key_for
from components.config.fields import FieldError
from components.config.placeholders import placeholder_problems
from components.config.platform import PlatformConfig

# Namespaces of config keys a stack may use: this project's, the providers' and the engine's own.
KNOWN_NAMESPACES = (NAMESPACE, "gcp", "kubernetes", "pulumi")
# A check a concern declares over the whole config (`config_problems` in its package).
ConfigCheck = Callable[[PlatformConfig], Iterable[FieldError]]


def _decode(value: Any) -> Any:
    """Pulumi hands structured config to the program as JSON text; scalars stay strings."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


@cache
def provider_keys(package: str) -> frozenset[str]:
    """The config keys a provider SDK takes, read from its generated `config/vars.py`."""
    spec = importlib.util.find_spec(f"pulumi_{package}")
    assert spec is not None and spec.origin is not None
    source = (Path(spec.origin).parent / "config" / "vars.py").read_text(encoding="utf-8")
    return frozenset(re.findall(r"__config__\.get(?:_bool|_int|_float|_object)?\('([A-Za-z0-9]+)'\)", source))


def _namespace_problems(raw: Mapping[str, Any]) -> list[str]:
    """Keys the program would silently ignore: unknown namespaces, and provider keys that do not exist."""
    problems = []
    for key in sorted(raw):
        namespace, _, name = key.partition(":")
        if namespace not in KNOWN_NAMESPACES:
            close = difflib.get_close_matches(namespace, KNOWN_NAMESPACES, n=1, cutoff=0.5)
            hint = f"did you mean {close[0]}:{name}? " if close else ""
            problems.append(
                f"{key}: unknown namespace {namespace!r}, so nothing reads this key ({hint}allowed namespaces: "
                f"{', '.join(KNOWN_NAMESPACES)})"
            )
        elif namespace == "gcp" and name not in provider_keys("gcp"):
            close = difflib.get_close_matches(name, sorted(provider_keys("gcp")), n=1)
            hint = f"did you mean gcp:{close[0]}? " if close else ""
            problems.append(
                f"{key}: the Google Cloud provider has no such setting ({hint}allowed: its documented keys)"
            )
        elif namespace == "kubernetes":
            problems.append(
                f"{key}: configures the default Kubernetes provider, which this program never uses: it builds its "
                "own from the cluster it creates (allowed: remove the key)"
            )
    return problems


def parse_platform_config(
    raw: Mapping[str, Any], stack: str = "dev", checks: Sequence[ConfigCheck] = ()
) -> PlatformConfig:
    """Validate fully-qualified config (`{"llm-platform:network": "{...}", "gcp:zone": ...}`) of `stack`.

    Raises ConfigError listing every problem, one `key: what is wrong (allowed: ...)` per line.
    """
    problems = _namespace_problems(raw)
    data: dict[str, Any] = {}
    prefix = f"{NAMESPACE}:"
    for key, value in raw.items():
        if key.startswith(prefix):
            data[key[len(prefix) :]] = _decode(value)
    for field, key in GCP_KEYS.items():
        if field in data:
            problems.append(f"{prefix}{field}: unknown key (set {key} instead)")
            del data[field]
        if key in raw:
            data[field] = raw[key]
    try:
        config = PlatformConfig.model_validate(data)
    except ValidationError as exc:
        problems += [line for e in exc.errors() for line in describe(e, PlatformConfig)]
    else:
        spanning = [*stack_problems(config, stack), *(problem for check in checks for problem in check(config))]
        problems += [_located(problem) for problem in spanning]
    if problems:
        raise ConfigError("invalid stack configuration:\n  " + "\n  ".join(sorted(set(problems))))
    return config


def _located(problem: FieldError) -> str:
    """`tiers.small.topology` + message -> `llm-platform:tiers.small.topology: message`."""
    path = tuple(int(part) if part.isdigit() else part for part in problem.field.split("."))
    return f"{key_for(path)}: {problem}"


def current_config_values() -> dict[str, Any]:
    """Every config value the engine handed to this program (all namespaces)."""
    from pulumi.runtime import config as runtime_config

    values = dict(runtime_config.get_config_env())
    values.update(runtime_config.CONFIG.get())
    return values


def offline() -> bool:
    """Whether the program runs under Pulumi's mock runtime (the offline preview and the tests)."""
    return isinstance(get_monitor(), MockMonitor)


def load_platform_config(checks: Sequence[ConfigCheck] = ()) -> PlatformConfig:
    """Read and validate the stack's config; a bad config raises `pulumi.RunError`.

    A real preview or update also refuses the committed stack files' placeholders."""
    try:
        config = parse_platform_config(current_config_values(), pulumi.get_stack(), checks)
    except ConfigError as exc:
        raise pulumi.RunError(str(exc)) from None
    placeholders = placeholder_problems(config)
    if placeholders and not offline():
        raise pulumi.RunError("stack configuration still holds placeholders:\n  " + "\n  ".join(placeholders))
    if placeholders:
        pulumi.log.warn("a real preview or up stops until these placeholders are set:\n  " + "\n  ".join(placeholders))
    if config.retire is not None:
        kept = [
            name
            for name, keep in (
                ("the model bucket", config.keep_model_bucket),
                ("the request-log dataset", config.keep_request_logs),
            )
            if keep
        ]
        pulumi.log.warn(
            "retire is set: this update lifts every deletion guard of the stack; `pulumi destroy` then deletes it"
            + (f", leaving {' and '.join(kept)} in the project" if kept else ", the bucket and its objects included")
            + " (docs/operations.md, Retiring a stack)"
        )
    return config
