# The image of every process of the platform, one per build: the process is chosen by build
# arguments. Build from the repository root, which holds the workspace's single lock file:
#
#   docker build --build-arg SERVICE=gateway     --build-arg PACKAGE_DIR=gateway              -t cbec/gateway .
#   docker build --build-arg SERVICE=declaration --build-arg PACKAGE_DIR=services/declaration -t cbec/declaration .
#   docker build --build-arg SERVICE=logistics   --build-arg PACKAGE_DIR=services/logistics   -t cbec/logistics .
#   docker build --build-arg SERVICE=payments    --build-arg PACKAGE_DIR=services/payments    -t cbec/payments .
#   docker build --build-arg SERVICE=tax-refund  --build-arg PACKAGE_DIR=services/tax-refund  -t cbec/tax-refund .
#
# SERVICE is the `cbec serve` name of the process (its distribution is cbec-<SERVICE>) and
# PACKAGE_DIR the workspace member that holds its sources. docker-compose.yml passes both.

# Which process this image runs: no default, a build without them fails at the first stage.
ARG SERVICE
ARG PACKAGE_DIR

# uv itself, pinned; only its binary is copied into the builder.
FROM ghcr.io/astral-sh/uv:0.13.9 AS uv

# Builder and runtime share one pinned Python image so that the virtual environment's
# interpreter path (/usr/local/bin/python3.11) is the same in both.
FROM python:3.11.13-slim-bookworm AS builder
ARG SERVICE
ARG PACKAGE_DIR
RUN test -n "${SERVICE}" && test -n "${PACKAGE_DIR}" \
    || { echo "build with --build-arg SERVICE=<process> --build-arg PACKAGE_DIR=<dir>" >&2; exit 1; }
COPY --from=uv /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /src

# Third-party dependencies first, from the lock file only: this layer is rebuilt only when
# the lock or a workspace member's pyproject.toml changes, not on every source edit.
COPY uv.lock pyproject.toml ./
COPY shared/pyproject.toml shared/pyproject.toml
COPY gateway/pyproject.toml gateway/pyproject.toml
COPY services/declaration/pyproject.toml services/declaration/pyproject.toml
COPY services/logistics/pyproject.toml services/logistics/pyproject.toml
COPY services/payments/pyproject.toml services/payments/pyproject.toml
COPY services/tax-refund/pyproject.toml services/tax-refund/pyproject.toml
COPY tools/pyproject.toml tools/pyproject.toml
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-workspace --package cbec-${SERVICE}

# Then the two workspace members this image runs, installed as regular (non-editable)
# packages so that the runtime stage needs nothing but /app/.venv.
COPY shared/src shared/src
COPY ${PACKAGE_DIR}/src ${PACKAGE_DIR}/src
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --package cbec-${SERVICE}

FROM python:3.11.13-slim-bookworm AS runtime
ARG SERVICE
RUN groupadd --system --gid 10001 cbec \
    && useradd --system --uid 10001 --gid cbec --home-dir /nonexistent --no-create-home \
       --shell /usr/sbin/nologin cbec
COPY --from=builder /app/.venv /app/.venv
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    OTEL_SERVICE_NAME=cbec-${SERVICE}
WORKDIR /app
# Numeric so that Kubernetes can check runAsNonRoot without resolving the name.
USER 10001:10001
STOPSIGNAL SIGTERM
ENTRYPOINT ["cbec"]

# What each process exposes, probes and runs by default. A command in exec form is not
# expanded by Docker (and the process runs as PID 1 without a shell, to get SIGTERM), so each
# process has its own few lines; the last stage picks the one named by SERVICE.
# The HEALTHCHECK is liveness only; readiness (/readyz: broker and database reachable) is
# for orchestrators.
FROM runtime AS process-gateway
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
CMD ["serve", "gateway", "--host", "0.0.0.0", "--port", "8000"]

FROM runtime AS process-declaration
EXPOSE 8001
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8001/healthz', timeout=2)"]
CMD ["serve", "declaration", "--host", "0.0.0.0", "--port", "8001"]

FROM runtime AS process-logistics
EXPOSE 8002
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8002/healthz', timeout=2)"]
CMD ["serve", "logistics", "--host", "0.0.0.0", "--port", "8002"]

FROM runtime AS process-payments
EXPOSE 8003
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8003/healthz', timeout=2)"]
CMD ["serve", "payments", "--host", "0.0.0.0", "--port", "8003"]

FROM runtime AS process-tax-refund
EXPOSE 8004
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8004/healthz', timeout=2)"]
CMD ["serve", "tax-refund", "--host", "0.0.0.0", "--port", "8004"]

FROM process-${SERVICE} AS image
