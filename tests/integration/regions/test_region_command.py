"""`impactoost region add` and `consumers` as an operator runs them: the region's account and
password in the secrets folder, the accounts file the servers include, instructions for the
region, and its consumers made on the running platform as the admin user."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from contracts.subjects import STREAMS
from services.kit.nats_access import connect
from services.kit.nats_regions import SHARED, Region
from services.kit.streams import ensure_streams
from tests.fixtures.hub import Hub, running_hub
from tests.integration.test_cli import assert_one_line_error, impactoost

pytestmark = pytest.mark.integration

OOST = Region("oost", ("Overijssel", "Gelderland"))


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    with running_hub(tmp_path_factory.mktemp("command-hub"), [OOST]) as hub:
        yield hub


def test_adding_a_region_writes_its_account_password_and_instructions(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets"
    leaf = impactoost(
        "region", "add", "noord", "--provinces", "Drenthe,Groningen,Friesland", "--way", "leaf",
        "--secrets", str(secrets), tmp_path=tmp_path,
    )  # fmt: skip
    assert leaf.returncode == 0, leaf.stderr
    added = impactoost(
        "region", "add", "oost", "--provinces", "OV,GLD", "--secrets", str(secrets),
        tmp_path=tmp_path,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    listed = impactoost("region", "list", "--secrets", str(secrets), tmp_path=tmp_path)
    assert listed.stdout.splitlines() == [
        "noord\tleaf\tdrenthe,fryslan,groningen",
        "oost\timport\tgelderland,overijssel",
    ]
    accounts = (secrets / "nats-accounts.conf").read_text("utf-8")
    assert '"REGION_NOORD"' in accounts and '"REGION_OOST"' in accounts
    for user in ("scraper", "registry", "notifier", "gateway", "admin", "region-noord"):
        password = (secrets / f"nats-{user}.password").read_text("utf-8").strip()
        assert len(password) >= 24 and password not in accounts  # bcrypt hashes only
    assert accounts.count('"password": "$2a$11$') == 7
    assert (secrets / "nats-accounts.conf").stat().st_mode & 0o077 == 0
    notes = (secrets / "region-noord.txt").read_text("utf-8")
    assert "IMPACTOOST_GATEWAY_PROVINCES=drenthe,fryslan,groningen" in notes
    assert "deliver.noord.enterprises" in notes and "$JS.impact.API" in notes
    assert "deliver.noord.news" in notes and "deliver.noord.agenda" in notes
    assert "NEWS and AGENDA" in (secrets / "region-oost.txt").read_text("utf-8")
    assert json.loads((secrets / "regions.json").read_text("utf-8"))[1]["way"] == "import"


def test_a_region_in_no_known_province_is_a_one_line_error(tmp_path: Path) -> None:
    result = impactoost(
        "region", "add", "zee", "--provinces", "Atlantis", "--secrets", str(tmp_path),
        tmp_path=tmp_path,
    )  # fmt: skip
    assert_one_line_error(result, 2, "Atlantis")
    assert not (tmp_path / "regions.json").exists()


async def test_the_region_consumers_are_made_as_the_admin_user(hub: Hub, tmp_path: Path) -> None:
    await ensure_streams(hub.url(), STREAMS)
    secrets = tmp_path / "secrets"
    impactoost(
        "region", "add", "oost", "--provinces", "Overijssel,Gelderland", "--secrets",
        str(secrets), tmp_path=tmp_path,
    )  # fmt: skip
    admin = {"IMPACTOOST_NATS_URL": hub.anonymous_url, "IMPACTOOST_NATS_USER": "admin"}
    (tmp_path / "admin.password").write_text(hub.passwords["admin"])
    made = impactoost(
        "region", "consumers", "oost", "--secrets", str(secrets), tmp_path=tmp_path,
        IMPACTOOST_NATS_PASSWORD_FILE=str(tmp_path / "admin.password"), **admin,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert made.stdout.splitlines() == [
        "consumer ENTERPRISES/region-oost",
        "consumer ENTERPRISE_STATES/region-oost",
        "consumer NEWS/region-oost",
        "consumer AGENDA/region-oost",
    ]
    client = await connect(hub.url())
    try:
        js = client.jetstream()
        for stream in SHARED:
            info = await js.consumer_info(stream, OOST.durable)
            assert sorted(info.config.filter_subjects or []) == OOST.filters(stream)
    finally:
        await client.close()
    # The scraper's user may not: the command fails in one line, the platform unchanged.
    (tmp_path / "scraper.password").write_text(hub.passwords["scraper"])
    refused = impactoost(
        "region", "consumers", "oost", "--secrets", str(secrets), tmp_path=tmp_path,
        IMPACTOOST_NATS_URL=hub.anonymous_url, IMPACTOOST_NATS_USER="scraper",
        IMPACTOOST_NATS_PASSWORD_FILE=str(tmp_path / "scraper.password"),
    )  # fmt: skip
    assert_one_line_error(refused, 1)
