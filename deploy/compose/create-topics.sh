#!/usr/bin/env bash
# Creates the platform's topics, each with its dead-letter topic, on the compose stack's
# broker (auto-creation is off there). Idempotent: existing topics are left as they are.
# Partitions bound how far a service scales out as one consumer group; the message key (the
# order number) keeps each order's events in order within its partition.
set -euo pipefail

bootstrap="${BOOTSTRAP_SERVERS:-kafka:9092}"
partitions="${PARTITIONS:-12}"
replication="${REPLICATION_FACTOR:-1}"
topics_sh=/opt/kafka/bin/kafka-topics.sh

for topic in cbec.declaration.v1 cbec.logistics.v1 cbec.payments.v1 cbec.tax.v1; do
  "$topics_sh" --bootstrap-server "$bootstrap" --create --if-not-exists --topic "$topic" \
    --partitions "$partitions" --replication-factor "$replication" \
    --config retention.ms=604800000
  # Dead letters are kept for 30 days so that an operator can inspect and replay them.
  "$topics_sh" --bootstrap-server "$bootstrap" --create --if-not-exists --topic "$topic.dlq" \
    --partitions "$partitions" --replication-factor "$replication" \
    --config retention.ms=2592000000
done

"$topics_sh" --bootstrap-server "$bootstrap" --list
