"""Journeys, KPIs and attribution — pure functions over touchpoints and aggregated paths.

Typical use::

    touchpoints = touchpoints_from_events(events)
    journeys = build_journeys(touchpoints, lookback=timedelta(days=30))
    rows = journey_paths(journeys)                      # or read_path_file("paths.csv")
    results = [model(rows) for model in path_models()]  # + TimeDecay()(journeys), WShaped()(…)
    html = render_report(results, path_kpis(rows), journeys=journey_kpis(journeys))
"""

from omniloom.analytics.events import touchpoints_from_events
from omniloom.analytics.journeys import (
    Journey,
    Session,
    Touchpoint,
    build_journeys,
    build_sessions,
    journey_paths,
)
from omniloom.analytics.kpis import JourneyKpis, PathKpis, journey_kpis, path_kpis
from omniloom.analytics.models import (
    Attribution,
    FirstTouch,
    LastNonDirect,
    LastTouch,
    Linear,
    Markov,
    PositionBased,
    Shapley,
    TimeDecay,
    WShaped,
    path_models,
)
from omniloom.analytics.pathfile import PathFileError, read_path_file, write_path_file
from omniloom.analytics.paths import PathRow
from omniloom.analytics.report import render_report

__all__ = [
    "Attribution",
    "FirstTouch",
    "Journey",
    "JourneyKpis",
    "LastNonDirect",
    "LastTouch",
    "Linear",
    "Markov",
    "PathFileError",
    "PathKpis",
    "PathRow",
    "PositionBased",
    "Session",
    "Shapley",
    "TimeDecay",
    "Touchpoint",
    "WShaped",
    "build_journeys",
    "build_sessions",
    "journey_kpis",
    "journey_paths",
    "path_kpis",
    "path_models",
    "read_path_file",
    "render_report",
    "touchpoints_from_events",
    "write_path_file",
]
