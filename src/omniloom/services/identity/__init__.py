"""Identity: customers, sign-in, identifiers, devices, consents and wishlists."""
