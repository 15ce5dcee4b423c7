"""Product reviews from every channel, proved by a purchase."""
