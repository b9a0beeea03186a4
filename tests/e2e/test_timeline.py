"""The demo world through its timeline, every service its own process, as a person watches it.

All four demo registries serve the world's step 0: the API lists exactly the enterprises
whose labels count (one enterprise per KvK number, whichever registries name it), and each
is welcomed by e-mail. Then the demo advances the way `impactoost demo advance` makes it, and
at every step the listing and the mails follow what changed in the registries: a renewed
certificate, one that lapsed, a Code registration granted, a new member, a member recognised.
Every expectation is derived from the world's data.
"""

from __future__ import annotations

import email
import mailbox
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from services.demo.contacts import contact_rows
from services.demo.control import request_advance
from services.demo.platform import Platform
from services.demo.world import Holding, World
from services.kit.processes import free_port
from services.registry.identity import Identity
from services.registry.regions import find_place
from services.registry.rules import DEFAULT_LEAD_DAYS as LEAD_DAYS
from tests.e2e.conftest import eventually

pytestmark = pytest.mark.e2e

Signature = tuple[frozenset[str], frozenset[str] | str]


@dataclass(frozen=True)
class Listed:
    """An enterprise the API should list: holdings that count, joined as the registry joins them."""

    holdings: tuple[Holding, ...]

    @property
    def labels(self) -> frozenset[str]:
        return frozenset(h.label for h in self.holdings)

    @property
    def kvk(self) -> frozenset[str]:
        return frozenset(k for h in self.holdings for k in h.kvk)

    @property
    def signature(self) -> Signature:
        """KvK numbers identify an enterprise; without them, its name does."""
        return (self.labels, self.kvk or self.holdings[0].name)


def _host(url: str | None) -> str | None:
    host = urlsplit(url or "").hostname
    return host.removeprefix("www.") if host else None


def _identities(world: World, step: int) -> list[tuple[Holding, set[str]]]:
    """Every holding with the values the registry recognises its enterprise by: its KvK
    numbers, its website host, and its name within its municipality."""
    places = [e.get("plaats") for label in world.labels for e in world.entries(label, step)]
    found = []
    for holding, place in zip(world.holdings(step), places, strict=True):
        municipality = find_place(place).unique if place else None
        code = municipality.code if municipality else None
        who = Identity.of(holding.kvk, holding.website, holding.name, code)
        keys = {f"kvk:{number}" for number in who.kvk}
        keys |= {f"{rule}:{value}" for rule in ("website", "name") if (value := who.value(rule))}
        found.append((holding, keys))
    return found


def expected_listing(world: World, step: int) -> list[Listed]:
    """Counting holdings grouped the way the registry joins them: by a shared KvK number, else
    the same website host, else the same name in the same municipality."""
    groups: list[tuple[list[Holding], set[str]]] = []
    for holding, keys in _identities(world, step):
        if not holding.counts:
            continue
        joined = [g for g in groups if keys & g[1]]
        merged = (
            [holding, *(h for g in joined for h in g[0])],
            keys.union(*(g[1] for g in joined)),
        )
        groups = [g for g in groups if g not in joined] + [merged]
    return [Listed(tuple(sorted(g, key=lambda h: h.label))) for g, _ in groups]


def address_of(world: World, listed: Listed) -> str | None:
    """The address the notifier finds in the demo's contacts file: by KvK, else by website."""
    rows = contact_rows(world)
    by_kvk = {kvk: mail for kvk, _, mail in rows if kvk}
    by_site = {_host(site): mail for _, site, mail in rows if site}
    for number in sorted(listed.kvk):
        if number in by_kvk:
            return by_kvk[number]
    sites = sorted(host for h in listed.holdings if (host := _host(h.website)))
    return next((by_site[site] for site in sites if site in by_site), None)


