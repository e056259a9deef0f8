"""`kartoteka serve`: the portal and the API of the configured store, on uvicorn.

One Store per process: with ``--workers N`` uvicorn starts N processes, each building its app through
``kartoteka.web.app:app_from_environment`` from KARTOTEKA_DATABASE, which this command sets to the store it was
given, with every other setting (the workers read theirs from the environment, as the command resolved them).

On PostgreSQL each worker keeps a pool of at most pool_size + pool_overflow connections (kartoteka.store.database.
ConnectionPool): the server's budget is workers x that, and the command refuses to start when the budget is more
than the PostgreSQL server allows.

Behind a reverse proxy, uvicorn takes the client's address and scheme from X-Forwarded-For and X-Forwarded-Proto,
but only from the addresses in --forwarded-allow-ips (by default 127.0.0.1 and ::1, a proxy on the same machine):
the rate limits and the audit log then see the reader's address, and HSTS and Secure cookies the https scheme.

With several workers, uvicorn's supervisor pings each worker and replaces one that does not answer within
--timeout-worker-healthcheck seconds; a worker it starts again (after one died, or on SIGHUP) must also have
finished its start-up (the store opened, the caches warmed) within that time, or it is killed. uvicorn's own 5 s
is shorter than a worker's start-up on a large store under load, so the default here is 60 s.

Ctrl-C (or SIGTERM) stops the server cleanly: uvicorn finishes the requests in flight and exits.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from typing import Annotated, Any

import typer

from kartoteka.cli.store_commands import opened_store, store_name
from kartoteka.core.errors import KartotekaError
from kartoteka.core.settings import ENV_PREFIX, SETTINGS_TABLE

FACTORY = "kartoteka.web.app:app_from_environment"
WORKER_HEALTHCHECK_SECONDS = 60  # uvicorn's default of 5 s killed workers still warming up at full scale


def serve_command(
    host: Annotated[str, typer.Option("--host", help="Address to listen on (0.0.0.0 for every interface)")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port to listen on")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help="Server processes")] = 1,
    forwarded_allow_ips: Annotated[str | None, typer.Option(
        "--forwarded-allow-ips",
        help="The reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed: addresses or networks, "
             "comma separated [default: FORWARDED_ALLOW_IPS, else 127.0.0.1,::1]")] = None,
    proxy_headers: Annotated[bool, typer.Option(
        "--proxy-headers/--no-proxy-headers",
        help="Take the client's address and scheme from those headers of a trusted proxy")] = True,
    timeout_worker_healthcheck: Annotated[int, typer.Option(
        "--timeout-worker-healthcheck", min=1,
        help="With --workers above 1: seconds a worker may take to answer the supervisor's health check, and a "
             "restarted worker to finish its start-up (the store opened, the caches warmed), before it is "
             "killed")] = WORKER_HEALTHCHECK_SECONDS,
) -> None:
    """Serve the portal (search, person pages, memorial list) and the JSON API (/api/v1) of the store."""
    import uvicorn

    from kartoteka.cli import State

    settings = State.settings
    with opened_store() as store:  # refuses a store that is not there, before anything listens
        simulated = store.is_simulated()
        budget = _connection_budget(store, workers)
    for spec in SETTINGS_TABLE:  # the workers resolve their settings from the environment: give them ours
        os.environ[ENV_PREFIX + spec.name.upper()] = str(getattr(settings, spec.name))
    os.environ["KARTOTEKA_DATABASE"] = settings.database_url
    shown_host = f"[{host}]" if ":" in host else host
    print(f"serving {store_name()}{' (SIMULATED)' if simulated else ''} at http://{shown_host}:{port}/ "
          f"(API: http://{shown_host}:{port}/api/v1/openapi.json){budget}; Ctrl-C stops", file=sys.stderr,
          flush=True)
    # uvicorn handles Ctrl-C and SIGTERM itself (a graceful shutdown), then re-raises them: give it the defaults
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.run(FACTORY, factory=True, host=host, port=port, workers=workers, log_level="warning",
                    access_log=False, server_header=False, proxy_headers=proxy_headers,
                    forwarded_allow_ips=forwarded_allow_ips, timeout_worker_healthcheck=timeout_worker_healthcheck)
    print("stopped", file=sys.stderr)


def _connection_budget(store: Any, workers: int) -> str:
    """The PostgreSQL connections the server may hold, for the "serving" line; refused when more than the
    database server allows (the last requests of a busy hour would fail)."""
    from kartoteka.cli import State
    from kartoteka.store import ConnectionPool, connection_limit

    settings = State.settings
    pool = ConnectionPool(settings.pool_size, settings.pool_overflow, settings.pool_timeout)
    allowed = connection_limit(store)
    if allowed is None:
        return ""
    budget = workers * pool.most
    if budget > allowed:
        raise KartotekaError(
            "usage.pool", f"{workers} workers x {pool.most} connections each (pool_size {pool.size} + "
                          f"pool_overflow {pool.overflow}) = {budget}, more than the {allowed} the PostgreSQL "
                          "server allows", hint="lower --workers, KARTOTEKA_POOL_SIZE or KARTOTEKA_POOL_OVERFLOW, "
                                                "or raise max_connections in postgresql.conf")
    return f"; at most {budget} PostgreSQL connections ({workers} x {pool.most}; the server allows {allowed})"


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the main app."""
    app.command("serve")(serve_command)
