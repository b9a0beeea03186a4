"""The composition root: settings, database, publisher and clock wired into one registry."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import httpx
import structlog
from faststream.nats import NatsBroker
from sqlalchemy import Engine

from contracts.base import utc_now
from contracts.labels import LabelEvent, LabelLapsed
from contracts.signin import SignInRequested
from contracts.subjects import LABELS_STREAM
from contracts.supplements import SupplementSubmitted
from services.kit import failpoints
from services.kit.batches import Delivery
from services.kit.consumer_state import consumer_state
from services.kit.contacts import Contacts, CsvContacts
from services.kit.dutch import dutch_date_of
from services.kit.jetstream import make_broker
from services.kit.nats_users import REGISTRY_LABELS
from services.registry import handlers, housekeeping, self_service
from services.registry.adapters.database import make_engine, prepare_database, reading
from services.registry.adapters.messages import OutboxMessage
from services.registry.adapters.outbox import OutboxRelay
from services.registry.adapters.publisher import AbstractPublisher, JetStreamPublisher
from services.registry.adapters.unit_of_work import AbstractUnitOfWork, SqlUnitOfWork
from services.registry.backfill import backfill_states
from services.registry.config import RegistrySettings
from services.registry.moves import Outcome
from services.registry.regions import (
    BundledResolver,
    ChainResolver,
    PdokCache,
    PdokResolver,
    PlaceResolver,
    Resolution,
    pdok_client,
)
from services.registry.rules import ListingRules
from services.registry.time_checks import TimeChecks

AFTER_COMMIT = "registry.after_commit"
USER_AGENT = "impactoost-registry/0.1 (+https://impactoost.nl/over-de-scraper)"
log = structlog.get_logger()


@dataclass
class Registry:
    """Everything the registry's subscribers and start-up hooks need, built once."""

    settings: RegistrySettings
    broker: NatsBroker
    uow_factory: Callable[[], AbstractUnitOfWork]
    relay: OutboxRelay
    clock: Callable[[], datetime]
    resolver: PlaceResolver
    rules: ListingRules
    contacts: Contacts
    engine: Engine | None = None
    http: httpx.AsyncClient | None = None

    def __post_init__(self) -> None:
        self.time_checks = TimeChecks(self.pass_time, self.settings.time_check_seconds)

    def today(self) -> date:
        """The date the listing rule is applied for: the Dutch date, as the registries'
        validity dates are (a label valid until 12 March counts until midnight in NL)."""
        return dutch_date_of(self.clock())

    async def record_label_batch(
        self, deliveries: Sequence[Delivery[LabelEvent]]
    ) -> list[Exception | None]:
        """Record a fetched batch in stream order. Per delivery: None once its effect is
        committed (the caller acks then), or the error that kept it out (the caller retries
        it later)."""
        ordered = sorted(deliveries, key=lambda d: d.stream_sequence)
        results = await self._record(
            [d.item for d in ordered], [d.stream_sequence for d in ordered]
        )
        recorded = dict(zip(map(id, ordered), results, strict=True))
        return [r if isinstance(r := recorded[id(d)], Exception) else None for d in deliveries]

    async def record_label_event(self, event: LabelEvent) -> Outcome:
        """Record one event on its own; returns the enterprise event (or move) it queued,
        raises what kept it out."""
        (recorded,) = await self._record([event])
        if isinstance(recorded, Exception):
            raise recorded
        return recorded

    async def _record(
        self, events: Sequence[LabelEvent], sequences: Sequence[int | None] = ()
    ) -> list[handlers.Recorded]:
        """Resolve the events' places, then commit their effects in one transaction, in the
        order given; wake the relay. Places are resolved before the transaction (PDOK may be
        slow)."""
        resolutions = await asyncio.gather(*map(self.resolve_place, events))
        recorded = await asyncio.to_thread(
            handlers.record_label_events,
            list(zip(events, resolutions, strict=True)),
            self.uow_factory,
            self.today(),
            source=self.settings.source,
            now=self.clock(),
            rules=self.rules,
            sequences=sequences,
        )
        failpoints.hit(AFTER_COMMIT, self.settings.failpoints)
        if any(r is not None and not isinstance(r, Exception) for r in recorded):
            self.relay.wake()
        return recorded

    async def pass_time(self) -> int:
        """Queue what time alone changed by today (see handlers.pass_time); wake the relay;
        forget personal data past its retention."""
        queued = await asyncio.to_thread(
            handlers.pass_time,
            self.uow_factory,
            self.today(),
            source=self.settings.source,
            now=self.clock(),
            rules=self.rules,
        )
        if queued:
            self.relay.wake()
        await asyncio.to_thread(
            self_service.forget_personal_data,
            self.uow_factory,
            self.clock(),
            self.settings.personal_data_days,
        )
        await self.keep_tables_bounded()
        return queued

    async def keep_tables_bounded(self) -> None:
        """Delete outbox rows past their retention and prune processed ids the label
        durable has acknowledged. A failure is logged and tried again at the next time
        check: it must not keep time from passing."""
        try:
            await asyncio.to_thread(
                housekeeping.forget_published,
                self.uow_factory,
                self.clock(),
                self.settings.outbox_keep_days,
            )
        except Exception:
            log.exception("outbox_rows_not_deleted")
        floor = await self.labels_ack_floor()
        try:
            await asyncio.to_thread(
                housekeeping.prune_processed,
                self.uow_factory,
                self.clock(),
                self.settings.processed_keep_days,
                {LABELS_STREAM.name: floor} if floor else {},
            )
        except Exception:
            log.exception("processed_ids_not_pruned")

    async def labels_ack_floor(self) -> int | None:
        """The stream sequence up to which the label durable acknowledged every event, as
        the server reports it; None when it cannot be asked (nothing is pruned by sequence
        then)."""
        try:
            js = self.broker.connection.jetstream()
            state = await consumer_state(js, LABELS_STREAM.name, REGISTRY_LABELS)
        except Exception as exc:
            log.warning("label_ack_floor_unknown", error=f"{type(exc).__name__}: {exc}")
            return None
        return state.ack_floor

    async def relay_health(self) -> housekeeping.RelayHealth:
        """How the outbox relay stands now (backlog, oldest unpublished row, rows given up
        on), for the health report."""
        return await asyncio.to_thread(housekeeping.relay_health, self.relay.reader(), self.clock())

    async def record_supplement(self, event: SupplementSubmitted) -> None:
        """Record a submitted supplement in its own transaction (see self_service); wake
        the relay."""
        await asyncio.to_thread(
            self_service.record_supplement,
            event,
            self.uow_factory(),
            self.today(),
            source=self.settings.source,
            now=self.clock(),
            rules=self.rules,
        )
        self.relay.wake()

    async def decide_sign_in(self, event: SignInRequested) -> None:
        """Grant a sign-in or file a claim (see self_service); wake the relay."""
        await asyncio.to_thread(
            self_service.decide_sign_in, event, self.uow_factory(), self.contacts, now=self.clock()
        )
        self.relay.wake()

    async def resolve_place(self, event: LabelEvent) -> Resolution | None:
        """Where the observation's place lies; None for a lapse (its place is not news).
        Never raises: a failing resolver makes the place unresolved."""
        if isinstance(event, LabelLapsed):
            return None
        place = event.observation.place or ""
        if not place.strip():
            return Resolution.unresolved(place, "no place given")
        try:
            return await self.resolver.resolve(place)
        except Exception as exc:  # a resolver must answer; a bug in one must not stop events
            log.warning("place_resolution_failed", place=place, problem=repr(exc))
            return Resolution.unresolved(place, f"resolver failed: {exc!r}")

    async def backfill_states(self) -> int:
        """Queue every listed enterprise's state for ENTERPRISE_STATES (see backfill.py);
        wake the relay. The caller asks only when that stream is empty."""
        queued = await asyncio.to_thread(
            backfill_states, self.uow_factory, self.clock(), source=self.settings.source
        )
        if queued:
            self.relay.wake()
        return queued

    async def prepare_database(self) -> None:
        """Create or upgrade the schema (no-op with a fake unit of work)."""
        if self.engine is not None:
            await asyncio.to_thread(prepare_database, self.engine)

    def close(self) -> None:
        """Release the database connections."""
        if self.engine is not None:
            self.engine.dispose()

    async def aclose(self) -> None:
        """Release the database connections and PDOK's HTTP client."""
        self.close()
        if self.http is not None:
            with contextlib.suppress(Exception):
                await self.http.aclose()


