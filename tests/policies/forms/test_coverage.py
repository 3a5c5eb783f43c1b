"""Every policy of the pack has a case with its checked field absent (or a reason it has no such field)."""

from __future__ import annotations

import importlib
import pkgutil

import tests.policies.forms as forms

# Policies whose subject is not a field: the absent form is covered where it lives.
NO_FIELD = {
    "iam-no-service-account-keys": "the resource type itself is refused (tests/policies/test_iam.py)",
    "stack-creation-order": "the table's rows: tests/policies/ordering/test_rows.py drops each prerequisite",
    "stack-creation-order-covered": "a type without a row: tests/policies/ordering/test_engine.py",
    "k8s-tpu-pool-exists": "a topology no pool provides: tests/policies/test_kubernetes.py",
}


def _forms() -> list[forms.Form]:
    found: list[forms.Form] = []
    for module in pkgutil.iter_modules(forms.__path__):
        if module.name.startswith("test_") and module.name != "test_coverage":
            found += importlib.import_module(f"{forms.__name__}.{module.name}").FORMS
    return found


def test_every_policy_has_an_absent_field_case(pack) -> None:
    absent = {form.policy for form in _forms() if form.shape == "absent"}
    policies = {p.name for p in pack.info().policies}
    assert policies - absent - set(NO_FIELD) == set()
    assert set(NO_FIELD) <= policies and not set(NO_FIELD) & absent
