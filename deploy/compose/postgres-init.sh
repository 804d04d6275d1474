#!/usr/bin/env bash
# One database and one login role per service, each role owning only its own database: a
# service never reads another service's tables (DESIGN.md, "The event contract").
#
# The postgres image runs this once, on an empty data directory, from
# /docker-entrypoint-initdb.d. The same script is mounted by docker-compose.yml and shipped in
# the ConfigMap of deploy/k8s/postgres.yaml. Passwords come from the environment:
# GATEWAY_DB_PASSWORD, DECLARATION_DB_PASSWORD, LOGISTICS_DB_PASSWORD, PAYMENTS_DB_PASSWORD,
# TAX_REFUND_DB_PASSWORD. Running it again changes nothing.
set -euo pipefail

create_database() {
  local name="$1" password="$2"
  psql --no-psqlrc -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "${POSTGRES_DB:-postgres}" \
    --set=name="$name" --set=password="$password" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'name', :'password')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'name') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'name', :'name')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'name') \gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'name') \gexec
SQL
}

create_database gateway "$GATEWAY_DB_PASSWORD"
create_database declaration "$DECLARATION_DB_PASSWORD"
create_database logistics "$LOGISTICS_DB_PASSWORD"
create_database payments "$PAYMENTS_DB_PASSWORD"
create_database tax_refund "$TAX_REFUND_DB_PASSWORD"