def bootstrap(
    settings: RegistrySettings,
    uow_factory: Callable[[], AbstractUnitOfWork] | None = None,
    publisher: AbstractPublisher | None = None,
    clock: Callable[[], datetime] | None = None,
    resolver: PlaceResolver | None = None,
    contacts: Contacts | None = None,
) -> Registry:
    """Wire the registry; real adapters unless fakes are given. Nothing connects here."""
    clock = clock or utc_now
    http = None
    if resolver is None:
        resolver, http = _resolver(settings)
    broker = make_broker(settings.nats())
    engine = reader = None
    if uow_factory is None:
        engine = make_engine(settings.database_url)
        # Each commit hands the outbox rows it wrote to the relay (defined just below).
        uow_factory = _sql_uow_factory(engine, lambda written: relay.hand_over(written))
        reader = _sql_uow_factory(reading(engine))
    publisher = publisher or JetStreamPublisher(broker, settings.publish_timeout_seconds)
    relay = OutboxRelay(
        uow_factory,
        publisher,
        clock=clock,
        poll_seconds=settings.outbox_poll_seconds,
        batch_size=settings.outbox_batch_size,
        reader=reader,
    )
    return Registry(
        settings=settings,
        broker=broker,
        uow_factory=uow_factory,
        relay=relay,
        clock=clock,
        resolver=resolver,
        rules=settings.listing_rules(),
        contacts=contacts or CsvContacts(settings.registry_contacts_file),
        engine=engine,
        http=http,
    )


def _resolver(settings: RegistrySettings) -> tuple[PlaceResolver, httpx.AsyncClient | None]:
    """The bundled data, then PDOK (with its cache file) unless `pdok_base_url` is empty."""
    if not settings.pdok_base_url:
        return BundledResolver(), None
    http = pdok_client(USER_AGENT)
    pdok = PdokResolver(
        http, base_url=settings.pdok_base_url, cache=PdokCache(path=settings.pdok_cache_path)
    )
    return ChainResolver(BundledResolver(), pdok), http


def _sql_uow_factory(
    engine: Engine, on_commit: Callable[[list[OutboxMessage]], None] | None = None
) -> Callable[[], AbstractUnitOfWork]:
    def factory() -> AbstractUnitOfWork:
        return SqlUnitOfWork(engine, on_commit)

    return factory
