"""Reading back what happened: the event log, touchpoints and analytics."""
