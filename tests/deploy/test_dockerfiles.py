"""Each process's image is built from the lock file in stages, runs as a non-root user from a
pinned base image and has a healthcheck; each rule is also shown rejecting a broken file.
Every image comes from the one Dockerfile at the root, with the build arguments docker-compose.yml
gives the process; each rule is checked on the image those arguments select."""

from __future__ import annotations

from typing import Any

import pytest

from . import dockerfile
from .compose import load_compose
from .problems import PACKAGES, PROCESSES, REPO_ROOT, SOURCE_DIRS, rules

DOCKERFILE = REPO_ROOT / "Dockerfile"


def _build(process: str) -> dict[str, Any]:
    build: dict[str, Any] = load_compose()["services"][process]["build"]
    return build


def _text(process: str) -> str:
    """The Dockerfile as the build of ``process`` sees it: its compose build arguments in."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    return dockerfile.render(text, {k: str(v) for k, v in _build(process)["args"].items()})


def _problems(text: str, process: str = "declaration") -> list[dockerfile.Problem]:
    return dockerfile.problems(
        text, process=process, port=PROCESSES[process], package=PACKAGES[process]
    )


@pytest.mark.parametrize("process", sorted(PROCESSES))
def test_the_image_of_each_process_follows_the_rules(process: str) -> None:
    assert [str(p) for p in _problems(_text(process), process)] == []


@pytest.mark.parametrize("process", sorted(PROCESSES))
def test_the_image_copies_only_shared_and_its_own_sources(process: str) -> None:
    copied = {
        i.arguments.split()[0]
        for i in dockerfile.parse(_text(process))
        if i.keyword == "COPY" and i.arguments.split()[0].endswith("/src")
    }
    assert copied == {"shared/src", f"{SOURCE_DIRS[process]}/src"}


@pytest.mark.parametrize("process", sorted(PROCESSES))
def test_compose_builds_each_process_from_the_one_dockerfile_with_its_arguments(
    process: str,
) -> None:
    assert _build(process) == {
        "context": ".",
        "dockerfile": "Dockerfile",
        "args": {"SERVICE": process, "PACKAGE_DIR": SOURCE_DIRS[process]},
    }
    assert PACKAGES[process] == f"cbec-{process}"
    assert not (REPO_ROOT / SOURCE_DIRS[process] / "Dockerfile").exists()


def test_a_build_without_its_arguments_is_refused() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert dockerfile.build_args(text) == {"SERVICE", "PACKAGE_DIR"}
    with pytest.raises(ValueError, match="PACKAGE_DIR"):
        dockerfile.render(text, {"SERVICE": "declaration"})
    # The build itself stops at its first step without them, naming the arguments.
    assert 'test -n "${SERVICE}" && test -n "${PACKAGE_DIR}"' in text


def test_build_arguments_are_substituted_and_other_references_left_alone() -> None:
    text = "ARG SERVICE\nFROM a:1 AS b\nENV PATH=/x:$PATH NAME=cbec-${SERVICE} ALSO=$SERVICE\n"
    assert dockerfile.render(text, {"SERVICE": "payments"}).splitlines()[-1] == (
        "ENV PATH=/x:$PATH NAME=cbec-payments ALSO=payments"
    )


def test_the_image_is_the_last_stage_with_the_stages_it_is_built_from() -> None:
    parsed = dockerfile.stages(
        dockerfile.parse(
            "FROM u:1 AS uv\nFROM p:1 AS builder\nRUN b\nFROM p:1 AS runtime\nUSER 1\n"
            "FROM runtime AS process-a\nCMD a\nFROM runtime AS process-b\nCMD b\n"
            "FROM process-b AS image\n"
        )
    )
    stages, runtime = dockerfile.image_stages(parsed)
    assert [s.name for s in stages] == ["uv", "builder", "image"]
    assert runtime is not None
    assert runtime.image == "p:1"
    assert [(i.keyword, i.arguments) for i in runtime.instructions] == [
        ("USER", "1"),
        ("CMD", "b"),
    ]


def test_continuation_lines_and_comments_are_joined_into_one_instruction() -> None:
    parsed = dockerfile.parse(
        "# comment\nFROM a:1 AS b\nRUN one \\\n    # inside\n    two\n\nUSER 10\n"
    )
    assert [(i.keyword, i.arguments, i.line) for i in parsed] == [
        ("FROM", "a:1 AS b", 2),
        ("RUN", "one two", 3),
        ("USER", "10", 7),
    ]


@pytest.mark.parametrize(
    ("old", "new", "rule"),
    [
        (
            "FROM python:3.11.13-slim-bookworm AS runtime",
            "FROM python:latest AS runtime",
            "base images are pinned to a version, never latest",
        ),
        (
            "FROM python:3.11.13-slim-bookworm AS runtime",
            "FROM python:3.12-slim AS runtime",
            "the runtime stage is a pinned python:3.11.x-slim-bookworm",
        ),
        (
            "FROM ghcr.io/astral-sh/uv:0.13.9 AS uv",
            "FROM ghcr.io/astral-sh/uv AS uv",
            "base images are pinned to a version, never latest",
        ),
        ("USER 10001:10001", "USER root", "the runtime stage sets a non-root USER"),
        ("USER 10001:10001", "USER 0:0", "the runtime stage sets a non-root USER"),
        ("USER 10001:10001", "", "the runtime stage sets a non-root USER"),
        ("HEALTHCHECK --interval", "# HEALTHCHECK --interval", "a HEALTHCHECK probes /healthz"),
        ("EXPOSE 8001", "EXPOSE 8080", "the image exposes port 8001"),
        ("PYTHONUNBUFFERED=1", "PYTHONUNBUFFERED=0", "PYTHONUNBUFFERED=1"),
        (
            "uv sync --frozen --no-dev --no-editable --package cbec-declaration",
            "uv sync --no-editable --package cbec-declaration",
            "a builder runs uv sync --frozen --no-dev --package cbec-declaration",
        ),
        (
            "COPY --from=uv /uv /usr/local/bin/uv",
            "RUN pip install uv",
            "uv is copied from its pinned official image",
        ),
        (
            'CMD ["serve", "declaration", "--host", "0.0.0.0", "--port", "8001"]',
            "CMD cbec serve declaration",
            "the image runs `cbec serve declaration --host 0.0.0.0 --port 8001` (exec form)",
        ),
    ],
)
def test_each_rule_rejects_a_dockerfile_that_breaks_it(old: str, new: str, rule: str) -> None:
    text = _text("declaration")
    assert old in text
    broken = text.replace(old, new)
    if old.startswith("HEALTHCHECK"):
        broken = broken.replace('    CMD ["python", "-c"', '    # CMD ["python", "-c"')
    assert rule in rules(_problems(broken)), [str(p) for p in _problems(broken)]


def test_a_single_stage_image_is_rejected() -> None:
    single = 'FROM python:3.11.13-slim-bookworm\nUSER 10001\nCMD ["cbec"]\n'
    assert "multi-stage: a builder stage and a runtime stage" in rules(_problems(single))
