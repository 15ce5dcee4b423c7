"""The store network: one distribution centre and six stores across five US time zones, and the
order each channel sells from them.

The network is fixed rather than generated: scenario files and API examples name these
locations, so they must not move when the seed or the catalog size changes. Tax rates are the
combined state and local sales tax rates in basis points (8.875% is 887, rounded down).
"""

from __future__ import annotations

from dataclasses import dataclass

from omniloom.domain.channels import SELLING_CHANNELS, Channel
from omniloom.seed.model import Address, ChannelLocation, Location


@dataclass(frozen=True, slots=True)
class Site:
    location: Location
    # Share of the catalog's products the location carries (the DC carries everything).
    assortment: float


def _store(
    key: str,
    name: str,
    address: Address,
    timezone: str,
    tax_rate_bps: int,
    lat_lon: tuple[float, float],
    assortment: float,
) -> Site:
    location = Location(
        id=f"loc_store_{key}",
        kind="store",
        name=name,
        address=address,
        city=address.city,
        timezone=timezone,
        pickup_enabled=True,
        tax_rate_bps=tax_rate_bps,
        latitude=lat_lon[0],
        longitude=lat_lon[1],
        # A sale at the till has already happened: when an offline register reports more than
        # the books say was there, the store takes it and flags it. The DC keeps the default.
        negative_stock_allowed=True,
    )
    return Site(location, assortment)


DISTRIBUTION_CENTRE = Site(
    Location(
        id="loc_dc_columbus",
        kind="dc",
        name="Columbus Distribution Center",
        address=Address(
            line1="4200 Logistics Parkway", city="Columbus", region="OH", postal_code="43217"
        ),
        city="Columbus",
        timezone="America/New_York",
        pickup_enabled=False,
        tax_rate_bps=800,
        latitude=39.8139,
        longitude=-82.9276,
    ),
    assortment=1.0,
)

# Bigger flagship stores carry more of the range than the smaller ones.
STORES: tuple[Site, ...] = (
    _store(
        "nyc",
        "New York SoHo",
        Address(line1="425 Broadway", city="New York", region="NY", postal_code="10013"),
        "America/New_York",
        887,
        (40.7196, -74.0017),
        0.45,
    ),
    _store(
        "chicago",
        "Chicago Magnificent Mile",
        Address(line1="845 N Michigan Ave", city="Chicago", region="IL", postal_code="60611"),
        "America/Chicago",
        1025,
        (41.8986, -87.6240),
        0.40,
    ),
    _store(
        "denver",
        "Denver Larimer Square",
        Address(line1="1430 Larimer St", city="Denver", region="CO", postal_code="80202"),
        "America/Denver",
        881,
        (39.7479, -104.9994),
        0.30,
    ),
    _store(
        "phoenix",
        "Phoenix Biltmore",
        Address(line1="2502 E Camelback Rd", city="Phoenix", region="AZ", postal_code="85016"),
        "America/Phoenix",
        860,
        (33.5097, -112.0271),
        0.25,
    ),
    _store(
        "los_angeles",
        "Los Angeles Fairfax",
        Address(line1="189 The Grove Dr", city="Los Angeles", region="CA", postal_code="90036"),
        "America/Los_Angeles",
        975,
        (34.0722, -118.3576),
        0.40,
    ),
    _store(
        "seattle",
        "Seattle Pine Street",
        Address(line1="400 Pine St", city="Seattle", region="WA", postal_code="98101"),
        "America/Los_Angeles",
        1035,
        (47.6116, -122.3378),
        0.30,
    ),
)

SITES: tuple[Site, ...] = (DISTRIBUTION_CENTRE, *STORES)


def build_locations() -> list[Location]:
    return [site.location for site in SITES]


def build_channel_locations() -> list[ChannelLocation]:
    """Remote channels ship from the DC first and fall back to stores; POS sells from stores.

    The fallback order is the order of STORES, the same for every remote channel.
    """
    rows: list[ChannelLocation] = []
    for channel in SELLING_CHANNELS:
        sources = STORES if channel is Channel.POS else SITES
        rows.extend(
            ChannelLocation(channel=str(channel), location_id=site.location.id, rank=rank)
            for rank, site in enumerate(sources)
        )
    return rows
