"""Pure domain rules of the case service (no I/O, no SQLAlchemy)."""
