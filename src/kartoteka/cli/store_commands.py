"""The store as every command opens it, and `kartoteka init`.

Every command that reads a store names it first, on stderr (stdout stays clean for pipes and JSON): a user
who mistyped the path or forgot --database sees at once which store they were told about. Only `import` and
`init` make a store; every other command refuses a store that is not there, instead of creating an empty
one and reporting "0 records".
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer


@contextmanager
def opened_store(create: bool = False) -> Iterator[Any]:
    """The configured store, named on stderr; its faults (full disk, busy) raised as KartotekaErrors."""
    from kartoteka.cli import State
    from kartoteka.store import open_store
    from kartoteka.store.database import store_label
    from kartoteka.store.faults import store_faults

    url = State.settings.database_url
    print(f"store: {store_label(url)}", file=sys.stderr, flush=True)
    with store_faults(store_label(url)):
        store = open_store(url, create=create)
        try:
            yield store
        finally:
            store.close()


def store_name() -> str:
    """The configured store as `opened_store` names it (for the "store" key of --json outputs)."""
    from kartoteka.cli import State
    from kartoteka.store.database import store_label

    return store_label(State.settings.database_url)


def init_command(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
) -> None:
    """Create an empty store (a SQLite file, or the tables in an empty PostgreSQL database), with the bundled
    gazetteer loaded; an existing store is left as it is (upgraded to this version's schema if older)."""
    import json

    from kartoteka.gazetteer.loading import ensure_loaded

    with opened_store(create=True) as store:
        ensure_loaded(store)
        backend = store.backend
    if as_json:
        typer.echo(json.dumps({"store": store_name(), "backend": backend, "ready": True}))
        return
    typer.echo(f"store ready: {store_name()} ({backend})")


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the main app."""
    app.command("init")(init_command)
