"""HTTP API (Sanic)."""
