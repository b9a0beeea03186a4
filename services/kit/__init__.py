"""The small shared runtime: settings base, logging, NATS helpers, embedded nats-server.

Nothing domain-specific lives here; every service may import it.
"""
