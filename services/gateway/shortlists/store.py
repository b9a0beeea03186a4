"""The lists' use cases on the database: create, find by link, change, renew the share link,
delete. Each change commits and marks the list used, so an active list is never purged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import structlog
from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from services.gateway.shortlists.domain import ENTRIES_MAX
from services.gateway.shortlists.tables import ShortlistEntryRow, ShortlistRow
from services.gateway.shortlists.tokens import new_list_id, new_token, share_token, token_hash

log = structlog.get_logger()
# Opening a list marks it used at most this often: a page view should rarely write.
TOUCH_EVERY = timedelta(hours=1)
Added = Literal["added", "present", "full"]


@dataclass(frozen=True)
class Created:
    """A new list and its two link secrets (shown once; only their hashes are kept)."""

    row: ShortlistRow
    edit_token: str
    share_token: str


def create_list(session: Session, name: str, note: str, now: datetime) -> Created:
    """A new empty list named `name`."""
    edit = new_token()
    share = share_token(edit, 0)
    row = ShortlistRow(
        list_id=new_list_id(),
        edit_hash=_hash(edit),
        share_hash=_hash(share),
        name=name,
        note=note,
        created_at=now,
        changed_at=now,
        used_at=now,
    )
    session.add(row)
    session.commit()
    session.refresh(row)
    log.info("shortlist_created", list_id=row.list_id)
    return Created(row, edit, share)


def find_by_edit(session: Session, token: str | None) -> ShortlistRow | None:
    """The list this edit secret opens, if any."""
    hashed = token_hash(token or "")
    if hashed is None:
        return None
    return session.exec(select(ShortlistRow).where(col(ShortlistRow.edit_hash) == hashed)).first()


def find_by_share(session: Session, token: str | None) -> ShortlistRow | None:
    """The list this share secret shows, if any (none once the share link was renewed)."""
    hashed = token_hash(token or "")
    if hashed is None:
        return None
    return session.exec(select(ShortlistRow).where(col(ShortlistRow.share_hash) == hashed)).first()


def entries_of(session: Session, list_id: str) -> list[ShortlistEntryRow]:
    """The list's entries in the order they were added."""
    query = (
        select(ShortlistEntryRow)
        .where(col(ShortlistEntryRow.list_id) == list_id)
        .order_by(col(ShortlistEntryRow.added_at), col(ShortlistEntryRow.enterprise_id))
    )
    return list(session.exec(query).all())


def touch(session: Session, row: ShortlistRow, now: datetime) -> None:
    """Mark the list as opened now (written at most once per `TOUCH_EVERY`)."""
    if now - row.used_at >= TOUCH_EVERY:
        row.used_at = now
        session.add(row)
        session.commit()
        session.refresh(row)


def add_entry(
    session: Session, row: ShortlistRow, enterprise_id: str, name: str, now: datetime
) -> Added:
    """Put an enterprise on the list (once); `full` when the list holds its maximum."""
    if session.get(ShortlistEntryRow, (row.list_id, enterprise_id)) is not None:
        return "present"
    count = session.exec(
        select(func.count())
        .select_from(ShortlistEntryRow)
        .where(col(ShortlistEntryRow.list_id) == row.list_id)
    ).one()
    if count >= ENTRIES_MAX:
        return "full"
    entry = ShortlistEntryRow(
        list_id=row.list_id, enterprise_id=enterprise_id, name=name, added_at=now
    )
    session.add(entry)
    _changed(session, row, now)
    return "added"


def remove_entry(session: Session, row: ShortlistRow, enterprise_id: str, now: datetime) -> bool:
    """Take an enterprise off the list; False when it was not on it."""
    entry = session.get(ShortlistEntryRow, (row.list_id, enterprise_id))
    if entry is None:
        return False
    session.delete(entry)
    _changed(session, row, now)
    return True


def set_entry_note(
    session: Session, row: ShortlistRow, enterprise_id: str, note: str, now: datetime
) -> bool:
    """Replace an entry's note; False when the enterprise is not on the list."""
    entry = session.get(ShortlistEntryRow, (row.list_id, enterprise_id))
    if entry is None:
        return False
    entry.note = note
    session.add(entry)
    _changed(session, row, now)
    return True


def set_details(session: Session, row: ShortlistRow, name: str, note: str, now: datetime) -> None:
    """Rename the list and replace its note."""
    row.name, row.note = name, note
    _changed(session, row, now)


def renew_share(session: Session, row: ShortlistRow, edit_token: str, now: datetime) -> str:
    """A new share secret; the old share link stops working at once."""
    row.share_generation += 1
    share = share_token(edit_token, row.share_generation)
    row.share_hash = _hash(share)
    _changed(session, row, now)
    log.info("shortlist_share_renewed", list_id=row.list_id)
    return share


def delete_list(session: Session, row: ShortlistRow) -> None:
    """Delete the list with its entries."""
    _delete_lists(session, [row.list_id])
    session.commit()
    log.info("shortlist_deleted", list_id=row.list_id)


def purge_unused(session: Session, unused_since: datetime) -> int:
    """Delete every list neither opened nor changed since `unused_since`; how many."""
    ids = list(
        session.exec(
            select(ShortlistRow.list_id).where(col(ShortlistRow.used_at) < unused_since)
        ).all()
    )
    if ids:
        _delete_lists(session, ids)
        session.commit()
        log.info("shortlists_purged", lists=len(ids))
    return len(ids)


def _delete_lists(session: Session, ids: list[str]) -> None:
    # Entries first and explicitly: SQLite enforces the cascade only with a pragma.
    session.execute(delete(ShortlistEntryRow).where(col(ShortlistEntryRow.list_id).in_(ids)))
    session.execute(delete(ShortlistRow).where(col(ShortlistRow.list_id).in_(ids)))


def _changed(session: Session, row: ShortlistRow, now: datetime) -> None:
    row.changed_at = row.used_at = now
    session.add(row)
    session.commit()
    session.refresh(row)


def _hash(token: str) -> str:
    hashed = token_hash(token)
    assert hashed is not None  # new_token() always makes a well-formed secret
    return hashed
