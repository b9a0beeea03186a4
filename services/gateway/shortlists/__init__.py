"""Shortlists ("inkooplijsten"): lists of enterprises a buyer keeps without an account.

A list is reached by two random links: a private edit link and a read-only share link that
its owner can replace. The gateway stores only their hashes, in tables of its own (not the
read model's, which is dropped and rebuilt when its schema changes). Entries name enterprise
ids; what they show is read from the read model at view time.
"""
