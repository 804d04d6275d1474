"""Each process starts with exactly the environment docker-compose.yml gives it and becomes
ready: its migration job first (`cbec migrate`), then `cbec serve`, as the compose stack does.

Only what points at the stack's containers is replaced: the broker (the embedded one, which has no
idempotent producer, no TLS and no users: PLAINTEXT), the database (SQLite, or PostgreSQL when
TEST_DATABASE_URL is set), and the listening port; the keys are generated, as an operator puts
them into .env (CBEC_ENV=production refuses the placeholders of .env.example). Everything else
(OTLP endpoint, service URLs, passwords from .env.example, DB_MIGRATE_ON_START=false, ...) is
the compose file's.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from cbec.shared.embedded import free_port
from tests.deploy.compose import generated_keys, service_environment
from tests.support.procs import ROOT, ServiceProcess

pytestmark = pytest.mark.integration
PROCESSES = ["gateway", "declaration", "logistics", "payments", "tax-refund"]


@pytest.mark.parametrize("name", PROCESSES)
def test_a_process_with_the_compose_environment_migrates_and_becomes_ready(
    name: str, kafka_bootstrap: str, database_url: str, tmp_path: Path
) -> None:
    env = service_environment(name, overrides=generated_keys())
    assert env["CBEC_ENV"] == "production"
    assert env["DB_MIGRATE_ON_START"] == "false"
    assert env["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    env.update(
        KAFKA_BOOTSTRAP_SERVERS=kafka_bootstrap,
        KAFKA_ENABLE_IDEMPOTENCE="false",
        # The embedded broker has no TLS listener and no users.
        KAFKA_SECURITY_PROTOCOL="PLAINTEXT",
        DATABASE_URL=database_url,
    )
    migrate = subprocess.run(
        [sys.executable, "-m", "cbec.shared.cli", "migrate", name],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert migrate.returncode == 0, migrate.stderr
    assert f"{name}: migrated to head" in migrate.stdout

    port = free_port()
    process = ServiceProcess("unused", port, env, tmp_path / f"{name}.log")
    with open(process.log_path, "ab") as log:
        process.process = subprocess.Popen(
            [sys.executable, "-m", "cbec.shared.cli", "serve", name, "--port", str(port)],
            cwd=ROOT,
            env=process.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        process.wait_ready(timeout=90)  # /readyz answered 200: database, broker, workers up
        health = httpx.get(f"{process.url}/healthz", timeout=5).json()
    finally:
        process.stop()
    assert health == {"status": "ok", "service": name}
