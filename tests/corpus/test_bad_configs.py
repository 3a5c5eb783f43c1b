"""A corpus of realistic stack-file mistakes, each run through the offline preview as a user runs it.

Every case in `tests/corpus/*.yaml` edits a committed stack file (by `--path`-style key, or as
text for mistakes in the YAML itself) and expects the preview to stop: a non-zero exit, no
traceback, one line naming each key it lists, nothing registered and no snapshot written.
Each line the preview prints must name a leaf key (the one to edit), never a group of keys,
and carry no Python class name or internal path.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.config.errors import all_models
from components.config.platform import PlatformConfig
from tests.helpers import names_a_leaf
from tools.__main__ import main
from tools.stack_config import PROJECT_ROOT, read_yaml

CORPUS = Path(__file__).parent
STOPPED_EARLY = "(the program stopped before registering any resource)"
# Python class names, pydantic's own phrasing and traceback or library paths must never reach the user.
INTERNALS = re.compile(
    "|".join(
        [rf"\b{model.__name__}\b" for model in all_models(PlatformConfig)]
        + ["pydantic", "Traceback", 'File "', "site-packages", "instance of", "Input should", "For further information"]
    )
)


@dataclass(frozen=True)
class Case:
    id: str
    expect: list[str]
    stack: str = "dev"
    set: dict[str, Any] = field(default_factory=dict)
    unset: list[str] = field(default_factory=list)
    replace: list[str] = field(default_factory=list)  # [old, new] in the stack file's text
    exit: int = 1


def _cases() -> list[Any]:
    cases = []
    for path in sorted(CORPUS.glob("*.yaml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")):
            case = Case(**entry)
            cases.append(pytest.param(case, id=f"{path.stem}:{case.id}"))
    return cases


def _split(key: str) -> tuple[str, list[str | int]]:
    """`llm-platform:a.b[0].c` -> ("llm-platform:a", ["b", 0, "c"]), as `pulumi config set --path` reads it."""
    namespace, _, path = key.partition(":")
    parts: list[str | int] = []
    for token in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        parts.append(int(token[1:-1]) if token.startswith("[") else token)
    head = parts.pop(0)
    return f"{namespace}:{head}", parts


def _edit(settings: dict[str, Any], case: Case) -> None:
    for key, value in case.set.items():
        top, path = _split(key)
        if not path:
            settings[top] = value
            continue
        node = settings.setdefault(top, {})
        for part in path[:-1]:
            node = node[part] if isinstance(part, int) else node.setdefault(part, {})
        node[path[-1]] = value
    for key in case.unset:
        top, path = _split(key)
        if not path:
            del settings[top]
            continue
        node = settings[top]
        for part in path[:-1]:
            node = node[part]
        del node[path[-1]]


def _project_with(case: Case, tmp_path: Path) -> Path:
    """A copy of the project whose stack file carries the mistake."""
    for name in ("Pulumi.yaml",):
        shutil.copy(PROJECT_ROOT / name, tmp_path / name)
    for name in ("__main__.py", "components"):
        (tmp_path / name).symlink_to(PROJECT_ROOT / name)
    stack_file = PROJECT_ROOT / f"Pulumi.{case.stack}.yaml"
    if case.replace:
        old, new = case.replace
        text = stack_file.read_text(encoding="utf-8")
        assert old in text, f"{case.id}: {old!r} is not in {stack_file.name}"
        text = text.replace(old, new, 1)
    else:
        document = read_yaml(stack_file)
        _edit(document["config"], case)
        text = yaml.safe_dump(document, sort_keys=False)
    (tmp_path / stack_file.name).write_text(text, encoding="utf-8")
    return tmp_path


def test_the_corpus_is_large_and_covers_both_stacks() -> None:
    cases = [param.values[0] for param in _cases()]
    assert len(cases) >= 80
    assert {case.stack for case in cases} == {"dev", "prod"}
    assert len({case.id for case in cases}) == len(cases)


@pytest.mark.parametrize("case", _cases())
def test_mistake_is_stopped_with_a_keyed_message(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "project").mkdir()
    project = _project_with(case, tmp_path / "project")
    snapshot = tmp_path / "snapshot.json"
    code = main(["preview", case.stack, "--project-dir", str(project), "--json", str(snapshot)])
    out, err = capsys.readouterr()
    assert code == case.exit, err
    assert out == "" and not snapshot.exists()
    assert not INTERNALS.search(err), err
    for expected in case.expect:
        assert expected in err, f"{expected!r} not in:\n{err}"
    if case.exit == 1:
        assert STOPPED_EARLY in err
        problems = [line.strip() for line in err.splitlines()[1:] if line.startswith("  ")]
        assert problems, err
        for line in problems:
            key, message = line.split(": ", 1)
            # A group of keys is named only when its own value has the wrong shape (text instead of a map).
            assert names_a_leaf(key) or ", not a map" in message, f"names a group of keys, not the leaf: {line}"
