"""Returns with and without a receipt, exchanges, and refunds to gift cards."""
