"""Each process's image is built from the lock file in stages, runs as a non-root user from a
pinned base image and has a healthcheck; each rule is also shown rejecting a broken file."""

from __future__ import annotations

import pytest

from . import dockerfile
from .problems import PACKAGES, PROCESSES, REPO_ROOT, SOURCE_DIRS, rules


def _text(process: str) -> str:
    return (REPO_ROOT / SOURCE_DIRS[process] / "Dockerfile").read_text(encoding="utf-8")


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