@pytest.fixture(scope="module")
def world() -> World:
    return World()


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory, world: World) -> Iterator[Platform]:
    running = Platform(
        data_dir=tmp_path_factory.mktemp("timeline"),
        gateway_port=free_port(),
        world=world,
        env={
            "IMPACTOOST_SCRAPE_REQUEST_RATE": "50",
            "IMPACTOOST_SCRAPE_INTERVAL_SECONDS": "3600",
            "IMPACTOOST_DEMO_STEP_SECONDS": "0",
            # Time checks only at start-up: the test restarts the registry to run them.
            "IMPACTOOST_TIME_CHECK_SECONDS": "3600",
        },
    ).start()
    yield running
    running.stop()


def _api_items(platform: Platform) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        response = httpx.get(
            f"{platform.gateway_url}api/v1/enterprises", params={"page_size": 100, "page": page}
        )
        response.raise_for_status()
        body = response.json()
        items += body["items"]
        if len(items) >= body["total"] or not body["items"]:
            return items
        page += 1


def _signature(item: dict[str, Any]) -> Signature:
    labels = frozenset(str(label["label"]) for label in item["labels"])
    kvk = frozenset(item["kvk"])
    return (labels, kvk or str(item["name"]))


def _item_for(platform: Platform, listed: Listed) -> dict[str, Any]:
    (item,) = [i for i in _api_items(platform) if _signature(i) == listed.signature]
    assert item["name"] in {h.name for h in listed.holdings}
    return item


async def _listing_is(platform: Platform, expected: list[Listed]) -> bool:
    return Counter(_signature(i) for i in _api_items(platform)) == Counter(
        e.signature for e in expected
    )


def _mails(platform: Platform) -> list[EmailMessage]:
    box = mailbox.Maildir(
        platform.maildir,
        create=False,
        factory=lambda f: email.message_from_binary_file(f, policy=default),
    )
    return list(box)


def _mail_tally(platform: Platform) -> Counter[tuple[str, str]]:
    """(address, kind) -> how many mails; kind is the subject's key word."""
    kinds = ("zichtbaar", "gewijzigd", "verwijderd", "Vernieuw")
    return Counter(
        (str(m["To"]), next((k for k in kinds if k in str(m["Subject"])), str(m["Subject"])))
        for m in _mails(platform)
    )


async def _mails_are(platform: Platform, expected: Counter[tuple[str, str]]) -> bool:
    return _mail_tally(platform) == expected


def _initial_mails(world: World, listed: list[Listed]) -> Counter[tuple[str, str]]:
    """One welcome per enterprise, naming every label its first scrapes found: the further
    labels arrive within the quiet period and fold into it (no "gewijzigd" mails)."""
    tally: Counter[tuple[str, str]] = Counter()
    for enterprise in listed:
        address = address_of(world, enterprise)
        if address:
            tally[(address, "zichtbaar")] += 1
    return tally


async def test_step_0_lists_every_counting_enterprise_once_and_welcomes_each(
    platform: Platform, world: World
) -> None:
    expected = expected_listing(world, 0)
    await eventually(lambda: _listing_is(platform, expected), 90, "the first scrapes of step 0")

    shared = [e for e in expected if len(e.labels) > 1]
    assert shared, "the world must have enterprises known to several registries by one KvK"
    for enterprise in shared:
        labels = {label["label"] for label in _item_for(platform, enterprise)["labels"]}
        assert labels == enterprise.labels
    assert {h.label for e in expected for h in e.holdings} == set(world.labels)
    assert any(not e.kvk for e in expected), "some enterprises are known only by name and website"

    mails = _initial_mails(world, expected)
    assert any(address_of(world, e) is None for e in expected), "some have no address"
    await eventually(lambda: _mails_are(platform, mails), 60, "welcome mails")
    page = httpx.get(platform.gateway_url).text
    assert f"{len(expected)} ondernemingen gevonden" in page


def expected_reminders(world: World, listed: list[Listed]) -> Counter[tuple[str, str]]:
    """A reminder for each enterprise whose labels all end and whose last label ends within
    60 days: at the most urgent lead time due (60, 30 or 7 days), once."""
    tally: Counter[tuple[str, str]] = Counter()
    for enterprise in listed:
        ends = [h.valid_until for h in enterprise.holdings]
        if not ends or any(end is None for end in ends):
            continue
        days_left = (max(end for end in ends if end is not None) - world.today).days
        address = address_of(world, enterprise)
        if days_left <= max(LEAD_DAYS) and address:
            tally[(address, "Vernieuw")] += 1
    return tally


