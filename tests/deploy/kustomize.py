"""The subset of kustomize that deploy/k8s uses: a `resources` list (files or directories with
their own kustomization) and a `namespace`. Anything else in a kustomization is refused, so
that a manifest using a feature this renderer lacks fails here instead of being checked
wrongly. `kubectl kustomize deploy/k8s` gives the same objects.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

SUPPORTED_KEYS = {"apiVersion", "kind", "namespace", "resources"}
CLUSTER_SCOPED = {
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "IngressClass",
    "PersistentVolume",
    "PriorityClass",
    "StorageClass",
}


class KustomizeError(Exception):
    """A kustomization this renderer cannot render faithfully, or that kustomize would reject."""


def render(directory: Path) -> list[dict[str, Any]]:
    """The objects `kubectl kustomize <directory>` would output, in resource order."""
    path = directory / "kustomization.yaml"
    if not path.is_file():
        raise KustomizeError(f"no kustomization.yaml in {directory}")
    kustomization = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    unsupported = sorted(set(kustomization) - SUPPORTED_KEYS)
    if unsupported:
        raise KustomizeError(f"{path}: unsupported kustomization keys {unsupported}")

    objects: list[dict[str, Any]] = []
    for entry in kustomization.get("resources") or []:
        resource = (directory / entry).resolve()
        if resource.is_dir():
            objects.extend(render(resource))
        elif resource.is_file():
            for doc in yaml.safe_load_all(resource.read_text(encoding="utf-8")):
                if doc is None:
                    continue
                if not isinstance(doc, dict) or "kind" not in doc or "apiVersion" not in doc:
                    raise KustomizeError(f"{entry}: a document without apiVersion and kind")
                objects.append(doc)
        else:
            raise KustomizeError(f"{path}: resource {entry} not found")

    namespace = kustomization.get("namespace")
    if namespace:
        for obj in objects:
            if obj["kind"] not in CLUSTER_SCOPED:
                obj.setdefault("metadata", {})["namespace"] = namespace

    seen: set[tuple[str, str, str | None, str]] = set()
    for obj in objects:
        metadata = obj.get("metadata") or {}
        key = (
            obj["apiVersion"].split("/")[0],
            obj["kind"],
            metadata.get("namespace"),
            metadata.get("name", ""),
        )
        if key in seen:
            raise KustomizeError(f"two objects with the same id {key}")
        seen.add(key)
    return objects
