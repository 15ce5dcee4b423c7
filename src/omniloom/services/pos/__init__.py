"""The in-store channel: registers, shifts, sales, tenders, receipts, offline batches."""
