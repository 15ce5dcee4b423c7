"""The single customer view: what every capability knows about one customer, in one answer."""
