"""The notifier's settings: where mail goes out, who receives it, where deliveries are kept."""

from __future__ import annotations

from email.utils import parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator

from services.kit.batches import BatchConsumerSpec
from services.kit.settings import KitSettings


class NotifierSettings(KitSettings):
    """Settings of the notifier, read from `IMPACTOOST_…` environment variables."""

    notifier_database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default sqlite:///<data_dir>/notifier.db"
    )
    notifier_contacts_file: Path | None = Field(
        default=None, description="CSV `kvk,website,email`; unset or missing: nobody has one"
    )
    notifier_retry_seconds: float = Field(
        default=10.0, gt=0, description="Delay before a mail that failed temporarily is retried"
    )
    smtp_host: str = Field(default="127.0.0.1", min_length=1)
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = Field(default=20.0, gt=0)
    mail_from: str = Field(default="Impact Oost <noreply@localhost>", min_length=3)
    mail_reply_to: str | None = Field(
        default=None,
        description="Where replies to the platform's mails go: an address a person reads",
    )
    mail_quiet_seconds: float = Field(
        default=90.0,
        ge=0,
        le=3600,
        description="Quiet period: a welcome or change mail waits until the enterprise's "
        "events have been quiet this long (at most five times as long after its first "
        "event), so a burst of events is one mail; 0 sends each at once",
    )
    notifier_recipient_days: int = Field(
        default=180,
        ge=1,
        le=3650,
        description="Days the record of a sent (or finally refused) mail keeps its "
        "recipient's address; then the address is forgotten and the record kept, so the same "
        "event is still never mailed twice",
    )
    notifier_address_retry_seconds: float = Field(
        default=900.0,
        gt=0,
        description="How often a mail without an address (the enterprise is in no contacts "
        "line yet) is tried again; a changed contacts file retries them at once",
    )
    notifier_address_wait_days: int = Field(
        default=30,
        ge=1,
        le=365,
        description="Days a mail waits for its enterprise's address before it is given up "
        "as undeliverable",
    )
    notifier_processed_keep_hours: float = Field(
        default=48.0,
        gt=0,
        description="Hours an id of a processed event is kept at least (far beyond the "
        "streams' duplicate window); older ones the durable has acknowledged are pruned, and "
        "their stream sequence still recognises a redelivery",
    )
    notifier_prune_interval_seconds: float = Field(
        default=3600.0, gt=0, description="How often processed event ids are pruned"
    )
    public_base_url: str = Field(default="http://127.0.0.1:8000", pattern=r"^https?://[^\s]+$")
    operator_email: str | None = Field(
        default=None,
        max_length=320,
        description="Where the digest of new dead letters goes (an operator's address); "
        "unset: no digest, and nothing is kept for one",
    )
    operator_digest_minutes: int = Field(
        default=60,
        ge=1,
        le=10080,
        description="At most one dead-letter digest per this many minutes",
    )

    @field_validator("mail_from", "mail_reply_to")
    @classmethod
    def _an_address(cls, value: str | None) -> str | None:
        if value is not None and "@" not in parseaddr(value)[1]:
            raise ValueError(f"not an e-mail address: {value!r}")
        return value

    @field_validator("operator_email")
    @classmethod
    def _a_bare_address(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        address = value.strip()
        local, _, domain = address.rpartition("@")
        if parseaddr(address)[1] != address or not local or "." not in domain:
            raise ValueError(f"not a bare e-mail address (name@example.org): {value!r}")
        return address

    @property
    def message_domain(self) -> str:
        """The domain of every mail's Message-ID: the public site's host."""
        return (urlsplit(self.public_base_url).hostname or "localhost").lower()

    @property
    def database_url(self) -> str:
        """The delivery database, in the data directory unless configured otherwise."""
        return self.notifier_database_url or f"sqlite:///{self.data_dir / 'notifier.db'}"

    def consumer_spec(self, **fields: Any) -> BatchConsumerSpec:
        """A durable consumer of the notifier's: its dead letters under `notifier`, its ack
        wait and retry delay from these settings, the rest (stream, subject, durable, batch,
        title, description) as given."""
        return BatchConsumerSpec(
            service="notifier",
            ack_wait_seconds=self.ack_wait_seconds,
            retry_delay_seconds=self.notifier_retry_seconds,
            **fields,
        )
