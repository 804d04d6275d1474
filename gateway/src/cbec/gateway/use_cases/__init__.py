"""The gateway's use cases, one module per family, each on a session its caller opened:
registration, keys, authentication, idempotency and submission, the projection and its reads,
webhooks."""
