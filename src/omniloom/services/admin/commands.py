"""Request bodies for operating the store: moving the simulated clock."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from omniloom.domain.clock import MAX_FACTOR


class AdvanceClock(msgspec.Struct, forbid_unknown_fields=True):
    seconds: Annotated[int, msgspec.Meta(ge=0, le=10 * 365 * 86_400)] = 0
    minutes: Annotated[int, msgspec.Meta(ge=0, le=10 * 365 * 1_440)] = 0
    hours: Annotated[int, msgspec.Meta(ge=0, le=10 * 365 * 24)] = 0
    days: Annotated[int, msgspec.Meta(ge=0, le=10 * 365)] = 0


class SetClock(msgspec.Struct, forbid_unknown_fields=True):
    at: datetime


class ClockRate(msgspec.Struct, forbid_unknown_fields=True):
    # Simulated seconds per wall second: 600 makes a wall second ten simulated minutes; 0 stops.
    factor: Annotated[float, msgspec.Meta(ge=0, le=MAX_FACTOR)]
