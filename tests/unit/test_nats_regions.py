"""What a region is given: only its own consumers' subjects, in an account of its own, for
the provinces it chose (named as people name them), and nothing to publish."""

from __future__ import annotations

import pytest

from services.kit.nats_region_import import exports, import_account
from services.kit.nats_region_leaf import leaf_account
from services.kit.nats_regions import IMPORT_PREFIX, Region

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
    ]
    receives = user["permissions"]["subscribe"]["allow"]
    assert receives == [
        "$JSC.R.*",
        "deliver.noord.enterprises",
        "deliver.noord.enterprise_states",
    ]
