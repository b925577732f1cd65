"""Alembic environment: always driven programmatically with a connection in cfg.attributes."""

from __future__ import annotations

from alembic import context

from integration.service.adapters.orm import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through integration.service.adapters.db.migrate()")

context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
