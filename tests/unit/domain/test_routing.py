"""Routing rules: which location a shipped line is tried at first, and why."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from omniloom.domain.routing import (
    RULES,
    UNKNOWN,
    Availability,
    Destination,
    Line,
    LocatedBy,
    Point,
    ShipTo,
    Site,
    great_circle_km,
    locate,
    register,
    rule_named,
)

NEW_YORK = Point(40.72, -74.00)
SEATTLE = Point(47.61, -122.34)
PORTLAND = Point(45.52, -122.68)
DC = Site("dc", "dc", "Columbus", "43217", Point(39.96, -83.00))
NYC = Site("nyc", "store", "New York", "10013", NEW_YORK)
SEA = Site("sea", "store", "Seattle", "98101", SEATTLE)
NOWHERE = Site("popup", "store", "Atlantis")  # a store whose place nobody recorded
SITES = [DC, NYC, SEA]  # the channel's rank
LAMP = [Line("SKU-LAMP", 1)]


def rank(
    rule: str, destination: Destination, *, availability: Availability | None = None
) -> list[str]:
    return RULES[rule](LAMP, SITES, destination, availability or {})[0]


def test_great_circle_distance_between_two_cities() -> None:
    # New York to Seattle is about 3,870 km as the crow flies.
    assert 3_800 < great_circle_km(NEW_YORK, SEATTLE) < 3_900
    assert great_circle_km(SEATTLE, SEATTLE) == 0.0


def test_a_destination_is_located_by_coordinates_then_postal_code_then_city() -> None:
    assert locate(ShipTo("Seattle", "10013", PORTLAND), SITES) == Destination(
        LocatedBy.COORDINATES, PORTLAND
    )
    assert locate(ShipTo("Seattle", "10013"), SITES) == Destination(
        LocatedBy.POSTAL_CODE, NEW_YORK, "nyc"
    )
    assert locate(ShipTo(" seattle ", "99999"), SITES) == Destination(
        LocatedBy.CITY, SEATTLE, "sea"
    )
    assert locate(ShipTo("Boston", "02101"), SITES) is UNKNOWN


def test_dc_first_then_stores_by_distance() -> None:
    near_portland = Destination(LocatedBy.COORDINATES, PORTLAND)
    assert rank("dc_then_nearest_store", near_portland) == ["dc", "sea", "nyc"]
    assert rank("nearest", near_portland) == ["sea", "dc", "nyc"]
    assert rank("channel_rank", near_portland) == ["dc", "nyc", "sea"]


def test_without_a_destination_the_channel_rank_decides() -> None:
    for rule in ("dc_then_nearest_store", "nearest", "channel_rank"):
        assert rank(rule, UNKNOWN) == ["dc", "nyc", "sea"]


def test_a_matched_location_without_coordinates_counts_as_nearest() -> None:
    matched = locate(ShipTo("Atlantis"), [DC, NYC, NOWHERE])
    assert matched == Destination(LocatedBy.CITY, None, "popup")
    ranked = RULES["nearest"](LAMP, [DC, NYC, NOWHERE], matched, {})[0]
    assert ranked == ["popup", "dc", "nyc"]


def test_locations_known_to_lack_the_units_are_tried_last_not_dropped() -> None:
    near_portland = Destination(LocatedBy.COORDINATES, PORTLAND)
    availability = {"SKU-LAMP": {"dc": 0, "nyc": 4}}  # Seattle has no stock row at all
    assert rank("dc_then_nearest_store", near_portland, availability=availability) == [
        "nyc",
        "dc",
        "sea",
    ]


def test_each_line_gets_its_own_ranking() -> None:
    lines = [Line("SKU-LAMP", 1), Line("SKU-MUG", 3)]
    availability = {"SKU-MUG": {"dc": 2, "nyc": 5, "sea": 5}}
    ranked = RULES["dc_then_nearest_store"](
        lines, SITES, Destination(LocatedBy.COORDINATES, SEATTLE), availability
    )
    assert ranked == [["dc", "sea", "nyc"], ["sea", "nyc", "dc"]]


def test_a_rule_can_be_registered_in_code() -> None:
    def seattle_only(
        lines: Sequence[Line],
        sites: Sequence[Site],
        destination: Destination,
        availability: Availability,
    ) -> list[list[str]]:
        return [["sea"] for _ in lines]

    register("seattle_only", seattle_only)
    try:
        assert rule_named("seattle_only") is seattle_only
        assert rank("seattle_only", UNKNOWN) == ["sea"]
    finally:
        del RULES["seattle_only"]


def test_an_unknown_rule_name_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="channel_rank, dc_then_nearest_store, nearest"):
        rule_named("cheapest")
