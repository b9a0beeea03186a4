"""Why a scrape run failed: every failure carries one readable reason for ScrapeFailed."""

from __future__ import annotations


class ScrapeError(Exception):
    """A run cannot be trusted; `reason` goes into the ScrapeFailed event."""

    @property
    def reason(self) -> str:
        """The one-line reason given when the error was raised."""
        return str(self.args[0]) if self.args else type(self).__name__


class FetchFailed(ScrapeError):
    """An HTTP request failed for good (after retries, or with a non-retryable status)."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.status = status


class RobotsDisallowed(FetchFailed):
    """robots.txt forbids the URL (or could not be read), so we may not fetch it."""


class FormatChanged(ScrapeError):
    """A page no longer looks like the registry format the adapter knows."""


class TooFewHoldings(ScrapeError):
    """A run read far fewer holdings than the last good run: more likely broken than true."""
