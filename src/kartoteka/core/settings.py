"""Typed settings. Later sources override earlier: defaults, a TOML file, KARTOTEKA_* environment, flags."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from kartoteka.core.errors import KartotekaError

ENV_PREFIX = "KARTOTEKA_"
DEFAULT_CONFIG_FILE = Path("kartoteka.toml")


@dataclass(frozen=True)
class SettingSpec:
    """One row of the settings table: name, type, default and help."""

    name: str
    type: type
    default: Any
    help: str


SETTINGS_TABLE: tuple[SettingSpec, ...] = (
    SettingSpec("database", str, "kartoteka.sqlite",
                "Path of the SQLite file, or a postgresql:// URL. Env: KARTOTEKA_DATABASE."),
    SettingSpec("batch_size", int, 5000, "Rows written per database batch during import."),
    SettingSpec("quiet", bool, False, "No progress bars."),
    SettingSpec("search_rate_limit", int, 120,
                "Searches a minute per client address and server process (0: no limit)."),
    SettingSpec("login_rate_limit", int, 10,
                "Sign-in attempts a minute per client address and server process (0: no limit)."),
    SettingSpec("pool_size", int, 10,
                "PostgreSQL connections each server process keeps open (`kartoteka serve`; a server holds at most "
                "workers x (pool_size + pool_overflow))."),
    SettingSpec("pool_overflow", int, 0,
                "Connections a server process may open beyond pool_size at a peak, each closed when returned "
                "(0: a fixed pool, no connection opened and closed under load)."),
    SettingSpec("pool_timeout", int, 10,
                "Seconds a request waits for a free connection of its server process before it fails."),
    SettingSpec("link_memory", str, "2GB",
                "Memory that `kartoteka link` gives DuckDB for scoring (e.g. 2GB, 1500MB); past it DuckDB spills to "
                "a temporary folder, slower but within bounds. The link process holds about as much again at full "
                "scale (records and features)."),
)


@dataclass(frozen=True)
class Settings:
    """The resolved settings of one run."""

    database: str = "kartoteka.sqlite"
    batch_size: int = 5000
    quiet: bool = False
    search_rate_limit: int = 120
    login_rate_limit: int = 10
    pool_size: int = 10
    pool_overflow: int = 0
    pool_timeout: int = 10
    link_memory: str = "2GB"

    @property
    def database_url(self) -> str:
        """A SQLAlchemy URL for the configured database (a bare path means SQLite)."""
        return database_url(self.database)


def database_url(database: str) -> str:
    """Turn a path or URL into a SQLAlchemy URL; postgres URLs use the psycopg 3 driver."""
    if database.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + database.split("://", 1)[1]
    if "://" in database:
        return database
    return f"sqlite:///{Path(database).expanduser()}"


def _coerce(spec: SettingSpec, value: Any, origin: str) -> Any:
    if spec.type is bool and isinstance(value, str):
        if value.lower() in {"1", "true", "yes", "on"}:
            return True
        if value.lower() in {"0", "false", "no", "off", ""}:
            return False
    try:
        return spec.type(value)
    except (TypeError, ValueError) as exc:
        raise KartotekaError(
            "usage.setting",
            f"setting {spec.name!r} from {origin} is {value!r}, not a {spec.type.__name__}",
            hint=f"{spec.name}: {spec.help}",
        ) from exc


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Resolve settings from defaults, the TOML file, the environment and explicit overrides (flags)."""
    values: dict[str, Any] = {spec.name: spec.default for spec in SETTINGS_TABLE}
    specs = {spec.name: spec for spec in SETTINGS_TABLE}
    path = config_file or Path(os.environ.get(ENV_PREFIX + "CONFIG", DEFAULT_CONFIG_FILE))
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise KartotekaError("usage.config", f"cannot read {path}: {exc}", hint="fix the TOML syntax") from exc
        for key, value in data.get("kartoteka", data).items():
            if key not in specs:
                raise KartotekaError("usage.config", f"unknown setting {key!r} in {path}",
                                     hint="known settings: " + ", ".join(specs))
            values[key] = _coerce(specs[key], value, str(path))
    for spec in SETTINGS_TABLE:
        env = os.environ.get(ENV_PREFIX + spec.name.upper())
        if env is not None:
            values[spec.name] = _coerce(spec, env, ENV_PREFIX + spec.name.upper())
    for key, value in overrides.items():
        if value is not None:
            values[key] = _coerce(specs[key], value, f"--{key.replace('_', '-')}")
    return Settings(**{f.name: values[f.name] for f in fields(Settings)})
