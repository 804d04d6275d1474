"""Tools around the CBEC platform: the benchmarks, the load generator, the fairness measure,
the fault drills' driver and the document builders. Nothing here runs in a service."""
