"""Names and labels are always valid for GCP, whatever the stack is called."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from components.identity import ksa_principal
from components.naming import Naming, label_value
from components.storage.config import default_bucket_name

GCP_NAME = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
LABEL_VALUE = re.compile(r"^[a-z0-9_-]{0,63}$")
stack_names = st.from_regex(r"[A-Za-z][A-Za-z0-9_.-]{0,40}", fullmatch=True)


@given(st.text(max_size=100))
def test_label_value_is_always_valid(value: str) -> None:
    assert LABEL_VALUE.match(label_value(value))


@given(stack_names, st.from_regex(r"[a-z][a-z0-9-]{0,30}[a-z0-9]", fullmatch=True))
def test_physical_names_are_valid_gcp_names(stack: str, role: str) -> None:
    name = Naming(stack=stack, environment="dev").name(role)
    assert len(name) <= 63
    assert GCP_NAME.match(name), name


ACCOUNT_ID = re.compile(r"^[a-z](?:[-a-z0-9]{4,28}[a-z0-9])$")


@given(stack_names, st.from_regex(r"[a-z][a-z0-9-]{0,20}[a-z0-9]", fullmatch=True))
def test_service_account_ids_are_valid(stack: str, role: str) -> None:
    assert ACCOUNT_ID.match(Naming(stack=stack, environment="dev").account_id(role))


@given(stack_names)
def test_standard_labels_always_present_and_win(stack: str) -> None:
    labels = Naming(stack=stack, environment="prod", extra_labels={"env": "spoofed", "team": "ml"}).labels
    assert labels["env"] == "prod"
    assert labels["managed-by"] == "pulumi"
    assert labels["app"] == "llm-platform"
    assert labels["team"] == "ml"
    assert all(LABEL_VALUE.match(v) for v in labels.values())


def test_bucket_name_prefixes_project() -> None:
    assert default_bucket_name("acme-llm", "prod") == "acme-llm-prod-models"
    assert len(default_bucket_name("a" * 30, "s" * 40)) <= 63


def test_ksa_principal_format() -> None:
    assert ksa_principal("42", "acme.svc.id.goog", "ns", "sa") == (
        "principal://iam.googleapis.com/projects/42/locations/global/"
        "workloadIdentityPools/acme.svc.id.goog/subject/ns/ns/sa/sa"
    )
