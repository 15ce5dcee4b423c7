"""Operating the store: the simulated clock and the invariants check."""
