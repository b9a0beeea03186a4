"""The notifier's settings: where mail goes out, who receives it, where deliveries are kept."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr

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
    public_base_url: str = Field(default="http://127.0.0.1:8000", pattern=r"^https?://[^\s]+$")

    @property
    def database_url(self) -> str:
        """The delivery database, in the data directory unless configured otherwise."""
        return self.notifier_database_url or f"sqlite:///{self.data_dir / 'notifier.db'}"
