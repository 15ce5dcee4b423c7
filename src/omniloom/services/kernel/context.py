"""Where an interaction came from: the device and the campaign, as the client reported them."""

from __future__ import annotations

from datetime import timedelta

import msgspec

# A visit ends after this long without a request from the device, on the simulated clock.
SESSION_IDLE = timedelta(minutes=30)

CAMPAIGN_FIELDS = ("source", "medium", "campaign", "term", "content", "click_id")


class TouchContext(msgspec.Struct, frozen=True):
    device_id: str | None = None
    # utm source / medium / campaign / term / content and the ad click id, when sent.
    campaign: dict[str, str] | None = None

    @property
    def attributable(self) -> bool:
        """Whether an interaction can ever be placed on somebody's journey."""
        return self.device_id is not None


NO_CONTEXT = TouchContext()
