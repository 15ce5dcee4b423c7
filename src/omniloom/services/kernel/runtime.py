"""The services' shared machinery: database, clock, ids and the store's fixed layout."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection

from omniloom.config import Settings
from omniloom.domain.carts import ReservationPolicy
from omniloom.domain.channels import SELLING_CHANNELS
from omniloom.domain.clock import Clock, WallSource
from omniloom.domain.ownership import OwnershipProofs
from omniloom.domain.routing import RoutingRule, Site, point_at, rule_named
from omniloom.services.carts.seen import CartsSeen
from omniloom.services.catalog.cache import CatalogCache
from omniloom.services.catalog.pages import ProductPages
from omniloom.services.inventory.levels import StockLevels
from omniloom.services.kernel import access_key
from omniloom.services.kernel.clocks import SharedClock, SystemClock, wall_seconds
from omniloom.services.kernel.context import NO_CONTEXT, TouchContext
from omniloom.services.kernel.ids import IdFactory
from omniloom.services.kernel.unit import Unit
from omniloom.store import catalog_queries, changes, clock_queries, settings_queries
from omniloom.store.database import Database, SQLiteDatabase

T = TypeVar("T")

ID_SEQUENCE_KEY = "id_sequence"
# Seeded ids are handed out in blocks: the stored value is the end of the block in use, so a
# restarted server continues after it and never repeats an id, at one write per block.
ID_BLOCK = 1_000


@dataclass(frozen=True, slots=True)
class LocationInfo:
    id: str
    kind: str
    name: str
    city: str
    timezone: str
    pickup_enabled: bool
    tax_rate_bps: int
    # The street address as stored (receipts print it).
    address: dict[str, Any] = field(default_factory=dict)
    # Where it is, for fulfilment routing (omniloom.domain.routing); unknown when not given.
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True, slots=True)
class StoreLayout:
    """Locations and the order each channel sells from them: read once, used on every order."""

    locations: dict[str, LocationInfo]
    selling_order: dict[str, list[str]]
    # Each location as fulfilment routing sees it, built once rather than on every checkout.
    sites: dict[str, Site] = field(default_factory=dict)

    def locations_for(self, channel: str) -> list[str]:
        # Admin and unknown channels sell the way the web shop does.
        return self.selling_order.get(channel) or self.selling_order.get("web", [])


class Runtime:
    def __init__(
        self, db: Database, clock: Clock, settings: Settings, *, wall: WallSource = wall_seconds
    ) -> None:
        self.db = db
        self.clock = clock
        self._wall = wall
        self.settings = settings
        self.reservation_policy = ReservationPolicy(settings.reservation_policy)
        # Resolved once, so a misspelt OMNILOOM_ROUTING_RULE stops the start, not a checkout.
        self.routing_rule: RoutingRule = rule_named(settings.routing_rule)
        # Several processes share one PostgreSQL; a per-process sequence would collide there.
        seeded = settings.id_seed if isinstance(db, SQLiteDatabase) else None
        ids_key = access_key.ids_key(settings.secret_key) if settings.secret_key else None
        self.ids = IdFactory(seeded, key=ids_key)
        self._persisted_sequence = 0
        self._layout: StoreLayout | None = None
        self._proofs: OwnershipProofs | None = None
        self.catalog = CatalogCache()
        self.catalog.caching_promotions = db.on_change(self.catalog.forget)
        self.stock_levels = StockLevels()
        self.stock_levels.caching = db.on_change(self.stock_levels.forget)
        self.product_pages = ProductPages()
        self.product_pages.caching = db.on_change(self.product_pages.forget)
        self.carts_seen = CartsSeen(enabled=not isinstance(db, SQLiteDatabase))
        db.on_change(self._clock_heard)

    @classmethod
    def from_settings(
        cls, db: Database, settings: Settings, wall: WallSource = wall_seconds
    ) -> Runtime:
        """`wall` is where wall time comes from (tests give a fake one they move by hand)."""
        return cls(db, _starting_clock(settings, db, wall), settings, wall=wall)

    async def start(self) -> None:
        sequence = await self.db.read(lambda conn: settings_queries.get(conn, ID_SEQUENCE_KEY))
        self.ids.sequence = max(self.ids.sequence, int(sequence or 0))
        self._persisted_sequence = self.ids.sequence
        await self._load_store()

    async def _load_store(self) -> None:
        self._layout = await self.db.read(_load_layout)
        if isinstance(self.clock, SharedClock):
            # A restarted process continues from the time the store had, not from its start.
            await self.db.read(self.clock.load)
        self._proofs = OwnershipProofs(await self._access_key())

    async def _access_key(self) -> bytes:
        if self.settings.secret_key:
            return access_key.from_secret(self.settings.secret_key)
        if self.ids.seed is not None:
            return access_key.from_seed(self.ids.seed)
        return await access_key.stored_key(self.db)

    @property
    def proofs(self) -> OwnershipProofs:
        """Cart and order tokens: made and checked under the store's access key."""
        if self._proofs is None:
            raise RuntimeError("Runtime.start() has not run")
        return self._proofs

    def wall_time(self) -> datetime:
        """The wall clock's time (when a snapshot was taken, say), from the runtime's wall
        source, so tests that move a fake wall see it move."""
        return datetime.fromtimestamp(self._wall(), UTC)

    def fresh_clock(self, at: datetime | None = None, factor: float = 0.0) -> Clock:
        """The clock a store loaded anew starts on: at ``at`` (the configured start when not
        given), running ``factor`` simulated seconds per wall second from now (0: frozen). On
        the system clock, that clock: wall time cannot be turned back."""
        if not isinstance(self.clock, SharedClock):
            return self.clock
        # Every process of the store goes on from the same state, kept in the database; its
        # revision counts on from the one it replaces, so every process takes it as newer.
        start = at or self.settings.clock_start
        clock = SharedClock(
            start, wall=self._wall, shared=self.clock.shared, revision=self.clock.state.revision
        )
        clock.run_at(factor)
        return clock

    async def restart(self, clock: Clock, sequence: int = 0) -> None:
        """Start again on a store loaded anew underneath (a reset, a restored snapshot): on
        ``clock`` (see fresh_clock; its state already stored with the new contents), ids going on
        from ``sequence``, nothing cached from before.

        The stored id block is not consulted, unlike at a start: it belongs to the contents
        loaded, and the sequence to go on from is the one they were taken at."""
        self.ids.sequence = sequence
        self._persisted_sequence = sequence
        self.clock = clock
        self.catalog.forget_all()
        self.stock_levels.forget_all()
        self.product_pages.forget_all()
        self.carts_seen.forget_all()
        await self._load_store()

    @property
    def layout(self) -> StoreLayout:
        if self._layout is None:
            raise RuntimeError("Runtime.start() has not run")
        return self._layout

    async def write(
        self, work: Callable[[Unit], T], channel: str, context: TouchContext = NO_CONTEXT
    ) -> T:
        moved: list[str] = []
        committed: list[Callable[[], None]] = []

        def unit_of_work(conn: Connection) -> T:
            if isinstance(self.clock, SharedClock):
                self.clock.sync(conn)  # reads the row only if notices may have been missed
                clock_queries.saved(conn)  # not what an earlier unit that failed on it left
            unit = Unit(conn, self.clock.now(), self.ids, channel, context)
            result = work(unit)
            unit.flush_events()
            self._persist_sequence(conn)
            saved = clock_queries.saved(conn)
            moved[:] = [saved] if saved else []  # the last run's, if the unit ran again
            committed[:] = unit.committed
            return result

        result = await self.db.write(unit_of_work)
        for remember in committed:
            remember()
        for clock_state in moved:
            # The unit moved the shared clock: answer once every process tells the new time,
            # so a request anywhere after this one sees it (services/kernel/clocks.py).
            await self.db.heard_everywhere(clock_state)
        return result

    async def read(self, work: Callable[[Connection], T]) -> T:
        clock = self.clock
        if not (isinstance(clock, SharedClock) and clock.stale):
            return await self.db.read(work)

        def synced(conn: Connection) -> T:
            clock.sync(conn)
            return work(conn)

        return await self.db.read(synced)

    def _clock_heard(self, touched: changes.Touched) -> None:
        # Registered once; the clock itself is replaced by a reset.
        if isinstance(self.clock, SharedClock):
            self.clock.heard(touched)

    def _persist_sequence(self, conn: Connection) -> None:
        # Runs after the unit's work: a block is claimed once the ids handed out passed the last.
        if self.ids.seed is not None and self.ids.sequence >= self._persisted_sequence:
            block_end = (self.ids.sequence // ID_BLOCK + 1) * ID_BLOCK
            settings_queries.put(conn, ID_SEQUENCE_KEY, block_end)
            self._persisted_sequence = block_end

    async def api_keys(self) -> list[dict[str, Any]]:
        return await self.db.read(settings_queries.all_api_keys)


def _starting_clock(settings: Settings, db: Database, wall: WallSource) -> Clock:
    if settings.clock_mode == "system":
        return SystemClock()
    return SharedClock(settings.clock_start, wall=wall, shared=not isinstance(db, SQLiteDatabase))


def _load_layout(conn: Connection) -> StoreLayout:
    locations = {
        row["id"]: LocationInfo(
            id=row["id"],
            kind=row["kind"],
            name=row["name"],
            city=row["city"],
            timezone=row["timezone"],
            pickup_enabled=bool(row["pickup_enabled"]),
            tax_rate_bps=row["tax_rate_bps"],
            address=dict(row["address"] or {}),
            latitude=row["latitude"],
            longitude=row["longitude"],
        )
        for row in catalog_queries.all_locations(conn)
    }
    selling_order = {
        channel.value: catalog_queries.channel_location_ids(conn, channel.value)
        for channel in SELLING_CHANNELS
    }
    return StoreLayout(
        locations=locations,
        selling_order=selling_order,
        sites={location.id: _site(location) for location in locations.values()},
    )


def _site(location: LocationInfo) -> Site:
    point = point_at(location.latitude, location.longitude)
    postal_code = location.address.get("postal_code")
    return Site(location.id, location.kind, location.city, postal_code, point)
