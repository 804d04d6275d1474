#!/usr/bin/env bash
# Creates the broker users of the compose stack (SCRAM-SHA-512) and what each may do: the
# broker denies everything no ACL allows. Runs in the broker's network namespace and talks to
# its loopback-only PLAINTEXT listener (127.0.0.1:9095), whose principal is the super user.
# Idempotent: passwords are set again and ACLs added again, with no effect the second time.
#
# Per service (user cbec-<name>): write its own topic (the only writer; consumers check its
# signature too); read the topics it consumes and write their dead-letter topics; its consumer
# groups cbec.<name>.*. The gateway owns no topic and reads them all. The officer user reads
# every topic and dead-letter topic from the host (kcat on the EXTERNAL listener).
# deploy/k8s/kafka-users.yaml grants the same; tests/deploy holds both to the topic owners.
set -euo pipefail

bootstrap="${BOOTSTRAP_SERVERS:-127.0.0.1:9095}"
configs_sh=/opt/kafka/bin/kafka-configs.sh
acls_sh=/opt/kafka/bin/kafka-acls.sh

user() {  # user NAME PASSWORD
  "$configs_sh" --bootstrap-server "$bootstrap" --alter --entity-type users --entity-name "$1" \
    --add-config "SCRAM-SHA-512=[iterations=8192,password=$2]"
}

allow() {  # allow USER OPERATION... -- RESOURCE OPTIONS...
  local principal="User:$1"
  shift
  local operations=()
  while [[ "$1" != "--" ]]; do
    operations+=(--operation "$1")
    shift
  done
  shift
  "$acls_sh" --bootstrap-server "$bootstrap" --add --allow-principal "$principal" \
    "${operations[@]}" "$@" >/dev/null
}

service() {  # service NAME PASSWORD OWNED-TOPICS CONSUMED-TOPICS
  local name="cbec-$1"
  user "$name" "$2"
  for topic in $3; do
    allow "$name" Write Describe -- --topic "$topic"
  done
  for topic in $4; do
    allow "$name" Read Describe -- --topic "$topic"
    allow "$name" Write Describe -- --topic "$topic.dlq"
  done
  allow "$name" Read -- --group "cbec.$1." --resource-pattern-type prefixed
}

service gateway "${GATEWAY_KAFKA_PASSWORD:?}" "" \
  "cbec.declaration.v1 cbec.logistics.v1 cbec.payments.v1 cbec.tax.v1"
service declaration "${DECLARATION_KAFKA_PASSWORD:?}" "cbec.declaration.v1" \
  "cbec.logistics.v1 cbec.payments.v1"
service logistics "${LOGISTICS_KAFKA_PASSWORD:?}" "cbec.logistics.v1" "cbec.declaration.v1"
service payments "${PAYMENTS_KAFKA_PASSWORD:?}" "cbec.payments.v1" "cbec.declaration.v1"
service tax-refund "${TAX_REFUND_KAFKA_PASSWORD:?}" "cbec.tax.v1" \
  "cbec.declaration.v1 cbec.logistics.v1"

user officer "${OFFICER_KAFKA_PASSWORD:?}"
for topic in cbec.declaration.v1 cbec.logistics.v1 cbec.payments.v1 cbec.tax.v1; do
  allow officer Read Describe -- --topic "$topic"
  allow officer Read Describe -- --topic "$topic.dlq"
done

"$acls_sh" --bootstrap-server "$bootstrap" --list
