"""Orders: reads, the moves an order makes after it is paid, and fulfilment routing."""
