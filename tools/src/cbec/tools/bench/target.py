"""The platform under test: one the benchmark starts (as ``cbec up`` does) or a running one."""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from cbec.gateway.client import AsyncGatewayClient
from cbec.gateway.schemas import IssuedCredentials
from cbec.tools.bench.common import BENCH_RULES, PLATFORM_ENV
from cbec.tools.loadgen import (
    Party,
)


@dataclass
class Target:
    """Where the documents go: the gateway, the processes to watch (name → pid), how an
    enterprise gets registered."""

    gateway_url: str
    processes: dict[str, int]
    services: list[str]
    register: Callable[[Party], Awaitable[IssuedCredentials]]
    mode: str
    data_dir: Path | None = None
    settings: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, str] = field(default_factory=dict)
    """Each process's ``/metrics`` (statements and events per order), where known."""


START_ATTEMPTS = 3


def _free_port_block(names_ports: Sequence[int]) -> int:
    from cbec.shared.embedded import free_port, port_is_free

    for _ in range(50):
        offset = free_port() - 8000
        if offset > 0 and all(port_is_free(p + offset) for p in names_ports):
            return offset
    raise RuntimeError("no free block of ports for the platform")


@contextlib.contextmanager
def embedded_platform(data_dir: Path, log: io.StringIO) -> Iterator[Target]:
    """The platform as ``cbec up`` runs it, with its own broker, under ``data_dir``."""
    from cbec.gateway.cli import add_enterprise
    from cbec.gateway.settings import DEVELOPMENT_SECRET_KEY, Settings
    from cbec.shared.embedded import free_port
    from cbec.shared.registry import services
    from cbec.shared.stack import Stack, StackError

    rules = data_dir / "bench-rules.toml"
    data_dir.mkdir(parents=True, exist_ok=True)
    rules.write_text(BENCH_RULES, encoding="utf-8")
    env = {**PLATFORM_ENV, "DECLARATION_RULES_FILE": str(rules)}
    # Its own broker: not one named by KAFKA_BOOTSTRAP_SERVERS, whose topics hold other events.
    saved = os.environ.pop("KAFKA_BOOTSTRAP_SERVERS", None)
    try:
        for attempt in range(1, START_ATTEMPTS + 1):
            stack = Stack(
                data_dir=data_dir,
                port_offset=_free_port_block([d.port for d in services()]),
                broker_port=free_port(),
                out=log,
                env=env,
            )
            try:
                stack.start()
                break
            except StackError as error:
                stack.stop()
                # Another program may take a port between our look and the service's bind.
                if attempt == START_ATTEMPTS:
                    raise
                log.write(f"attempt {attempt}: {error}; starting again on other ports\n")
                for leftover in data_dir.glob("*.db*"):
                    leftover.unlink()
            except BaseException:
                stack.stop()
                raise
    finally:
        if saved is not None:
            os.environ["KAFKA_BOOTSTRAP_SERVERS"] = saved
    try:
        gateway = stack.proc("gateway")
        settings = Settings(
            database_url=gateway.env["DATABASE_URL"],
            gateway_secret_key=gateway.env.get("GATEWAY_SECRET_KEY", DEVELOPMENT_SECRET_KEY),
        )

        async def register(party: Party) -> IssuedCredentials:
            return await add_enterprise(
                settings, code=party.code, name=party.name, roles=list(party.roles)
            )

        processes = {p.descriptor.name: p.process.pid for p in stack.procs if p.process is not None}
        if stack.broker is not None and stack.broker.process is not None:
            processes["broker"] = stack.broker.process.pid
        yield Target(
            gateway_url=gateway.url,
            processes=processes,
            services=[p.descriptor.name for p in stack.procs],
            register=register,
            mode="embedded",
            data_dir=stack.data_dir,
            settings={**env, "partitions": str(stack.partitions)},
            metrics={p.descriptor.name: f"{p.url}/metrics" for p in stack.procs},
        )
    finally:
        stack.stop()


def remote_platform(url: str, operator: IssuedCredentials, pids: dict[str, int]) -> Target:
    """A running gateway: enterprises apply and the operator approves them."""

    async def register(party: Party) -> IssuedCredentials:
        application = {
            "code": party.code,
            "name": party.name,
            "roles": list(party.roles),
            "contact": "bench@example.com",
        }
        async with httpx.AsyncClient(base_url=url, timeout=30) as anonymous:
            applied = await anonymous.post("/v1/enterprises/applications", json=application)
        if applied.status_code != 201:
            raise RuntimeError(
                f"registering {party.code}: {applied.status_code} {applied.text[:300]} "
                "(an enterprise of this --seed may already be registered: choose another)"
            )
        async with AsyncGatewayClient(url, operator.keyId, operator.secret, timeout=30) as op:
            approved = await op.post(f"/v1/enterprises/applications/{applied.json()['id']}/approve")
        if approved.status_code != 201:
            raise RuntimeError(f"approving {party.code}: {approved.status_code} {approved.text}")
        return IssuedCredentials.model_validate(approved.json())

    return Target(
        gateway_url=url,
        processes=dict(pids),
        services=[name for name in pids if name != "broker"],
        register=register,
        mode="remote",
    )
