"""The seeded random mix across every channel: model, operations per channel, checks."""
