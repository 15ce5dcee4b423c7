"""What a shopper sends to review a product."""

from __future__ import annotations

from typing import Annotated

import msgspec

from omniloom.domain import reviews as rules

Rating = Annotated[int, msgspec.Meta(ge=rules.MIN_RATING, le=rules.MAX_RATING)]
Title = Annotated[str, msgspec.Meta(max_length=rules.MAX_TITLE)]
Text = Annotated[str, msgspec.Meta(max_length=rules.MAX_TEXT)]
Ref = Annotated[str, msgspec.Meta(min_length=1, max_length=80)]


class WriteReview(msgspec.Struct, forbid_unknown_fields=True):
    rating: Rating
    title: Title | None = None
    text: Text | None = None
    # Only with an admin key (writing for a shopper); a shopper's token names the reviewer.
    customer_id: Ref | None = None
