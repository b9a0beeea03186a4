"""Settings base: every service reads `IMPACTOOST_…` variables into one object at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.kit.nats_access import NatsAccess


class ConfigError(Exception):
    """A setting is missing or invalid; the message says which and why, in one line."""


class KitSettings(BaseSettings):
    """Settings every service shares."""

    model_config = SettingsConfigDict(env_prefix="IMPACTOOST_", extra="ignore", frozen=True)

    nats_url: str = Field(
        default="nats://127.0.0.1:4222",
        pattern=r"^(nats|tls)://[^\s,]+(,(nats|tls)://[^\s,]+)*$",
        description="One NATS server, or several comma-separated (the nodes of a cluster): a "
        "service starts while any of them answers",
    )
    nats_user: str | None = Field(
        default=None, min_length=1, description="The NATS user this service connects as"
    )
    nats_password: SecretStr | None = Field(
        default=None, description="Its password (prefer IMPACTOOST_NATS_PASSWORD_FILE)"
    )
    nats_password_file: Path | None = Field(
        default=None, description="A file holding the NATS user's password"
    )
    nats_creds_file: Path | None = Field(
        default=None, description="A NATS credentials file (user JWT and nkey seed)"
    )
    nats_nkey_file: Path | None = Field(default=None, description="A NATS user nkey seed file")
    nats_tls_ca_file: Path | None = Field(
        default=None, description="The CA that signed the NATS servers' certificates"
    )
    nats_tls_cert_file: Path | None = Field(
        default=None, description="A client certificate, for servers that verify clients"
    )
    nats_tls_key_file: Path | None = Field(default=None, description="Its private key")
    nats_inbox_prefix: str | None = Field(
        default=None,
        pattern=r"^_INBOX[A-Za-z0-9_-]*$",
        description="Where replies to this service arrive; `_INBOX_<user>` by default, the "
        "only inbox its NATS user may subscribe to",
    )
    data_dir: Path = Path("var")
    source: str = Field(
        default="impactoost",
        min_length=1,
        max_length=200,
        description="Names this deployment in every event's `source`",
    )
    platform_name: str = Field(
        default="Impact Oost",
        min_length=1,
        max_length=100,
        description="The platform's name on its pages and in its e-mails (one per region)",
    )
    log_format: Literal["auto", "console", "json"] = "auto"
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    stream_replicas: int = Field(default=1, ge=1, le=5)
    publish_timeout_seconds: float = Field(default=5.0, gt=0)
    ack_wait_seconds: float = Field(
        default=30.0, gt=0, description="How long a consumer waits for an ack before redelivery"
    )
    failpoints: frozenset[str] = Field(
        default=frozenset(),
        description="Test-only crash points, e.g. `registry.after_commit`; empty in production",
    )

    @model_validator(mode="after")
    def _one_way_to_authenticate(self) -> KitSettings:
        ways = [
            name
            for name, value in (
                ("a user", self.nats_user),
                ("a creds file", self.nats_creds_file),
                ("an nkey file", self.nats_nkey_file),
            )
            if value
        ]
        if len(ways) > 1:
            raise ValueError(f"NATS credentials: choose one of {' and '.join(ways)}")
        if (self.nats_password or self.nats_password_file) and not self.nats_user:
            raise ValueError("a NATS password needs IMPACTOOST_NATS_USER")
        files = (
            self.nats_password_file,
            self.nats_creds_file,
            self.nats_nkey_file,
            self.nats_tls_ca_file,
            self.nats_tls_cert_file,
            self.nats_tls_key_file,
        )
        for path in files:
            if path is not None and not path.is_file():
                raise ValueError(f"NATS credentials: no file at {path}")
        return self

    def nats(self) -> NatsAccess:
        """How this service reaches NATS, with its credentials read from their files."""
        password = self.nats_password.get_secret_value() if self.nats_password else None
        if self.nats_password_file is not None:
            password = self.nats_password_file.read_text(encoding="utf-8").strip()
        return NatsAccess(
            url=self.nats_url,
            user=self.nats_user,
            password=password,
            creds_file=self.nats_creds_file,
            nkey_file=self.nats_nkey_file,
            tls_ca_file=self.nats_tls_ca_file,
            tls_cert_file=self.nats_tls_cert_file,
            tls_key_file=self.nats_tls_key_file,
            inbox=self.nats_inbox_prefix,
        )


T = TypeVar("T", bound=BaseSettings)


def load_settings(cls: type[T], **overrides: Any) -> T:
    """Build a settings object, turning validation errors into one readable `ConfigError`."""
    try:
        return cls(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"IMPACTOOST_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            if err["loc"]
            else err["msg"].removeprefix("Value error, ")
            for err in exc.errors()
        )
        raise ConfigError(f"invalid settings: {problems}") from None
