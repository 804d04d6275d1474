"""A small Dockerfile reader (instructions, stages, build arguments) and the platform's rules for
its images: multi-stage from the lock file, pinned base images, non-root, healthcheck, the `cbec`
command. One Dockerfile builds every process: :func:`render` substitutes a process's build
arguments and :func:`problems` checks the image its last stage resolves to."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass

from .problems import Problem

RUNTIME_IMAGE = re.compile(r"^python:3\.11\.\d+-slim-bookworm(@sha256:[0-9a-f]{64})?$")
UV_IMAGE = re.compile(r"^ghcr\.io/astral-sh/uv:\d+\.\d+\.\d+(@sha256:[0-9a-f]{64})?$")
ROOT_USERS = {"root", "0"}


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str
    line: int


@dataclass(frozen=True)
class Stage:
    image: str
    name: str | None
    instructions: list[Instruction]

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]


def parse(text: str) -> list[Instruction]:
    """Instructions with their continuation lines joined; comments and blank lines dropped."""
    instructions: list[Instruction] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending.append(stripped[:-1].strip())
            continue
        pending.append(stripped)
        keyword, _, arguments = " ".join(p for p in pending if p).partition(" ")
        instructions.append(Instruction(keyword.upper(), arguments.strip(), start))
        pending = []
    if pending:
        keyword, _, arguments = " ".join(pending).partition(" ")
        instructions.append(Instruction(keyword.upper(), arguments.strip(), start))
    return instructions


_REFERENCE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")


def build_args(text: str) -> set[str]:
    """The names of the build arguments the Dockerfile declares (``ARG NAME[=default]``)."""
    return {i.arguments.split("=", 1)[0].strip() for i in parse(text) if i.keyword == "ARG"}


def render(text: str, args: dict[str, str]) -> str:
    """The Dockerfile with each reference to a declared build argument (``${NAME}``, ``$NAME``)
    replaced by its value in ``args``, as the build sees it; other references (``$PATH``) are
    left as they are. Every declared argument must be given."""
    declared = build_args(text)
    missing = sorted(declared - set(args))
    if missing:
        raise ValueError(f"build arguments not given: {missing}")

    def value(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        return args[name] if name in declared else match.group(0)

    return _REFERENCE.sub(value, text)


def stages(instructions: list[Instruction]) -> list[Stage]:
    result: list[Stage] = []
    for instruction in instructions:
        if instruction.keyword == "FROM":
            words = [w for w in instruction.arguments.split() if not w.startswith("--")]
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            result.append(Stage(words[0] if words else "", name, []))
        elif result:
            result[-1].instructions.append(instruction)
    return result


def _pinned(image: str) -> bool:
    if "@sha256:" in image:
        return True
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return False
    tag = last.split(":", 1)[1]
    return tag != "latest" and bool(re.search(r"\d", tag))


def _exec_form(arguments: str) -> list[str] | None:
    try:
        value = json.loads(arguments)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, list) and all(isinstance(v, str) for v in value) else None


def _env_pairs(stage: Stage) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for instruction in stage.all("ENV"):
        for word in shlex.split(instruction.arguments):
            key, sep, value = word.partition("=")
            if sep:
                pairs[key] = value
    return pairs


def image_stages(all_stages: list[Stage]) -> tuple[list[Stage], Stage | None]:
    """The stages the image is built from and its runtime: the last stage, with the stages it
    is built ``FROM`` folded into it (``FROM runtime AS process-x`` ... ``FROM process-x``).
    Stages that only other images use are left out."""
    if not all_stages:
        return [], None
    by_name = {s.name: s for s in all_stages if s.name}
    chain = [all_stages[-1]]
    while chain[-1].image in by_name and by_name[chain[-1].image] not in chain:
        chain.append(by_name[chain[-1].image])
    base = chain[-1]
    runtime = Stage(
        base.image,
        all_stages[-1].name,
        [i for stage in reversed(chain) for i in stage.instructions],
    )
    # A stage built FROM another one, outside the chain, is another process's image.
    others = [s for s in all_stages if s not in chain and s.image not in by_name]
    return [*others, runtime], runtime


def problems(text: str, *, process: str, port: int, package: str) -> list[Problem]:
    """The rules every image of the platform follows; `process` is the `cbec serve` name.
    ``text`` is the Dockerfile as the build sees it (:func:`render` with the build args)."""
    found: list[Problem] = []
    all_stages, _ = image_stages(stages(parse(text)))
    names = {s.name for s in stages(parse(text)) if s.name}
    if len(all_stages) < 2:
        found.append(Problem("FROM", "multi-stage: a builder stage and a runtime stage"))
    for stage in all_stages:
        if stage.image not in names and not _pinned(stage.image):
            found.append(
                Problem("FROM", "base images are pinned to a version, never latest", stage.image)
            )
    if not all_stages:
        return found
    runtime = all_stages[-1]
    if not RUNTIME_IMAGE.match(runtime.image):
        found.append(
            Problem(
                "FROM", "the runtime stage is a pinned python:3.11.x-slim-bookworm", runtime.image
            )
        )

    uv_stages = {s.name for s in all_stages if UV_IMAGE.match(s.image) and s.name}
    builders = [
        s for s in all_stages[:-1] if s.image not in uv_stages and not UV_IMAGE.match(s.image)
    ]
    syncs = [i.arguments for s in builders for i in s.all("RUN") if "uv sync" in i.arguments]
    # Every sync installs from the lock file as it is, without the development tools.
    if not syncs or not all(
        "--frozen" in a and "--no-dev" in a and f"--package {package}" in a for a in syncs
    ):
        found.append(
            Problem("RUN", f"a builder runs uv sync --frozen --no-dev --package {package}", syncs)
        )
    copies_uv = any(
        any(f"--from={n}" in i.arguments for n in uv_stages)
        or re.search(r"--from=ghcr\.io/astral-sh/uv:\d", i.arguments)
        for s in builders
        for i in s.all("COPY")
    )
    if not copies_uv:
        found.append(Problem("COPY", "uv is copied from its pinned official image"))
    if builders and builders[-1].image != runtime.image:
        found.append(
            Problem(
                "FROM",
                "builder and runtime use the same Python image (the venv's interpreter path)",
                (builders[-1].image, runtime.image),
            )
        )
    if not any(
        "/app/.venv" in i.arguments and "--from=" in i.arguments for i in runtime.all("COPY")
    ):
        found.append(Problem("COPY", "the runtime stage copies /app/.venv from the builder"))

    users = runtime.all("USER")
    if not users:
        found.append(Problem("USER", "the runtime stage sets a non-root USER"))
    else:
        user = users[-1].arguments.split(":", 1)[0]
        if user in ROOT_USERS:
            found.append(
                Problem("USER", "the runtime stage sets a non-root USER", users[-1].arguments)
            )

    checks = runtime.all("HEALTHCHECK")
    if not checks or checks[-1].arguments.upper() == "NONE":
        found.append(Problem("HEALTHCHECK", "a HEALTHCHECK probes /healthz"))
    else:
        check = checks[-1].arguments
        if f":{port}/healthz" not in check or "python" not in check:
            found.append(
                Problem("HEALTHCHECK", f"the HEALTHCHECK probes :{port}/healthz with python", check)
            )

    exposed = {w.split("/")[0] for i in runtime.all("EXPOSE") for w in i.arguments.split()}
    if str(port) not in exposed:
        found.append(Problem("EXPOSE", f"the image exposes port {port}", sorted(exposed)))

    env = _env_pairs(runtime)
    if env.get("PYTHONUNBUFFERED") != "1":
        found.append(Problem("ENV", "PYTHONUNBUFFERED=1", env.get("PYTHONUNBUFFERED")))

    entrypoint = [_exec_form(i.arguments) for i in runtime.all("ENTRYPOINT")][-1:]
    command = [_exec_form(i.arguments) for i in runtime.all("CMD")][-1:]
    argv = (entrypoint[0] or [] if entrypoint else []) + (command[0] or [] if command else [])
    expected = ["cbec", "serve", process, "--host", "0.0.0.0", "--port", str(port)]
    if argv != expected:
        found.append(
            Problem("CMD", f"the image runs `{' '.join(expected)}` (exec form)", " ".join(argv))
        )
    return found
