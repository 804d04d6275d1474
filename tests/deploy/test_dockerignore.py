"""The build context keeps what the images need (lock file, pyproject files, sources) and
leaves out the virtual environment, git history, local secrets and data."""

from __future__ import annotations

import re

import pytest

from .problems import REPO_ROOT, SOURCE_DIRS


def _patterns() -> list[str]:
    lines = (REPO_ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _regex(pattern: str) -> re.Pattern[str]:
    """A .dockerignore pattern (Go filepath.Match plus `**`), matching a path or its parents."""
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[":
            end = pattern.index("]", i)
            out.append(pattern[i : end + 1])
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + "(?:/.*)?")


def ignored(path: str, patterns: list[str]) -> bool:
    result = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        if _regex(pattern.lstrip("!").strip("/")).fullmatch(path):
            result = not negated
    return result


NEEDED = [
    "uv.lock",
    "pyproject.toml",
    "shared/pyproject.toml",
    "shared/src/cbec/shared/settings.py",
    *(f"{d}/pyproject.toml" for d in SOURCE_DIRS.values()),
    *(f"{d}/src/cbec/x.py" for d in SOURCE_DIRS.values()),
    "services/declaration/src/cbec/declaration/migrations/env.py",
]
LEFT_OUT = [
    ".venv/bin/python",
    ".git/HEAD",
    ".env",
    "data/declaration.db",
    "tests/unit/test_x.py",
    "shared/src/cbec/shared/__pycache__/bus.cpython-311.pyc",
    "services/payments/.venv/lib/x.py",
]


@pytest.mark.parametrize("path", NEEDED)
def test_the_build_context_keeps_what_the_images_need(path: str) -> None:
    assert not ignored(path, _patterns())


@pytest.mark.parametrize("path", LEFT_OUT)
def test_the_build_context_leaves_out_local_state_and_secrets(path: str) -> None:
    assert ignored(path, _patterns())


@pytest.mark.parametrize(
    ("patterns", "path", "expected"),
    [
        (["**/*.pyc"], "a/b/c.pyc", True),
        (["*.md"], "docs/x.md", False),
        (["data"], "data/x.db", True),
        (["tests", "!tests/keep"], "tests/keep/x.py", False),
        (["shared/src"], "shared/pyproject.toml", False),
    ],
)
def test_the_pattern_reader_matches_as_docker_does(
    patterns: list[str], path: str, expected: bool
) -> None:
    assert ignored(path, patterns) is expected
