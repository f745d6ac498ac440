"""Persistence: SQLModel tables, engine/session set-up, repositories and Alembic migrations."""
