"""Catalog: browsing, product pages, the in-memory catalog, promotions."""
