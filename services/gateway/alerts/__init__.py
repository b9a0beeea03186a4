"""Alerts: a buyer saves a search and gets a daily or weekly mail of the enterprises that
joined, returned to or left it.

The gateway keeps the alerts (its own tables, apart from the read model, which is dropped
and rebuilt on schema changes), decides when a period ends and what it held, and publishes
what to mail; the notifier mails it. Addresses are confirmed first (double opt-in), and an
alert that stops is deleted at once.
"""
