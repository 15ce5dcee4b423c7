"""The demo store: catalog, locations, stock and customers, generated deterministically.

``generate`` builds a data set from a seed, ``files`` writes and reads it as CSV/JSON, ``load``
inserts it into a database, and ``cli`` is the ``omniloom seed`` command. Nothing is imported
here so that ``omniloom`` commands which never seed do not pay for Faker.
"""
