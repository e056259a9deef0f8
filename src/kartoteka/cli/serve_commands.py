"""`kartoteka serve`: the portal and the API of the configured store, on uvicorn.

One Store per process: with ``--workers N`` uvicorn starts N processes, each building its app through
``kartoteka.web.app:app_from_environment`` from KARTOTEKA_DATABASE, which this command sets to the store it was
given. Ctrl-C (or SIGTERM) stops the server cleanly: uvicorn finishes the requests in flight and exits.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from typing import Annotated

import typer

from kartoteka.cli.store_commands import opened_store, store_name

FACTORY = "kartoteka.web.app:app_from_environment"


def serve_command(
    host: Annotated[str, typer.Option("--host", help="Address to listen on (0.0.0.0 for every interface)")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port to listen on")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help="Server processes")] = 1,
) -> None:
    """Serve the portal (search, person pages, memorial list) and the JSON API (/api/v1) of the store."""
    import uvicorn

    from kartoteka.cli import State

    with opened_store() as store:  # refuses a store that is not there, before anything listens
        simulated = store.is_simulated()
    os.environ["KARTOTEKA_DATABASE"] = State.settings.database_url
    shown_host = f"[{host}]" if ":" in host else host
    print(f"serving {store_name()}{' (SIMULATED)' if simulated else ''} at http://{shown_host}:{port}/ "
          f"(API: http://{shown_host}:{port}/api/v1/openapi.json); Ctrl-C stops", file=sys.stderr, flush=True)
    # uvicorn handles Ctrl-C and SIGTERM itself (a graceful shutdown), then re-raises them: give it the defaults
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.run(FACTORY, factory=True, host=host, port=port, workers=workers, log_level="warning",
                    access_log=False, server_header=False)
    print("stopped", file=sys.stderr)


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the main app."""
    app.command("serve")(serve_command)
