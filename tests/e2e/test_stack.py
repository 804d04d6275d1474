"""`cbec up` (what `make run` runs): broker and five processes up, and all gone after Ctrl-C."""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from cbec.shared.embedded import free_port, port_is_free
from cbec.shared.registry import services

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def _free_block() -> int:
    """A port offset under which every service port is free."""
    for _ in range(50):
        offset = free_port() - 8000
        if offset > 0 and all(port_is_free(d.port + offset) for d in services()):
            return offset
    raise AssertionError("no free block of ports")


def _processes_of(data_dir: Path) -> list[int]:
    """Processes started for this stack (they carry CBEC_DATA_DIR in their environment)."""
    marker = f"CBEC_DATA_DIR={data_dir}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _read_until(stack: subprocess.Popen[str], marker: str, timeout: float) -> str:
    """What the stack printed, up to ``marker`` (read from the raw pipe, no read-ahead)."""
    assert stack.stdout is not None
    fd = stack.stdout.fileno()
    seen, deadline = b"", time.monotonic() + timeout
    while time.monotonic() < deadline and marker.encode() not in seen:
        readable, _, _ = select.select([fd], [], [], 0.5)
        if readable:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            seen += chunk
    if marker.encode() not in seen:
        raise AssertionError(f"no {marker!r} from cbec up:\n{seen.decode(errors='replace')}")
    return seen.decode(errors="replace")


def _up(data_dir: Path, offset: int, broker_port: int) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "KAFKA_BOOTSTRAP_SERVERS"}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cbec.shared.cli",
            "up",
            "--data-dir",
            str(data_dir),
            "--port-offset",
            str(offset),
            "--broker-port",
            str(broker_port),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_cbec_up_serves_every_process_and_ctrl_c_stops_all_of_them_within_ten_seconds(
    tmp_path: Path,
) -> None:
    data_dir = (tmp_path / "data").resolve()
    offset, broker_port = _free_block(), free_port()
    stack = _up(data_dir, offset, broker_port)
    try:
        banner = _read_until(stack, "Press Ctrl-C to stop.", timeout=120)
        ready = set()
        for d in services():
            url = f"http://127.0.0.1:{d.port + offset}"
            if httpx.get(f"{url}/healthz", timeout=2).is_success:
                body = httpx.get(f"{url}/readyz", timeout=5).json()
                assert body["status"] == "ready", body
                ready.add(d.name)
        assert ready == {"gateway", "declaration", "logistics", "payments", "tax-refund"}
        assert len(_processes_of(data_dir)) >= 5

        started = time.monotonic()
        stack.send_signal(signal.SIGINT)
        output, _ = stack.communicate(timeout=30)
        code, stopped_in = stack.returncode, time.monotonic() - started
    finally:
        if stack.poll() is None:
            stack.kill()
        for pid in _processes_of(data_dir):
            os.kill(pid, signal.SIGKILL)
    assert code == 0, output
    assert stopped_in < 10, f"stopped in {stopped_in:.1f}s:\n{output}"
    assert "CBEC single window is up" in banner
    assert _processes_of(data_dir) == []
    assert all(port_is_free(d.port + offset) for d in services())
    assert port_is_free(broker_port)


def test_cbec_up_names_the_port_that_is_taken_and_exits(tmp_path: Path) -> None:
    offset, broker_port = _free_block(), free_port()
    gateway_port = 8000 + offset
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", gateway_port))
        squatter.listen()
        stack = _up(tmp_path / "data", offset, broker_port)
        output, _ = stack.communicate(timeout=60)
    assert stack.returncode == 1
    assert f"gateway needs port {gateway_port}" in output
    assert _processes_of((tmp_path / "data").resolve()) == []
