"""Inventory: stock holds, levels, manual moves and reconciliation conflicts."""
