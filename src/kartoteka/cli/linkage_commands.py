"""CLI commands of kartoteka.linkage: thin wrappers over the service (filled in as the capability lands)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the main app."""
