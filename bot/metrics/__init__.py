"""``GET /metrics`` in Prometheus text format: counters kept in the process, gauges read from the
database at scrape time (docs/metrics.md)."""
