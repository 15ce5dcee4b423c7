"""Messaging as a channel: consent per channel, the outbox and its simulators, tracked links."""
