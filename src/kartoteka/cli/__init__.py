"""The command line: a thin layer over the services. Library code raises; only `main` prints errors.

Each capability has its own module here with a ``register(app)`` function that adds its commands.
"""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path
from typing import Annotated

import typer
from typer.exceptions import TyperException

from kartoteka.core import processes
from kartoteka.core.errors import KartotekaError
from kartoteka.core.processes import Terminated
from kartoteka.core.settings import Settings, load_settings

app = typer.Typer(
    name="kartoteka",
    help="Records of the Japanese internees in the Soviet Union and Mongolia: import, names, link, search.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


class State:
    """Options shared by every command (set by the callback)."""

    settings: Settings = Settings()
    json_errors: bool = False


@app.callback()
def _common(
    database: Annotated[
        str | None, typer.Option("--database", "-d", help="SQLite path or postgresql:// URL [env KARTOTEKA_DATABASE]")
    ] = None,
    config: Annotated[Path | None, typer.Option("--config", help="A kartoteka.toml settings file")] = None,
    quiet: Annotated[bool | None, typer.Option("--quiet", "-q", help="No progress bars")] = None,
) -> None:
    State.settings = load_settings(config, database=database, quiet=quiet)


def _register_all() -> None:
    from kartoteka.cli import (
        backup_commands,
        catalog_commands,
        gazetteer_commands,
        ingest_commands,
        linkage_commands,
        names_commands,
        quarantine_commands,
        search_commands,
        serve_commands,
        simulate_commands,
        store_commands,
    )

    for module in (store_commands, ingest_commands, quarantine_commands, names_commands, simulate_commands,
                   linkage_commands, search_commands, catalog_commands, gazetteer_commands, serve_commands,
                   backup_commands):
        module.register(app)


_register_all()


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app, print a KartotekaError once as a clean message, exit non-zero.

    Ctrl-C and SIGTERM unwind the command (its transaction is rolled back, its workers and staging files are
    stopped and removed), then say so and exit 130 or 143, as shells expect of a stopped command."""
    processes.stop_on_signals()
    try:
        code = app(args=argv, standalone_mode=False)
        if processes.stopped_by is not None:  # typer turned the interrupt into a plain return of 130
            _stopped(Terminated() if processes.stopped_by == signal.SIGTERM else KeyboardInterrupt())
        if isinstance(code, int) and code:
            sys.exit(code)
    except (KeyboardInterrupt, typer.Abort) as exc:  # click turns Ctrl-C (and Terminated, SIGTERM) into Abort
        _stopped(exc)
    except KartotekaError as exc:
        if "--json" in (argv if argv is not None else sys.argv):
            print(json.dumps(exc.to_dict(), ensure_ascii=False), file=sys.stderr)
        else:
            print(f"error [{exc.code}]: {exc}", file=sys.stderr)
        sys.exit(2 if exc.code.startswith("usage") else 1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except TyperException as exc:  # usage errors (unknown option, missing argument): click's message and hint
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            print(f"error: {exc.format_message()}", file=sys.stderr)
        sys.exit(exc.exit_code)


def _stopped(exc: BaseException) -> None:
    """Say that the command stopped and that the store is as before; exit 130 (Ctrl-C) or 143 (SIGTERM)."""
    terminated = isinstance(exc, Terminated) or isinstance(exc.__cause__ or exc.__context__, Terminated)
    print(f"stopped ({'SIGTERM' if terminated else 'Ctrl-C'}): the unfinished work was rolled back and the store is "
          "as it was before it (an import of several files keeps those it had finished: `kartoteka status` "
          "lists them)", file=sys.stderr)
    sys.exit(143 if terminated else 130)
