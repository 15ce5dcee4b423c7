"""The kit's files checked together before a load starts: every journey the mix names exists,
every scenario file loads, every stage weights journeys of the mix."""

from __future__ import annotations

from pathlib import Path

from omniloom.loadkit.files import KitFileError
from omniloom.loadkit.journeys import JOURNEYS
from omniloom.loadkit.mix import Mix
from omniloom.loadkit.scenario_journeys import scenario_at
from omniloom.loadkit.shapes import Shape
from omniloom.scenarios.loader import ScenarioError


def check(mix: Mix, shape: Shape) -> None:
    """Raise KitFileError naming what does not fit."""
    for spec in mix.journeys:
        if spec.journey is not None and spec.journey not in JOURNEYS:
            raise KitFileError(
                f"mix journey {spec.name!r}: no journey {spec.journey!r}; the kit has "
                f"{sorted(JOURNEYS)}"
            )
        if spec.scenario is not None:
            try:
                scenario_at(Path(mix.home) / spec.scenario)
            except (OSError, ScenarioError) as error:
                raise KitFileError(f"mix journey {spec.name!r}: {error}") from None
    for number, stage in enumerate(shape.stages):
        if stage.weights is not None:
            try:
                mix.check_stage_weights(stage.weights)
            except ValueError as error:
                raise KitFileError(f"shape {shape.name!r}, stages[{number}]: {error}") from None
    if shape.flash_sale is None and any(
        spec.journey in ("flash_sale", "flash_sale_at_till") and spec.weight > 0
        for spec in mix.journeys
    ):
        raise KitFileError("the mix runs flash-sale journeys, but the shape has no flash_sale")
