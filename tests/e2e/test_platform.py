"""The platform end to end, every service its own process, as a person runs it.

A local PSO register serves page set A: a scrape lists its enterprises, the API and the
buyers' page show them, and each enterprise is e-mailed. The register then serves page set B,
with one certificate gone, one new and one level changed, and the listing and e-mails follow.
"""

from __future__ import annotations

import email
import json
import mailbox
from collections.abc import Iterator
from datetime import date
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import httpx
import pytest
from parsel import Selector

from contracts.kvk import normalise_kvk
from contracts.subjects import SCRAPE_COMMANDS, STREAMS
from services.demo.contacts import demo_contacts
from services.demo.platform import Platform
from services.demo.sites.pso import Certificate
from services.kit.nats_access import connect
from services.kit.processes import free_port
from services.kit.publications import subject_matches
from tests.e2e.conftest import eventually

pytestmark = pytest.mark.e2e
DOCUMENTS = Path(__file__).resolve().parents[2] / "docs" / "asyncapi"


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    running = Platform(
        data_dir=tmp_path_factory.mktemp("platform"),
        gateway_port=free_port(),
        env={
            "IMPACTOOST_SCRAPE_REQUEST_RATE": "50",
            "IMPACTOOST_SCRAPE_INTERVAL_SECONDS": "3600",
            # One registry: an enterprise's events come one scrape at a time.
            "IMPACTOOST_MAIL_QUIET_SECONDS": "2",
        },
    ).start()
    yield running
    running.stop()


def _counting(platform: Platform, state: str) -> dict[str, Certificate]:
    today = date.today()
    return {c.organisatie: c for c in platform.sites["pso"].certificates(state) if c.counts(today)}


def _contact(cert: Certificate) -> str | None:
    contacts = demo_contacts(date.today())
    numbers = [n for k in cert.kvk.split(",") if (n := normalise_kvk(k))]
    return next((contacts[n] for n in numbers if n in contacts), None)


def _listed_names(platform: Platform) -> set[str]:
    response = httpx.get(f"{platform.gateway_url}api/v1/enterprises", params={"page_size": 100})
    response.raise_for_status()
    body = response.json()
    assert body["total"] == len(body["items"])
    return {item["name"] for item in body["items"]}


def _mails(platform: Platform) -> list[EmailMessage]:
    box = mailbox.Maildir(
        platform.maildir,
        create=False,
        factory=lambda f: email.message_from_binary_file(f, policy=default),
    )
    return list(box)


def _mails_to(platform: Platform, address: str, subject_word: str) -> list[EmailMessage]:
    return [m for m in _mails(platform) if m["To"] == address and subject_word in m["Subject"]]


async def _scrape_now(platform: Platform) -> dict[str, object]:
    nc = await connect(platform.nats_url)
    try:
        reply = await nc.request(SCRAPE_COMMANDS, b'{"label": "pso"}', timeout=120)
    finally:
        await nc.close()
    summary: dict[str, object] = json.loads(reply.data)
    assert summary["ok"] is True
    return summary


def _names_on_buyers_pages(platform: Platform) -> set[str]:
    """Follow the search page's pagination and read every result as a buyer sees it."""
    names: set[str] = set()
    url: str | None = platform.gateway_url
    while url:
        page = Selector(httpx.get(url).text)
        for result in page.css("li.result"):
            assert "PSO" in result.get()
            assert "laatst gecontroleerd" in result.get()
            names.add(result.css("h3 a::text").get(""))
        next_href = page.css('a[rel="next"]::attr(href)').get()
        url = httpx.URL(url).join(next_href).__str__() if next_href else None
    return names


async def _mail_count_reaches(platform: Platform, count: int) -> bool:
    return len(_mails(platform)) >= count


