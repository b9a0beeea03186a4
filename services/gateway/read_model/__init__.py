"""The gateway's own read model: tables, projection of events into them, and queries."""
