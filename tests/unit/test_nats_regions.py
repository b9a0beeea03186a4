"""What a region is given: only its own consumers' subjects, in an account of its own, for
the provinces it chose (named as people name them), and nothing to publish."""

from __future__ import annotations

import pytest

from services.kit.nats_deployment import platform_accounts
from services.kit.nats_region_import import durable_config, exports, import_account
from services.kit.nats_region_leaf import leaf_account, leaf_consumer_config, leaf_streams
from services.kit.nats_regions import IMPORT_PREFIX, SHARED, Region
from services.kit.nats_users import SERVICE_USERS

pytestmark = pytest.mark.unit


def test_provinces_are_named_as_people_name_them_and_kept_as_subject_slugs() -> None:
    region = Region("noord", ("Friesland", "GN", "drenthe", "Drenthe"))
    assert region.provinces == ("drenthe", "fryslan", "groningen")
    assert region.filters("ENTERPRISES")[0] == "impact.v1.enterprises.drenthe.>"
    assert region.filters("ENTERPRISE_STATES")[0] == "impact.v1.states.drenthe.>"
    assert (region.account, region.user, region.durable) == (
        "REGION_NOORD",
        "region-noord",
        "region-noord",
    )


@pytest.mark.parametrize(
    ("name", "provinces", "way", "message"),
    [
        ("noord", ("Atlantis",), "import", "not a Dutch province: Atlantis"),
        ("noord", (), "import", "not a Dutch province"),
        ("Noord Oost", ("Drenthe",), "import", "lower-case"),
        ("noord", ("Drenthe",), "bridge", "by import or leaf"),
    ],
)
def test_a_region_that_cannot_work_is_refused(
    name: str, provinces: tuple[str, ...], way: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Region(name, provinces, way)  # type: ignore[arg-type]


def test_an_importing_region_gets_its_own_durables_and_nothing_else() -> None:
    region = Region("noord", ("Drenthe",))
    exported = exports(region)
    assert {e["accounts"][0] for e in exported} == {"REGION_NOORD"}
    assert all(e["service"].split(".")[-1] in ("region-noord", ">") for e in exported)
    assert all(".region-noord" in e["service"] for e in exported)
    user = import_account(region, "pw")["users"][0]
    allowed = user["permissions"]["publish"]["allow"]
    assert all(s.startswith((IMPORT_PREFIX, "$JS.ACK.")) and "region-noord" in s for s in allowed)
    assert user["permissions"]["subscribe"]["allow"] == ["_INBOX_region-noord.>"]


def test_a_leaf_region_may_send_only_its_attach_and_flow_control_calls() -> None:
    user = leaf_account(Region("noord", ("Drenthe",), "leaf"), "pw")["users"][0]
    sends = user["permissions"]["publish"]["allow"]
    assert sends == [
        "$JS.impact.API.CONSUMER.RESET.ENTERPRISES.region-noord",
        "$JS.FC.ENTERPRISES.region-noord.*",
        "$JS.impact.API.CONSUMER.RESET.ENTERPRISE_STATES.region-noord",
        "$JS.FC.ENTERPRISE_STATES.region-noord.*",
        "$JS.impact.API.CONSUMER.RESET.NEWS.region-noord",
        "$JS.FC.NEWS.region-noord.*",
        "$JS.impact.API.CONSUMER.RESET.AGENDA.region-noord",
        "$JS.FC.AGENDA.region-noord.*",
    ]
    receives = user["permissions"]["subscribe"]["allow"]
    assert receives == [
        "$JSC.R.*",
        "deliver.noord.enterprises",
        "deliver.noord.enterprise_states",
        "deliver.noord.news",
        "deliver.noord.agenda",
    ]


def test_a_region_reads_the_hotspots_news_and_agenda_whole_as_their_subjects_name_no_province() -> (
    None
):
    region = Region("noord", ("Drenthe", "Groningen"))
    assert SHARED == ("ENTERPRISES", "ENTERPRISE_STATES", "NEWS", "AGENDA")
    assert region.filters("NEWS") == ["impact.v1.news.>"]
    assert region.filters("AGENDA") == ["impact.v1.agenda.>"]
    for stream in ("NEWS", "AGENDA"):
        config = durable_config(region, stream)
        assert (config.durable_name, config.filter_subjects) == (
            "region-noord",
            region.filters(stream),
        )
        leaf = leaf_consumer_config(Region("noord", ("Drenthe",), "leaf"), stream)
        assert leaf.deliver_subject == f"deliver.noord.{stream.lower()}"
        assert leaf.filter_subjects == region.filters(stream)
    exported = {e["service"] for e in exports(region)}
    assert {
        "$JS.API.CONSUMER.MSG.NEXT.NEWS.region-noord",
        "$JS.API.CONSUMER.INFO.AGENDA.region-noord",
        "$JS.ACK.AGENDA.region-noord.>",
    } <= exported
    copies = {c.name: c for c in leaf_streams(Region("noord", ("Drenthe",), "leaf"))}
    assert list(copies) == list(SHARED)
    assert copies["NEWS"].max_msgs_per_subject == -1  # every item's history, not one per subject


def test_the_gateway_may_not_touch_a_regions_news_or_agenda_durable() -> None:
    # The gateway may make and delete durables of any name on NEWS and AGENDA (its own).
    regions = [Region("noord", ("Drenthe",)), Region("zuid", ("Limburg",), "leaf")]
    passwords = {u.name: "pw" for u in SERVICE_USERS} | {r.user: "pw" for r in regions}
    users = platform_accounts(passwords, regions)["IMPACT"]["users"]
    [gateway] = [u for u in users if u["user"] == "gateway"]
    denied = gateway["permissions"]["publish"]["deny"]
    for stream in ("NEWS", "AGENDA"):
        for region in regions:
            assert f"$JS.API.CONSUMER.*.{stream}.{region.durable}" in denied
            assert f"$JS.ACK.{stream}.{region.durable}.>" in denied