async def test_page_set_a_lists_every_counting_certificate_and_mails_each_enterprise(
    platform: Platform,
) -> None:
    expected = _counting(platform, "A")
    assert len(expected) >= 20

    async def listed() -> bool:
        return _listed_names(platform) == set(expected)

    await eventually(listed, 90, "the first scheduled scrape to list page set A")
    addressed = {name: _contact(cert) for name, cert in expected.items()}
    with_address = {name: a for name, a in addressed.items() if a}
    assert len(with_address) < len(expected), "the demo must include an enterprise without address"
    await eventually(lambda: _mail_count_reaches(platform, len(with_address)), 60, "welcome mails")

    for name, address in with_address.items():
        welcome = _mails_to(platform, address, "zichtbaar")
        assert len(welcome) == 1, name
        assert welcome[0].is_multipart()

    first_page = httpx.get(platform.gateway_url).text
    assert f"{len(expected)} ondernemingen gevonden" in first_page
    assert _names_on_buyers_pages(platform) == set(expected)


async def test_page_set_b_delists_the_lapsed_lists_the_new_and_mails_both(
    platform: Platform,
) -> None:
    before, after = _counting(platform, "A"), _counting(platform, "B")
    gone = set(before) - set(after)
    new = set(after) - set(before)
    assert len(gone) == 1
    assert len(new) == 1
    mails_before = len(_mails(platform))

    platform.sites["pso"].use("B")
    first, second = await _scrape_now(platform), await _scrape_now(platform)
    # A certificate missing from the register lapses after two successful runs without it.
    assert (first["granted"], first["changed"], first["lapsed"]) == (1, 1, 0)
    assert (second["granted"], second["changed"], second["lapsed"]) == (0, 0, 1)

    async def relisted() -> bool:
        return _listed_names(platform) == set(after)

    await eventually(relisted, 60, "the listing to follow page set B")
    await eventually(
        lambda: _mail_count_reaches(platform, mails_before + 3),
        60,
        "delisting, welcome and change mails",
    )

    (gone_name,) = gone
    goodbye = _mails_to(platform, _contact(before[gone_name]) or "", "verwijderd")
    assert len(goodbye) == 1
    body = goodbye[0].get_body(("plain",))
    assert body is not None
    assert "PSO" in body.get_content()

    (new_name,) = new
    assert len(_mails_to(platform, _contact(after[new_name]) or "", "zichtbaar")) == 1

    search = httpx.get(f"{platform.gateway_url}api/v1/enterprises", params={"q": new_name})
    (item,) = search.json()["items"]
    detail = httpx.get(f"{platform.gateway_url}api/v1/enterprises/{item['enterprise_id']}")
    assert detail.status_code == 200
    assert detail.json()["labels"][0]["label"] == "pso"
    assert len(_mails(platform)) == mails_before + 3


async def test_every_running_consumer_and_published_subject_is_in_the_asyncapi_documents(
    platform: Platform,
) -> None:
    """What the platform actually ran (the server's durables, the subjects its streams hold)
    is what the checked-in AsyncAPI documents describe."""
    documents = {
        path.stem: json.loads(path.read_text(encoding="utf-8")) for path in DOCUMENTS.glob("*.json")
    }

    def addresses(service: str, action: str) -> set[str]:
        document = documents[service]
        refs = [
            op["channel"]["$ref"].rsplit("/", 1)[-1]
            for op in document["operations"].values()
            if op["action"] == action
        ]
        return {document["channels"][ref]["address"] for ref in refs}

    nc = await connect(platform.url_for("admin"))
    try:
        js = nc.jetstream()
        durables: list[tuple[str, str, set[str]]] = []
        subjects: set[str] = set()
        for name in (spec.name for spec in STREAMS):  # the events' streams, not KV buckets
            for consumer in await js.consumers_info(name):
                config = consumer.config
                filters = set(config.filter_subjects or [config.filter_subject or ""])
                durables.append((name, consumer.name, filters))
            info = await js.stream_info(name, subjects_filter=">")
            subjects |= set(info.state.subjects or {})
    finally:
        await nc.close()
    assert len(durables) >= 8 and subjects
    for stream, durable, filters in durables:
        service = durable.split("-", 1)[0]
        missing = filters - addresses(service, "receive")
        assert not missing, f"{durable} on {stream} reads {missing}, undocumented"
    published = {pattern for service in documents for pattern in addresses(service, "send")}
    undocumented = {s for s in subjects if not any(subject_matches(p, s) for p in published)}
    assert not undocumented
