"""The pinned vLLM TPU release as data: its metrics, `vllm serve` flags, TPU quantizations. Pure.

`vllm_release.json` beside this module is extracted from the release's own source by
`python -m tools vllm-release` (tools/vllm_release/) at the commits the default image's tag names;
the program and the tests read it instead of installing vLLM. This module is a typed, read-only view
of it with lookups: `metric(name)`, `series(name)`, `flag(name)`, `tpu_quantizations`, ...
Regenerate it when the pin moves (docs/operations.md, "When the vLLM pin moves").
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

EXTRACT = Path(__file__).with_name("vllm_release.json")


@dataclass(frozen=True)
class Commit:
    repository: str
    sha: str
    date: str
    subject: str


@dataclass(frozen=True)
class Metric:
    name: str
    type: str  # gauge, counter or histogram
    documentation: str | None
    deprecated: bool
    hidden: bool
    series: tuple[str, ...]  # what PromQL names: counters end in _total, histograms _bucket/_sum/_count
    monitoring_type: str  # Managed Prometheus: prometheus.googleapis.com/<series>/<kind>
    definitions: tuple[str, ...]  # file:line


@dataclass(frozen=True)
class Flag:
    name: str
    aliases: tuple[str, ...]
    type: str | None
    optional: bool  # "" and "None" parse to None
    default: Any
    choices: tuple[Any, ...] | None  # what argparse enforces
    values: tuple[Any, ...] | None  # documented Literal values argparse does not enforce
    nargs: str | int | None
    action: str | None
    help: str
    source: str  # file:line of the add_argument call
    config_field: str | None  # Class.field the flag fills
    constraints: Mapping[str, Any]

    @property
    def takes_several(self) -> bool:
        """One flag, several values (`--api-key k1 k2`), rather than a repeated flag."""
        return self.nargs in ("+", "*") or (isinstance(self.nargs, int) and self.nargs > 1)

    def accepts(self, value: str) -> bool:
        return self.choices is None or value in self.choices


def normalise_flag(name: str) -> str:
    """`--tensor_parallel_size` -> `--tensor-parallel-size`, as vLLM's parser rewrites long flags."""
    return "--" + name[2:].replace("_", "-") if name.startswith("--") else name


@dataclass(frozen=True)
class VllmRelease:
    image: str
    built: str
    extracted: str
    vllm: Commit
    tpu_inference: Commit
    version: str
    version_tag: str
    tpu_vllm_lkg: str | None
    metrics: Mapping[str, Metric]
    flags: Mapping[str, Flag]
    vllm_quantizations: tuple[str, ...]
    deprecated_quantizations: tuple[str, ...]
    tpu_quantizations: tuple[str, ...]
    vllm_environment: frozenset[str]
    tpu_environment: frozenset[str]
    compile_cache_env: tuple[str, ...]
    guarded_prefixes: tuple[str, ...]
    notes: Mapping[str, str]

    def metric(self, name: str) -> Metric:
        if name not in self.metrics:
            raise KeyError(f"vLLM {self.version} ({self.vllm.sha[:9]}) defines no metric {name!r}")
        return self.metrics[name]

    def series(self, name: str) -> Metric:
        """The metric a PromQL series name belongs to (`vllm:prompt_tokens_total`, `..._bucket`)."""
        for metric in self.metrics.values():
            if name in metric.series or (metric.type == "gauge" and name == metric.name):
                return metric
        raise KeyError(f"vLLM {self.version} ({self.vllm.sha[:9]}) exposes no series {name!r}")

    @property
    def monitoring_types(self) -> frozenset[str]:
        return frozenset(m.monitoring_type for m in self.metrics.values())

    def flag(self, name: str) -> Flag:
        wanted = normalise_flag(name)
        for flag in self.flags.values():
            if wanted == flag.name or wanted in flag.aliases:
                return flag
        raise KeyError(f"`vllm serve` of vLLM {self.version} ({self.vllm.sha[:9]}) has no flag {name!r}")

    def has_flag(self, name: str) -> bool:
        try:
            self.flag(name)
        except KeyError:
            return False
        return True

    def reads_env(self, name: str) -> bool:
        """Declared by vLLM's or tpu-inference's `envs.py` (a variable read elsewhere is not seen)."""
        return name in self.vllm_environment or name in self.tpu_environment


def _commit(data: Mapping[str, Any]) -> Commit:
    return Commit(data["repository"], data["commit"], data["date"], data["subject"])


def _metric(data: Mapping[str, Any]) -> Metric:
    return Metric(
        name=data["name"],
        type=data["type"],
        documentation=data["documentation"],
        deprecated=data["deprecated"],
        hidden=data["hidden"],
        series=tuple(data["series"]),
        monitoring_type=data["monitoring_type"],
        definitions=tuple(f"{d['file']}:{d['line']}" for d in data["definitions"]),
    )


def _flag(name: str, data: Mapping[str, Any]) -> Flag:
    config = data.get("config")
    choices, values = data.get("choices"), data.get("values")
    return Flag(
        name=name,
        aliases=tuple(data["aliases"]),
        type=data.get("type") if isinstance(data.get("type"), str) else None,
        optional=bool(data.get("optional")),
        default=data.get("default"),
        choices=tuple(choices) if isinstance(choices, list) else None,
        values=tuple(values) if values else None,
        nargs=data.get("nargs"),
        action=data.get("action") if isinstance(data.get("action"), str) else None,
        help=data.get("help", ""),
        source=f"{data['file']}:{data['line']}",
        config_field=f"{config['class']}.{config['field']}" if config else None,
        constraints=MappingProxyType(dict(config["constraints"]) if config else {}),
    )


def parse(document: Mapping[str, Any]) -> VllmRelease:
    quantization, environment = document["quantization"], document["environment"]
    return VllmRelease(
        image=document["image"]["reference"],
        built=document["image"]["built"],
        extracted=document["extracted"],
        vllm=_commit(document["vllm"]),
        tpu_inference=_commit(document["tpu_inference"]),
        version=document["vllm"]["version"]["version"],
        version_tag=document["vllm"]["version"]["tag"],
        tpu_vllm_lkg=document["tpu_inference"]["vllm_lkg"],
        metrics=MappingProxyType({m["name"]: _metric(m) for m in document["metrics"]}),
        flags=MappingProxyType({name: _flag(name, data) for name, data in document["flags"].items()}),
        vllm_quantizations=tuple(quantization["vllm"]["methods"]),
        deprecated_quantizations=tuple(quantization["vllm"]["deprecated"]),
        tpu_quantizations=tuple(quantization["tpu"]["methods"]),
        vllm_environment=frozenset(environment["vllm"]["names"]),
        tpu_environment=frozenset(environment["tpu_inference"]["names"]),
        compile_cache_env=tuple(c["env"] for c in environment["compile_cache"] if c["env"]),
        guarded_prefixes=tuple(document["auth"]["guarded_prefixes"]),
        notes=MappingProxyType(dict(document["notes"])),
    )


@functools.cache
def load(path: Path = EXTRACT) -> VllmRelease:
    """The committed extract (read once)."""
    return parse(json.loads(path.read_text(encoding="utf-8")))
