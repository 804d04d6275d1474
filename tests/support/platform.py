"""The whole platform as real processes, as `cbec up` runs it: its own embedded broker, the four
services and the gateway, each with its SQLite file under one data folder.

    with started_platform(tmp_path, env={"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint}) as p:
        shop = p.enroll("3301963K69", "Shop", ["ecommerce"])
        with p.client(shop) as client:
            client.post("/v1/export/orders", json=[...])
        p.kill("declaration"); p.restart("declaration")     # fault drills

The context manager is synchronous (the stack starts its broker and creates topics with its own
event loop); async tests take it from a fixture.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from cbec.gateway.cli import add_enterprise
from cbec.gateway.client import AsyncGatewayClient, GatewayClient
from cbec.gateway.schemas import IssuedCredentials
from cbec.gateway.settings import DEVELOPMENT_SECRET_KEY, Settings
from cbec.shared.embedded import port_is_free
from cbec.shared.registry import services
from cbec.shared.stack import Stack

FAST = {
    "OUTBOX_POLL_INTERVAL_MS": "20",
    "CONSUMER_RETRY_BACKOFF_MS": "10",
    "WEBHOOK_INTERVAL_SECONDS": "0.2",
    "WEBHOOK_RETRY_BASE_SECONDS": "0.2",
    "FEED_POLL_INTERVAL_SECONDS": "0.2",
    "RATE_LIMIT_PER_SECOND": "1000",
    "RATE_LIMIT_BURST": "5000",
    "MAX_IN_FLIGHT_PER_ENTERPRISE": "1000",
    "LOG_LEVEL": "INFO",
}
"""Settings of a platform under test: quick polling, and rate and in-flight limits above what
tests send (their clients gather many requests of one enterprise at once)."""


# Ports of platforms under test come from a range of their own per test process (pytest-xdist
# worker), below the kernel's ephemeral ports (32768 and up on Linux): neither a client socket
# nor another test process can take one between the check that it is free and the bind.
_LOWEST_PORT = 12000
_PORTS_PER_PROCESS = 2000
_blocks = itertools.count()


def _process_index() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(worker[2:]) if worker[2:].isdigit() else 0


def free_port_block() -> tuple[int, int]:
    """A port offset under which every service port is free, and a free port for the broker."""
    ports = [d.port for d in services()]
    span = max(ports) - min(ports) + 2
    first = _LOWEST_PORT + (_process_index() % 10) * _PORTS_PER_PROCESS
    for _ in range(_PORTS_PER_PROCESS // span):
        base = first + (next(_blocks) * span) % (_PORTS_PER_PROCESS - span)
        offset, broker = base - min(ports), base + span - 1
        if all(port_is_free(p + offset) for p in ports) and port_is_free(broker):
            return offset, broker
    raise AssertionError("no free block of ports")


@dataclass
class Platform:
    stack: Stack

    @property
    def data_dir(self) -> Path:
        return self.stack.data_dir

    @property
    def bootstrap_servers(self) -> str:
        assert self.stack.broker is not None
        return self.stack.broker.bootstrap_servers

    def url(self, name: str) -> str:
        return self.stack.proc(name).url

    @property
    def gateway_url(self) -> str:
        return self.url("gateway")

    def enroll(self, code: str, name: str, roles: list[str]) -> IssuedCredentials:
        """Register and approve an enterprise in the gateway's database, as `cbec enterprise
        add` does (on a thread of its own: callers may be inside an event loop)."""
        gateway = self.stack.proc("gateway")
        settings = Settings(
            database_url=gateway.env["DATABASE_URL"],
            gateway_secret_key=gateway.env.get("GATEWAY_SECRET_KEY", DEVELOPMENT_SECRET_KEY),
        )
        issued: list[IssuedCredentials] = []

        def _add() -> None:
            issued.append(asyncio.run(add_enterprise(settings, code=code, name=name, roles=roles)))

        worker = threading.Thread(target=_add)
        worker.start()
        worker.join(60)
        assert issued, f"could not register {code}"
        return issued[0]

    def client(self, who: IssuedCredentials, **kwargs: object) -> GatewayClient:
        return GatewayClient(self.gateway_url, who.keyId, who.secret, **kwargs)  # type: ignore[arg-type]

    def async_client(self, who: IssuedCredentials, **kwargs: object) -> AsyncGatewayClient:
        return AsyncGatewayClient(self.gateway_url, who.keyId, who.secret, **kwargs)  # type: ignore[arg-type]

    # -- fault drills --------------------------------------------------------------------
    def pid(self, name: str) -> int:
        process = self.stack.proc(name).process
        assert process is not None
        return process.pid

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Signal one service and wait for its process to end."""
        process = self.stack.proc(name).process
        assert process is not None
        process.send_signal(sig)
        process.wait(30)

    def restart(self, name: str, timeout: float = 60.0) -> None:
        """Start a stopped service again and wait until it is ready."""
        self.stack.restart(name)
        self.wait_ready(name, timeout)

    def wait_ready(self, name: str, timeout: float = 60.0) -> None:
        import time

        proc = self.stack.proc(name)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(proc.url + "/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"{name} not ready in {timeout}s: {self.log_tail(name)}")

    def log_tail(self, name: str, size: int = 4000) -> str:
        path = self.stack.proc(name).log_path
        return path.read_text(errors="replace")[-size:] if path.exists() else ""


@contextmanager
def started_platform(
    data_dir: Path,
    *,
    env: dict[str, str] | None = None,
    database_urls: dict[str, str] | None = None,
) -> Iterator[Platform]:
    """Start the platform under ``data_dir``; stop every process (and the broker) at the end.

    ``database_urls`` gives services another database than their SQLite file (by name)."""
    offset, broker_port = free_port_block()
    stack = Stack(
        data_dir=data_dir,
        port_offset=offset,
        broker_port=broker_port,
        partitions=3,
        out=io.StringIO(),
        env={**FAST, **(env or {})},
        database_urls=dict(database_urls or {}),
    )
    saved = os.environ.pop("KAFKA_BOOTSTRAP_SERVERS", None)
    try:
        stack.start()
    except BaseException:
        stack.stop()
        raise
    finally:
        if saved is not None:
            os.environ["KAFKA_BOOTSTRAP_SERVERS"] = saved
    try:
        yield Platform(stack)
    finally:
        stack.stop()
