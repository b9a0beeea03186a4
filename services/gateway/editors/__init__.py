"""Hotspot editors: passwordless sign-in for the addresses the operator names, and the forms
with which they enter their hotspot's news and agenda.

The gateway decides who is an editor (the hotspots file is its setting) and is the source of
truth for editors' items: they live in its own tables, and their events leave through an
outbox, written in the same transaction as the item.
"""
