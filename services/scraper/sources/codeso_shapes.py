"""The request bodies the Code register's query endpoint may expect, most likely first.

Only the first is documented (label-sources.md §2); a public third-party scraper of the
register had to try several shapes, so the adapter tries these in order and keeps the first
that yields a valid answer. A deployment that meets yet another shape adds it here.
"""

from __future__ import annotations

from dataclasses import dataclass

# Answers that say "I do not understand this body": try the next shape. Any other failure
# (the route gone, the server down) is no reason to believe another body would do better.
SHAPE_REFUSED = frozenset({400, 405, 415, 422})


@dataclass(frozen=True)
class RequestShape:
    """One way to ask for page `paged` of query loop `ql_id`: a JSON or a form body."""

    name: str
    page_key: str
    nested_in: str | None = None
    form: bool = False

    def json_body(self, ql_id: int, page: int) -> dict[str, object]:
        """The JSON body for `page` (unused for a form shape)."""
        paging: dict[str, object] = {self.page_key: page}
        if self.nested_in is not None:
            return {"ql_id": ql_id, self.nested_in: paging}
        return {"ql_id": ql_id, **paging}

    def form_body(self, ql_id: int, page: int) -> dict[str, str]:
        """The form fields for `page`."""
        return {"ql_id": str(ql_id), self.page_key: str(page)}


KNOWN_SHAPES: tuple[RequestShape, ...] = (
    RequestShape("json ql_id+paged", "paged"),
    RequestShape("json ql_id+page", "page"),
    RequestShape("json ql_id+query.paged", "paged", nested_in="query"),
    RequestShape("form ql_id+paged", "paged", form=True),
)