def _time_checks_done(platform: Platform) -> int:
    log_file = platform.data_dir / "logs" / "registry.log"
    return log_file.read_text(encoding="utf-8").count("time_checked")


async def _restart_registry(platform: Platform) -> None:
    """Restart the registry and wait for the time checks it runs at start-up."""
    done = _time_checks_done(platform)
    platform.stop_service("registry")
    platform.start_service("registry")

    async def checked() -> bool:
        return _time_checks_done(platform) > done

    await eventually(checked, 60, "the registry's time checks at start-up")


async def test_restarted_registries_remind_each_label_ending_soon_once(
    platform: Platform, world: World
) -> None:
    mails = _mail_tally(platform) + expected_reminders(world, expected_listing(world, 0))
    assert len(expected_reminders(world, expected_listing(world, 0))) >= 2, "world must have some"
    await _restart_registry(platform)
    await eventually(lambda: _mails_are(platform, mails), 60, "reminder mails")
    await _restart_registry(platform)
    await _restart_registry(platform)
    await eventually(lambda: _mails_are(platform, mails), 10, "no second reminder")
    reminder = next(m for m in _mails(platform) if "Vernieuw" in str(m["Subject"]))
    body = reminder.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert "tot en met" in text and "(hercertificering)" in text


@pytest.mark.parametrize("step", range(1, World().last_step + 1))
async def test_each_step_changes_the_listing_and_mails_what_changed(
    platform: Platform, world: World, step: int
) -> None:
    before, after = expected_listing(world, step - 1), expected_listing(world, step)
    mails = _mail_tally(platform)

    answer = await request_advance(platform.data_dir)
    assert (answer["advanced"], answer["step"]) == (True, step)
    assert [s["ok"] for s in answer["scrapes"]] == [True] * len(world.labels), answer

    await eventually(lambda: _listing_is(platform, after), 60, f"the listing of step {step}")
    gone, new, changed = _differences(before, after)
    assert gone or new or changed, f"step {step} must change what buyers see"
    for enterprise, kind in [
        *((e, "verwijderd") for e in gone),
        *((e, "zichtbaar") for e in new),
        *((e, "gewijzigd") for e in changed),
    ]:
        address = address_of(world, enterprise)
        assert address, f"step {step}: {enterprise.holdings[0].name} must be reachable by e-mail"
        mails[(address, kind)] += 1
    await eventually(lambda: _mails_are(platform, mails), 60, f"the mails of step {step}")
    for enterprise in changed:
        shown = {lab["label"]: lab for lab in _item_for(platform, enterprise)["labels"]}
        for holding in enterprise.holdings:
            assert shown[holding.label]["valid_until"] == _iso(holding.valid_until)
            assert shown[holding.label]["valid_from"] == _iso(holding.valid_from)


def test_advancing_past_the_end_changes_nothing(platform: Platform, world: World) -> None:
    listed_before = Counter(_signature(i) for i in _api_items(platform))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "services.cli",
            "demo",
            "advance",
            "--data-dir",
            str(platform.data_dir),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"aan het eind (stap {world.last_step} van {world.last_step})" in result.stdout
    assert Counter(_signature(i) for i in _api_items(platform)) == listed_before


def _differences(
    before: list[Listed], after: list[Listed]
) -> tuple[list[Listed], list[Listed], list[Listed]]:
    """Enterprises delisted, newly listed, and listed in both with different label facts."""
    old = {e.signature: e for e in before}
    new = {e.signature: e for e in after}
    changed = [e for s, e in new.items() if s in old and old[s].holdings != e.holdings]
    return (
        [e for s, e in old.items() if s not in new],
        [e for s, e in new.items() if s not in old],
        changed,
    )


def _iso(day: object) -> str | None:
    return None if day is None else str(day)
