"""Enterprises completing their own listing: passwordless sign-in and the edit form.

The gateway only asks and forwards: a sign-in request and a submitted supplement leave as
events; the registry decides, the notifier mails. What the gateway keeps is its own: hashes of
the links the notifier mailed (projected from SIGNINS) and hashes of its sessions.
"""
