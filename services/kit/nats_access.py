"""How a service reaches NATS: the servers, its credentials and TLS, and its own inbox prefix.

Every NATS server we ship refuses anonymous clients, and each user may subscribe only to
replies under its own inbox prefix (`_INBOX_<user>`), so that no client reads another's
replies. A URL string stands for servers with no credentials or with `user:password@`
embedded (the tests' and the tools' form); a service builds its access from its settings.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import nats
from faststream.nats.security import NatsCredentials, NatsNKey, NatsSecurity, NatsUserPassword
from nats.aio.client import Client

DEFAULT_INBOX = "_INBOX"


@dataclass(frozen=True)
class NatsAccess:
    """The servers of a NATS deployment and how this client proves who it is."""

    url: str
    """The servers; credentials embedded in it move to `user` and `password`, so it is safe
    to log as it is."""
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    creds_file: Path | None = None
    nkey_file: Path | None = None
    tls_ca_file: Path | None = None
    tls_cert_file: Path | None = None
    tls_key_file: Path | None = None
    inbox: str | None = None

    def __post_init__(self) -> None:
        # Credentials embedded in the URL become the connection's own: nats-py would use
        # them for the servers named here only, not for the nodes a cluster announces, so a
        # failover to one of those would be refused.
        servers = [part.strip() for part in self.url.split(",") if part.strip()]
        embedded = urlsplit(servers[0]) if servers else None
        if embedded is not None and embedded.username and not self.user:
            object.__setattr__(self, "user", unquote(embedded.username))
            object.__setattr__(self, "password", unquote(embedded.password or ""))
        object.__setattr__(self, "url", ",".join(_without_credentials(s) for s in servers))

    @property
    def servers(self) -> list[str]:
        """The servers of a comma-separated URL (nats-py takes a list)."""
        return [part.strip() for part in self.url.split(",") if part.strip()]

    @property
    def inbox_prefix(self) -> str:
        """Where this client's replies arrive: `_INBOX_<user>` when the user is known."""
        if self.inbox:
            return self.inbox
        return f"{DEFAULT_INBOX}_{self.user}" if self.user else DEFAULT_INBOX

    def tls_context(self) -> ssl.SSLContext | None:
        """A TLS context when a CA or a client certificate is configured (else the URL's
        `tls://` scheme alone decides, with the system's trust store)."""
        if not (self.tls_ca_file or self.tls_cert_file):
            return None
        context = ssl.create_default_context(cafile=str(self.tls_ca_file or "") or None)
        if self.tls_cert_file:
            context.load_cert_chain(str(self.tls_cert_file), str(self.tls_key_file or "") or None)
        return context

    def connect_options(self) -> dict[str, Any]:
        """nats-py's `connect` arguments for these servers and credentials."""
        options: dict[str, Any] = {"servers": self.servers, "inbox_prefix": self.inbox_prefix}
        if self.user:
            options |= {"user": self.user, "password": self.password or ""}
        if self.creds_file:
            options["user_credentials"] = str(self.creds_file)
        if self.nkey_file:
            options["nkeys_seed"] = str(self.nkey_file)
        if (context := self.tls_context()) is not None:
            options["tls"] = context
        return options

    def broker_options(self) -> dict[str, Any]:
        """FastStream `NatsBroker` arguments for the same (it takes credentials as security)."""
        return {
            "servers": self.servers,
            "inbox_prefix": self.inbox_prefix,
            "security": self._security(),
        }

    def _security(self) -> NatsSecurity:
        context = self.tls_context()
        if self.user:
            return NatsUserPassword(self.user, self.password or "", ssl_context=context)
        if self.creds_file:
            return NatsCredentials.from_file(self.creds_file, ssl_context=context)
        if self.nkey_file:
            return NatsNKey.from_file(self.nkey_file, ssl_context=context)
        return NatsSecurity(ssl_context=context)


NatsTarget = NatsAccess | str
"""What the kit's NATS functions take: an access, or a URL (credentials embedded or none)."""


def access_of(target: NatsTarget) -> NatsAccess:
    """The access a target stands for."""
    return target if isinstance(target, NatsAccess) else NatsAccess(url=target)


async def connect(target: NatsTarget, **options: Any) -> Client:
    """A nats-py connection with this access's credentials; `options` add to nats-py's."""
    access = access_of(target)
    try:
        return await nats.connect(**access.connect_options(), **options)
    except nats.errors.NoServersError:
        raise ConnectionError(f"cannot reach NATS at {access.url}") from None


def _without_credentials(server: str) -> str:
    parts = urlsplit(server)
    if parts.username is None:
        return server
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}"
