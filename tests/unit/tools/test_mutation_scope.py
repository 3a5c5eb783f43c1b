"""`make mutation`'s scope names files that exist, and the checks target misses no config test."""

from __future__ import annotations

from pathlib import Path

from tests.mutation.scope import TARGETS
from tools.stack_config import PROJECT_ROOT


def test_every_module_and_test_a_target_names_exists() -> None:
    for target in TARGETS:
        for module in target.modules:
            assert (PROJECT_ROOT / module).is_file(), f"{target.name}: {module}"
        for test in target.tests:
            assert (PROJECT_ROOT / test.split("::")[0]).exists(), f"{target.name}: {test}"


def test_the_checks_target_runs_every_config_test_file() -> None:
    (checks,) = [t for t in TARGETS if t.name == "components-checks"]
    config_tests = {str(p.relative_to(PROJECT_ROOT)) for p in Path(PROJECT_ROOT, "tests/unit/config").glob("test_*.py")}
    assert config_tests <= set(checks.tests)
