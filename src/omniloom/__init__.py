"""omniloom: an omnichannel retail commerce backend simulator."""

__version__ = "0.1.0"
