"""The base every component of the platform derives from."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi

PACKAGE = "llm-platform"


def _as_resources(value: Any) -> list[pulumi.Resource]:
    if value is None:
        return []
    if isinstance(value, pulumi.Resource):
        return [value]
    if isinstance(value, Sequence):
        return list(value)
    raise TypeError("depends_on on a platform component must be a Resource or a list of Resources")


class PlatformComponent(pulumi.ComponentResource):
    """A ComponentResource whose children inherit the component's `depends_on`.

    Pulumi does not pass a component's `depends_on` down to its children, so a
    component created "after the project services" would still let its children race
    the API enablement. `child()` builds every child's options: `parent=self` plus the
    component's own dependencies plus any the child adds.
    """

    def __init__(self, module_and_type: str, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(f"{PACKAGE}:{module_and_type}", name, None, opts)
        self._inherited_dependencies = _as_resources(opts.depends_on if opts else None)

    def child(self, *, depends_on: Sequence[pulumi.Resource] = (), **options: Any) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, depends_on=[*self._inherited_dependencies, *depends_on], **options)
