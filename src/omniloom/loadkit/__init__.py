"""The load-test kit's own logic, free of locust: shapes, the journey mix, shoppers partitioned
per user, the sans-IO journeys locust users drive, and the verdict after a load.

locust itself (which patches the standard library with gevent on import) is only imported by
``loadtests/locustfile.py``; everything here is plain Python, tested without it.
"""
