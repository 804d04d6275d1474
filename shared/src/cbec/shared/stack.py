"""The embedded stack: the broker, every service and the gateway as separate processes.

``cbec up`` starts Tansu on loopback (unless KAFKA_BOOTSTRAP_SERVERS names a broker), creates the
topics, starts each service with ``cbec serve`` and its SQLite file under one data folder, waits
until every ``/readyz`` answers, prints the URLs, and on Ctrl-C (or SIGTERM) stops everything:
SIGTERM to every service, SIGKILL to any still running after the grace period, then the broker.
A service that dies is reported and restarted.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

import httpx

from cbec.shared.bus import ensure_topics
from cbec.shared.embedded import EmbeddedBroker, port_is_free
from cbec.shared.registry import services
from cbec.shared.service import ServiceDescriptor
from cbec.shared.settings import ServiceSettings

GRACE_SECONDS = 8.0
MAX_RESTARTS = 5


class StackError(RuntimeError):
    pass


@dataclass
class _Proc:
    descriptor: ServiceDescriptor
    port: int
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Stack:
    data_dir: Path
    port_offset: int = 0
    broker_port: int = 9092
    host: str = "127.0.0.1"
    partitions: int = 6
    ready_timeout: float = 90.0
    out: object = field(default=sys.stdout)
    env: dict[str, str] = field(default_factory=dict)
    """Variables given to every process on top of this process's environment."""
    database_urls: dict[str, str] = field(default_factory=dict)
    """DATABASE_URL of a service by its name (e.g. a PostgreSQL database each); the others
    keep their SQLite file under the data folder."""
    bootstrap_servers: str | None = None
    """A running broker to use; default KAFKA_BOOTSTRAP_SERVERS, else an embedded one."""
    broker: EmbeddedBroker | None = None
    procs: list[_Proc] = field(default_factory=list)

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)  # type: ignore[call-overload]

    # -- start ---------------------------------------------------------------------------
    def plan(self) -> list[_Proc]:
        self.data_dir = self.data_dir.resolve()
        logs = self.data_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        descriptors = services()
        urls = {d.name: f"http://{self.host}:{d.port + self.port_offset}" for d in descriptors}
        bootstrap = self._external() or f"{self.host}:{self.broker_port}"
        procs = []
        for d in descriptors:
            env = {
                **os.environ,
                **self.env,
                "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
                "DATABASE_URL": self.database_urls.get(d.name)
                or f"sqlite+aiosqlite:///{self.data_dir / (d.name + '.db')}",
                "CBEC_DATA_DIR": str(self.data_dir),
                "PYTHONUNBUFFERED": "1",
            }
            env.setdefault("KAFKA_TOPIC_PARTITIONS", str(self.partitions))
            for name, url in urls.items():
                env[f"{name.upper().replace('-', '_')}_URL"] = url
            procs.append(_Proc(d, d.port + self.port_offset, env, logs / f"{d.name}.log"))
        return procs

    def _external(self) -> str | None:
        return self.bootstrap_servers or os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or None

    def check_ports(self, procs: list[_Proc], with_broker: bool) -> list[str]:
        taken = [
            f"{p.descriptor.name} needs port {p.port}" for p in procs if not port_is_free(p.port)
        ]
        if with_broker and not port_is_free(self.broker_port):
            taken.append(f"the embedded broker needs port {self.broker_port}")
        return taken

    def start(self, stop_requested: list[bool] | None = None) -> None:
        """Start everything; returns early (to be stopped) when a stop is requested."""
        self._stop_requested = stop_requested if stop_requested is not None else []
        external = self._external()
        self.procs = self.plan()
        taken = self.check_ports(self.procs, with_broker=not external)
        if taken:
            raise StackError("port already in use: " + "; ".join(taken))
        if external:
            bootstrap = external
            self.say(f"using the broker at {bootstrap}")
        else:
            self.broker = EmbeddedBroker(
                port=self.broker_port,
                host=self.host,
                log_file=self.data_dir / "logs" / "broker.log",
            )
            self.broker.start()
            bootstrap = self.broker.bootstrap_servers
            self.say(f"embedded broker (Tansu) on {bootstrap}")
        topics = [t for p in self.procs for t in p.descriptor.topics]
        # An external broker may want the security settings of the environment (SASL_SSL).
        options = (
            ServiceSettings(
                service_name="stack", kafka_bootstrap_servers=bootstrap
            ).kafka_client_options()
            if external
            else {}
        )
        asyncio.run(
            ensure_topics(bootstrap, topics, partitions=self.partitions, client_options=options)
        )
        for proc in self.procs:
            self._spawn(proc)
        self.wait_ready()

    @property
    def stopping(self) -> bool:
        return bool(getattr(self, "_stop_requested", None))

    def proc(self, name: str) -> _Proc:
        """The process of one service (for supervision and for fault drills)."""
        for proc in self.procs:
            if proc.descriptor.name == name:
                return proc
        raise KeyError(name)

    def restart(self, name: str) -> None:
        """Start one service's process again after it stopped (or was stopped)."""
        proc = self.proc(name)
        if proc.process is not None and proc.process.poll() is None:
            raise StackError(f"{name} is still running")
        self._spawn(proc)

    def _spawn(self, proc: _Proc) -> None:
        log = open(proc.log_path, "ab")  # noqa: SIM115 - the child owns it for its lifetime
        proc.process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "cbec.shared.cli",
                "serve",
                proc.descriptor.name,
                "--host",
                self.host,
                "--port",
                str(proc.port),
            ],
            env=proc.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    def wait_ready(self) -> None:
        deadline = time.monotonic() + self.ready_timeout
        pending = {p.descriptor.name: p for p in self.procs}
        with httpx.Client(timeout=2.0) as client:
            while pending and time.monotonic() < deadline and not self.stopping:
                for name, proc in list(pending.items()):
                    if proc.process is not None and proc.process.poll() is not None:
                        raise StackError(
                            f"{name} exited with code {proc.process.returncode} while starting; "
                            f"see {proc.log_path}"
                        )
                    try:
                        if client.get(proc.url + "/readyz").status_code == 200:
                            del pending[name]
                    except httpx.HTTPError:
                        pass
                time.sleep(0.2)
        if pending and not self.stopping:
            raise StackError(
                "not ready in time: "
                + ", ".join(f"{n} (see {p.log_path})" for n, p in pending.items())
            )

    def banner(self) -> str:
        lines = ["", "CBEC single window is up:"]
        for proc in self.procs:
            lines.append(f"  {proc.descriptor.name:<12} {proc.url}   API docs: {proc.url}/docs")
        lines.append(f"  data and logs under {self.data_dir}")
        lines.append("Press Ctrl-C to stop.")
        return "\n".join(lines)

    # -- run and stop ---------------------------------------------------------------------
    def supervise(self, stop_requested: list[bool]) -> None:
        while not stop_requested:
            for proc in self.procs:
                if (
                    proc.process is not None
                    and proc.process.poll() is not None
                    and not stop_requested
                ):
                    code = proc.process.returncode
                    if proc.restarts >= MAX_RESTARTS:
                        raise StackError(f"{proc.descriptor.name} keeps exiting (code {code})")
                    proc.restarts += 1
                    self.say(
                        f"{proc.descriptor.name} exited with code {code}; restarting "
                        f"({proc.restarts}/{MAX_RESTARTS}), see {proc.log_path}"
                    )
                    self._spawn(proc)
            time.sleep(0.3)

    def stop(self) -> None:
        running = [p for p in self.procs if p.process is not None and p.process.poll() is None]
        for proc in running:
            assert proc.process is not None
            proc.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + GRACE_SECONDS
        for proc in running:
            assert proc.process is not None
            try:
                proc.process.wait(max(deadline - time.monotonic(), 0.05))
            except subprocess.TimeoutExpired:
                self.say(f"{proc.descriptor.name} did not stop in {GRACE_SECONDS:.0f}s; killing it")
                proc.process.kill()
                proc.process.wait()
        if self.broker is not None:
            self.broker.stop()
            self.broker = None


def up(data_dir: Path, *, port_offset: int = 0, broker_port: int = 9092) -> int:
    """Run the stack in the foreground until Ctrl-C or SIGTERM; returns the exit code."""
    stack = Stack(data_dir=data_dir, port_offset=port_offset, broker_port=broker_port)
    stop_requested: list[bool] = []

    def _on_signal(signum: int, _frame: FrameType | None) -> None:
        stop_requested.append(True)

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    code = 0
    try:
        stack.start(stop_requested)
        if not stop_requested:
            stack.say(stack.banner())
        stack.supervise(stop_requested)
        stack.say("stopping ...")
    except (StackError, TimeoutError, OSError) as exc:
        stack.say(f"error: {exc}")
        code = 1
    finally:
        stack.stop()
    if code == 0:
        stack.say("stopped")
    return code
