"""`python -m tools vllm-release`: facts of the pinned vLLM TPU release, read from its own source.

CI never installs vLLM (its wheels and torch alone would take the test budget), yet the program must
only name metrics, flags and quantizations the pinned release has. This package reads the release's
source from git mirrors of vllm-project/vllm and vllm-project/tpu-inference at the commits the image
tag names, with `git cat-file` and Python's `ast` (nothing is imported or run), and writes a dated
JSON extract (`components/serving/vllm_release.json`) that the program and the tests load.

Modules: `git` (one commit of a mirror), `pysource` (syntax trees, names, literals), `metrics`
(`vllm:` metric definitions), `hints` + `flags` + `flag_record` (the `vllm serve` parser, rebuilt),
`tpu` (tpu-inference's platform facts), `review` + `notes` (readings pinned to the code they
describe), `extract` (the document).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime
from pathlib import Path

DEFAULT_OUT = Path("components/serving/vllm_release.json")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--vllm-git", required=True, metavar="DIR", help="git directory of a vllm-project/vllm mirror")
    parser.add_argument(
        "--tpu-inference-git", required=True, metavar="DIR", help="git directory of a vllm-project/tpu-inference mirror"
    )
    parser.add_argument("--image", help="the pinned image (default: DEFAULT_VLLM_IMAGE, components/serving/images.py)")
    parser.add_argument("--vllm-commit", metavar="SHA", help="default: the vLLM sha in the image tag")
    parser.add_argument("--tpu-inference-commit", metavar="SHA", help="default: the tpu-inference sha in the image tag")
    parser.add_argument(
        "--vllm-release-tag",
        metavar="TAG=SHA",
        help="the release tag behind the commit, when the mirror lacks tags (default: git describe)",
    )
    parser.add_argument("--date", type=date.fromisoformat, help="extraction date (default: today, UTC)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="default: %(default)s")


def main(args: argparse.Namespace) -> int:
    # Imported here, not at parser build time: `tools diff` runs this CLI where components/ is not importable.
    from components.serving.images import DEFAULT_VLLM_IMAGE
    from tools.vllm_release import notes
    from tools.vllm_release.extract import ExtractError, build, image_commits, write
    from tools.vllm_release.flags import FlagError
    from tools.vllm_release.git import GitError, GitTree
    from tools.vllm_release.metrics import MetricError
    from tools.vllm_release.review import ReviewError
    from tools.vllm_release.tpu import TpuError

    image = args.image or DEFAULT_VLLM_IMAGE
    try:
        _, tpu_short, vllm_short = image_commits(image)
        release_tag = None
        if args.vllm_release_tag:
            tag, sep, sha = args.vllm_release_tag.partition("=")
            if not sep or not tag or not sha:
                raise ExtractError(f"--vllm-release-tag {args.vllm_release_tag!r}: expected TAG=SHA")
            release_tag = (tag, sha)
        vllm = GitTree(args.vllm_git, args.vllm_commit or vllm_short)
        tpu = GitTree(args.tpu_inference_git, args.tpu_inference_commit or tpu_short)
        extracted = args.date or datetime.now(UTC).date()
        document = build(vllm, tpu, image, extracted, release_tag, reviewed=notes.REVIEWED)
    except (ExtractError, FlagError, GitError, MetricError, ReviewError, TpuError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    write(document, args.out)
    flags, metrics = document["flags"], document["metrics"]
    print(
        f"wrote {args.out}: {len(metrics)} metrics, {len(flags)} flags, vLLM {document['vllm']['version']['version']}"
    )
    if document["tpu_inference"]["vllm_lkg"] != vllm.commit:
        print(f"warning: tpu-inference's LKG is {document['tpu_inference']['vllm_lkg']}, not {vllm.commit}")
    return 0
