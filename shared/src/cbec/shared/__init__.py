"""Shared mechanism of the CBEC platform.

Every service and the gateway build on this package: settings, the CloudEvents envelope, the
Kafka bus, the transactional outbox and the inbox, database setup, telemetry, health and metrics,
the embedded stack, the customs code tables and the CEB XML codec. It holds mechanism only: no
service's tables or events live here.
"""
