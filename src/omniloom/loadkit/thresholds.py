"""What a run must stay within to pass: error rate and latency percentiles from intended start."""

from __future__ import annotations

from typing import Annotated

import msgspec

Millis = Annotated[float, msgspec.Meta(gt=0)]


class Thresholds(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    # Failed requests (transport errors, unexpected statuses, failed expectations) / all requests.
    error_rate: Annotated[float, msgspec.Meta(ge=0, le=1)] | None = None
    p50_ms: Millis | None = None
    p95_ms: Millis | None = None
    p99_ms: Millis | None = None

    def overridden_by(self, other: Thresholds | None) -> Thresholds:
        if other is None:
            return self
        mine, theirs = msgspec.structs.asdict(self), msgspec.structs.asdict(other)
        return Thresholds(**{k: v if theirs[k] is None else theirs[k] for k, v in mine.items()})
