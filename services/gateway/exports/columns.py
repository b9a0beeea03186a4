"""The export's columns: one row per enterprise and counting label, so a buyer filtering on a
label or level in a spreadsheet keeps every fact of that label on its row."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from services.gateway.labels import label_name, level_text
from services.gateway.read_model.views import EnterpriseView, LabelView
from services.kit.dutch import dutch_date_of

Value = str | date | None


@dataclass(frozen=True)
class Column:
    """A column's Dutch heading and its width in a spreadsheet (characters)."""

    title: str
    width: int


ENTERPRISE_COLUMNS = (
    Column("Naam", 32),
    Column("KvK-nummer", 12),
    Column("Plaats", 16),
    Column("Gemeente", 16),
    Column("Provincie", 12),
    Column("Regio", 18),
    Column("Website", 30),
    Column("Label", 24),
    Column("Niveau", 14),
    Column("PSO 30+", 8),
    Column("Geldig vanaf", 12),
    Column("Geldig tot", 12),
    Column("Hercertificering loopt tot", 14),
    Column("Laatst gecontroleerd", 14),
    Column("Registerlink", 40),
    Column("Categorieën", 30),
    Column("CPV-codes", 30),
    Column("Contactpersoon", 20),
    Column("E-mail contact", 26),
    Column("Telefoon contact", 16),
    Column("In het overzicht sinds", 14),
    Column("Pagina op het platform", 40),
)
LIST_COLUMNS = (
    Column("Status", 18),
    Column("Niet meer vermeld sinds", 14),
    Column("Reden", 36),
    Column("Notitie", 40),
)


@dataclass(frozen=True)
class ListStatus:
    """What a shortlist adds to an enterprise's rows: whether it is listed, and the note."""

    listed: bool
    delisted_since: date | None = None
    reason: str | None = None
    note: str | None = None

    def values(self) -> list[Value]:
        """The list columns' values."""
        status = "vermeld" if self.listed else "niet meer vermeld"
        return [status, self.delisted_since, self.reason, self.note or None]


@dataclass(frozen=True)
class Table:
    """What an export file holds: the columns and the rows, in order."""

    columns: tuple[Column, ...]
    rows: list[list[Value]]


def enterprise_table(enterprises: Iterable[EnterpriseView], page_url: str) -> Table:
    """The rows of a search's enterprises; `page_url` is the public address of an enterprise
    page with `{id}` for its id."""
    rows = [row for e in enterprises for row in enterprise_rows(e, page_url)]
    return Table(ENTERPRISE_COLUMNS, rows)


def list_table(entries: Iterable[tuple[EnterpriseView, ListStatus]], page_url: str) -> Table:
    """The rows of a shortlist: each enterprise's rows, followed by its status and note."""
    rows = [
        row + status.values()
        for enterprise, status in entries
        for row in enterprise_rows(enterprise, page_url)
    ]
    return Table(ENTERPRISE_COLUMNS + LIST_COLUMNS, rows)


def enterprise_rows(enterprise: EnterpriseView, page_url: str) -> list[list[Value]]:
    """One row per counting label; one row with empty label columns when it holds none."""
    labels: Sequence[LabelView | None] = enterprise.labels or [None]
    return [_row(enterprise, label, page_url) for label in labels]


def _row(enterprise: EnterpriseView, label: LabelView | None, page_url: str) -> list[Value]:
    contact = enterprise.supplement.contact if enterprise.supplement else None
    codes = dict.fromkeys(cpv.code for c in enterprise.categories for cpv in c.cpv)
    listed_since = enterprise.listed_since
    return [
        enterprise.name,
        ", ".join(enterprise.kvk) or None,
        enterprise.place,
        enterprise.municipality,
        enterprise.province,
        enterprise.region,
        enterprise.website,
        *_label_values(label),
        "; ".join(c.name for c in enterprise.categories) or None,
        "; ".join(codes) or None,
        contact.name if contact else None,
        contact.email if contact else None,
        contact.phone if contact else None,
        dutch_date_of(listed_since) if listed_since else None,
        page_url.replace("{id}", enterprise.enterprise_id),
    ]


def _label_values(label: LabelView | None) -> list[Value]:
    if label is None:
        return [None] * 8
    return [
        label_name(label.label),
        level_text(label.level),
        ("ja" if label.pso30plus else "nee") if label.label == "pso" else None,
        label.valid_from,
        label.valid_until,
        label.grace_until,
        dutch_date_of(label.last_checked_at),
        label.source_url,
    ]
