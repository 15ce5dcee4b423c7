"""The services' shared machinery: runtime, unit of work, idempotency, request context, views."""
