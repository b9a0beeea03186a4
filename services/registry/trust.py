"""Whether an address may sign in for an enterprise: pure rules.

Trusted are the addresses the operator's contacts file lists for the enterprise, and
addresses at the domain of a website a label registry publishes for it (never a website the
enterprise entered itself: that would let anyone vouch for themselves). Mail and social hosts
are never an enterprise's own domain, whatever a registry lists.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from services.registry.enterprise import Enterprise
from services.registry.identity import website_host

TrustedBy = Literal["contacts_file", "website_domain"]

SHARED_HOSTS = frozenset(
    {
        "facebook.com",
        "instagram.com",
        "linkedin.com",
        "twitter.com",
        "x.com",
        "youtube.com",
        "gmail.com",
        "googlemail.com",
        "hotmail.com",
        "outlook.com",
        "live.nl",
        "live.com",
        "ziggo.nl",
        "kpnmail.nl",
        "planet.nl",
        "home.nl",
        "yahoo.com",
        "icloud.com",
        "wixsite.com",
        "wordpress.com",
        "google.com",
        "sites.google.com",
        "jouwweb.nl",
    }
)


def registry_website_hosts(enterprise: Enterprise) -> frozenset[str]:
    """The hosts (without `www.`) of the websites label registries publish for it."""
    hosts = (website_host(h.observation.website) for h in enterprise.holdings.values())
    return frozenset(host for host in hosts if host and host not in SHARED_HOSTS)


def trusted_by(
    email: str, enterprise: Enterprise, listed_addresses: Iterable[str]
) -> TrustedBy | None:
    """Why `email` (normalised, domain in lower case) is trusted for the enterprise, if it is.
    `listed_addresses` are the contacts file's addresses for the enterprise."""
    if email.casefold() in {address.casefold() for address in listed_addresses}:
        return "contacts_file"
    domain = email.rpartition("@")[2]
    if domain in registry_website_hosts(enterprise):
        return "website_domain"
    return None
