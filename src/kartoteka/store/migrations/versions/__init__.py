"""Alembic revision files (0001 foundation, 01xx linkage)."""
