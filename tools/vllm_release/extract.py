"""Build the extract: provenance, metrics, `vllm serve` flags, TPU quantizations, environment, notes.

`build()` reads both trees and returns the document; `write()` serialises it canonically (sorted
keys, two-space indent, trailing newline) so a regeneration at the same commits is byte-identical.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from packaging.version import Version

from tools.vllm_release import notes, review, tpu
from tools.vllm_release.flags import ParserReader, jsonable
from tools.vllm_release.git import GitTree
from tools.vllm_release.hints import HintReader, literal_values
from tools.vllm_release.metrics import extract_metrics
from tools.vllm_release.pysource import SourceIndex

SCHEMA = 1
IMAGE_TAG = re.compile(r"^nightly-(?P<date>\d{8})-(?P<tpu>[0-9a-f]{7,40})-(?P<vllm>[0-9a-f]{7,40})$")
QUANTIZATION = "vllm/model_executor/layers/quantization/__init__.py"
SERVER_UTILS = "vllm/entrypoints/serve/utils/server_utils.py"
ENV_DETAILS = (
    "VLLM_API_KEY",
    "VLLM_CACHE_ROOT",
    "VLLM_DISABLE_COMPILE_CACHE",
    "VLLM_ENGINE_READY_TIMEOUT_S",
    "VLLM_XLA_CACHE_PATH",
    "VLLM_XLA_CHECK_RECOMPILATION",
)


class ExtractError(ValueError):
    """The inputs do not describe one consistent release."""


def image_commits(image: str) -> tuple[str, str, str]:
    """`vllm/vllm-tpu:nightly-<yyyymmdd>-<tpu-inference sha>-<vllm sha>` -> (date, tpu sha, vllm sha)."""
    tag = image.rpartition(":")[2]
    match = IMAGE_TAG.match(tag)
    if not match:
        raise ExtractError(f"{image!r}: the tag is not nightly-<yyyymmdd>-<tpu-inference sha>-<vllm sha>")
    day = match["date"]
    return f"{day[:4]}-{day[4:6]}-{day[6:]}", match["tpu"], match["vllm"]


def next_dev_version(tag: str, distance: int) -> str:
    """What setuptools_scm's default scheme (guess-next-dev) calls a commit `distance` after `tag`."""
    version = Version(tag.removeprefix("v"))
    if distance == 0:
        return str(version)
    if version.pre is not None:
        label, number = version.pre
        return f"{version.base_version}{label}{number + 1}.dev{distance}"
    major, minor, micro = (*version.release, 0, 0)[:3]
    return f"{major}.{minor}.{micro + 1}.dev{distance}"


def version_info(tree: GitTree, release_tag: tuple[str, str] | None) -> dict[str, Any]:
    if release_tag is not None:
        name, commit = release_tag
        tag_commit = tree.rev_parse(commit)
        if not tree.is_ancestor(tag_commit):
            raise ExtractError(f"{name} ({tag_commit}) is not an ancestor of {tree.commit}")
        distance, source = tree.distance(tag_commit), "given with --vllm-release-tag"
    else:
        described = tree.describe()
        if described is None:
            raise ExtractError("the vLLM mirror has no v* tag behind the commit: give --vllm-release-tag TAG=SHA")
        name, count, _ = described.rsplit("-", 2)
        tag_commit, distance, source = tree.rev_parse(name), int(count), "git describe --tags in the mirror"
    return {
        "scheme": "setuptools_scm (pyproject.toml [tool.setuptools_scm]; the source has no static version)",
        "tag": name,
        "tag_commit": tag_commit,
        "tag_source": source,
        "distance": distance,
        "version": next_dev_version(name, distance),
    }


def _repository(tree: GitTree, name: str) -> dict[str, Any]:
    info = tree.info()
    return {"repository": name, "commit": info.sha, "date": info.date, "subject": info.subject}


def _quantization(vllm: SourceIndex, tpu_source: SourceIndex) -> dict[str, Any]:
    module = vllm.by_path(QUANTIZATION)
    _, methods = vllm.lookup(module, "QuantizationMethods", "typing")
    reader = HintReader(vllm, "typing")
    deprecated = vllm.literal(module, module.bindings("runtime")["DEPRECATED_QUANTIZATION_METHODS"])  # type: ignore[arg-type]
    return {
        "vllm": {
            "methods": literal_values(reader.hints(module, methods)),
            "deprecated": sorted(deprecated),
            "file": QUANTIZATION,
        },
        "tpu": tpu.supported_quantization(tpu_source),
        "tpu_implementations": tpu.quantization_map(tpu_source),
    }


def _environment(vllm: SourceIndex, tpu_source: SourceIndex) -> dict[str, Any]:
    declared = tpu.declared_environment(vllm, "vllm/envs.py")
    return {
        "vllm": {"file": "vllm/envs.py", "names": sorted(declared)},
        "vllm_details": {name: declared[name] for name in ENV_DETAILS if name in declared},
        "tpu_inference": {
            "file": "tpu_inference/envs.py",
            "names": sorted(tpu.declared_environment(tpu_source, "tpu_inference/envs.py")),
        },
        "compile_cache": tpu.compile_cache(tpu_source),
    }


def build(
    vllm: GitTree,
    tpu_tree: GitTree,
    image: str,
    extracted: date,
    release_tag: tuple[str, str] | None,
    reviewed: dict[str, str] | None,
) -> dict[str, Any]:
    """The extract; `reviewed` (anchor -> digest, normally `notes.REVIEWED`) gates the notes (review.py)."""
    built, tpu_short, vllm_short = image_commits(image)
    for tree, short, what in ((vllm, vllm_short, "vLLM"), (tpu_tree, tpu_short, "tpu-inference")):
        if not tree.commit.startswith(short):
            raise ExtractError(f"the image is built from {what} {short}, not {tree.commit}")
    vllm_source = SourceIndex(vllm.read_many(vllm.python_files("vllm")))
    tpu_source = SourceIndex(tpu_tree.read_many(tpu_tree.python_files("tpu_inference")))
    located = review.check(vllm_source, notes.ANCHORS, reviewed)
    lkg = tpu_tree.read(tpu.LKG_FILE).strip() if tpu_tree.exists(tpu.LKG_FILE) else None
    prefixes = vllm_source.by_path(SERVER_UTILS)
    metrics = extract_metrics(vllm_source)
    return {
        "schema": SCHEMA,
        "extracted": extracted.isoformat(),
        "image": {"reference": image, "built": built},
        "vllm": {**_repository(vllm, "vllm-project/vllm"), "version": version_info(vllm, release_tag)},
        "tpu_inference": {**_repository(tpu_tree, "vllm-project/tpu-inference"), "vllm_lkg": lkg},
        "metrics": metrics["metrics"],
        "unresolved_metric_definitions": metrics["unresolved"],
        "flags": ParserReader(vllm_source).read(),
        "quantization": _quantization(vllm_source, tpu_source),
        "environment": _environment(vllm_source, tpu_source),
        "auth": {
            "guarded_prefixes": jsonable(vllm_source.literal(prefixes, prefixes.bindings("runtime")["GUARDED_PREFIX"])),  # type: ignore[arg-type]
            "file": SERVER_UTILS,
        },
        "notes": {key: review.render(text, located) for key, text in notes.NOTES.items()},
        "references": {
            k: {"file": v.path, "line": v.line, "symbol": v.symbol, "digest": v.digest} for k, v in located.items()
        },
    }


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write(document: dict[str, Any], out: Path) -> None:
    out.write_text(dumps(document), encoding="utf-8")
