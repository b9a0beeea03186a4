"""Which hosts the gateway answers, and the public address every link is built from."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit


def host_name(header: str) -> str:
    """The host name of a `Host` header value, lower case, without port or IPv6 brackets."""
    value = header.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else ""
    return value.partition(":")[0]


@dataclass(frozen=True)
class TrustedHosts:
    """Host names a request may be addressed to: exact names, `*.domain` for subdomains,
    `*` for any."""

    names: frozenset[str]
    suffixes: tuple[str, ...]
    any_host: bool

    @classmethod
    def of(cls, hosts: tuple[str, ...]) -> TrustedHosts:
        """From the settings' list."""
        cleaned = [host.strip("[]") for host in hosts]
        return cls(
            names=frozenset(host for host in cleaned if not host.startswith("*")),
            suffixes=tuple(host[1:] for host in cleaned if host.startswith("*.")),
            any_host="*" in cleaned,
        )

    def allow(self, header: str) -> bool:
        """Whether a request with this `Host` header is for this gateway."""
        if self.any_host:
            return True
        name = host_name(header)
        return name in self.names or (bool(name) and name.endswith(self.suffixes))


@dataclass(frozen=True)
class PublicAddress:
    """The configured public base URL, split as the ASGI scope holds it."""

    scheme: str
    host: bytes
    root_path: str

    @classmethod
    def of(cls, public_base_url: str) -> PublicAddress:
        """From `settings.public_base_url` (validated as http(s) with a host)."""
        parts = urlsplit(public_base_url)
        return cls(parts.scheme, parts.netloc.encode("latin-1"), parts.path.rstrip("/"))

    def path(self, route_path: str) -> str:
        """A root-relative link to a route path, under the public base URL's own path."""
        return f"{self.root_path}{route_path}"
