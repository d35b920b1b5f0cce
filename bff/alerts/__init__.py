"""Alerts (预警): signed ingest from the analysis platform, routing to departments, the
user's alert list, acknowledge and resolve."""
