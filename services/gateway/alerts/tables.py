"""The alerts' table: in metadata of its own, not the read model's, because the read model
is dropped and rebuilt from the streams while alerts exist nowhere else."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from services.gateway.read_model.tables import UtcDateTime


class AlertTable(SQLModel, registry=registry()):
    """Base of the alerts' tables; `AlertTable.metadata` holds exactly these."""


class AlertRow(AlertTable, table=True):
    """A saved search and where to mail it. Its links are known by their hashes only; the
    row goes when the alert stops, or when it is not confirmed in time."""

    __tablename__ = "alerts"

    alert_id: str = Field(primary_key=True, max_length=64)
    email: str = Field(max_length=254)
    frequency: str = Field(max_length=16)
    # As the read model stores them: space-separated sorted tokens; region as chosen.
    categories: str | None = None
    labels: str | None = None
    region: str | None = Field(default=None, max_length=100)
    created_at: datetime = Field(sa_type=UtcDateTime, index=True)
    confirm_hash: str = Field(max_length=64, unique=True)
    manage_hash: str = Field(max_length=64, unique=True)
    confirmed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    # The end of the last period done (at first, the confirmation), and the end of a period
    # being sent: kept until it is done, so a retry sends the same period under the same id.
    period_end: datetime | None = Field(default=None, sa_type=UtcDateTime)
    sending_end: datetime | None = Field(default=None, sa_type=UtcDateTime)


def create_alert_tables(engine: Engine) -> None:
    """Create the alerts' table when missing (the read model's start-up makes the file)."""
    AlertTable.metadata.create_all(engine)
