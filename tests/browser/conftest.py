"""Browser tests: Playwright for Python drives Debian's chromium against a real `kartoteka serve`.

Made once per session (each module marks its tests ``browser`` and ``xdist_group("browser")``, so that all run on
one xdist worker and share one store and server):

- ``archive``: a small simulated archive (SIMULATED names, seed 1), imported into a SQLite store and linked, with
  the simulator's truth (``persons.csv``, ``truth.csv``) and the source files read back, so that tests pick their
  persons from what the simulation says is true;
- ``hostile``: a second store with a few hostile strings (``<script>``, a U+202E right-to-left override, a
  10,000-character value) imported from small CSV files;
- ``portal`` and ``hostile_portal``: a ``kartoteka serve`` subprocess on each store, on a free port;
- ``browser``: headless chromium launched by its executable path (``/usr/bin/chromium``, installed through
  apt by ``make test``); ``playwright install`` never runs and no browser is downloaded.

Without chromium the tests skip with a message, except under CI (``CI=true``) or ``KARTOTEKA_REQUIRE_BROWSER=1``,
where they fail: a silent skip there would hide that the portal was never tried in a browser.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

PERSONS = 300
SEED = 1
START_TIMEOUT = 90.0  # seconds for `kartoteka serve` to answer its first request
CYRILLIC_KINDS = frozenset({"card", "personal_file", "burial"})
REPO = Path(__file__).resolve().parents[2]

HOSTILE_SCRIPT = "<script>alert(1)</script>"
HOSTILE_IMG = '<img src=x onerror="alert(2)">'
RLO = "\u202e"
HOSTILE_RLO = f"кладбище {RLO}№ 7 левое"
HOSTILE_LONG = "Щ" * 10_000
HOSTILE_KANA = f"ハヤシ{RLO}カ 墓地 {HOSTILE_SCRIPT}"


def _chromium() -> str:
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if found:
        return found
    message = ("Debian's chromium is not installed: `make test` installs it (apt-get install chromium, as root); "
               "the browser tests never download a browser")
    if os.environ.get("CI") == "true" or os.environ.get("KARTOTEKA_REQUIRE_BROWSER") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def kartoteka(*args: str, database: str | None = None, timeout: float = 600) -> str:
    """Run the real CLI (`python -m kartoteka`) and return its output; fail with its output if it fails."""
    command = [sys.executable, "-m", "kartoteka"] + (["--database", database] if database else []) + list(args)
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=REPO)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(command)} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A `kartoteka serve` subprocess on a free port."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def get_json(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=30) as answer:
            return json.loads(answer.read())

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(database: str, log: Path) -> Server:
    """Start `kartoteka serve` on `database` and wait until it answers (or fail with its log)."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "kartoteka", "--database", database, "serve", "--host", "127.0.0.1",
             "--port", str(port)], stdout=out, stderr=subprocess.STDOUT, cwd=REPO)
    server = Server(url, process, log)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"kartoteka serve exited {process.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/", timeout=5):
                return server
        except urllib.error.HTTPError as exc:
            pytest.fail(f"kartoteka serve answered / with {exc.code}:\n{log.read_text(errors='replace')[-3000:]}")
        except OSError:
            time.sleep(0.2)  # not listening yet
    server.stop()
    pytest.fail(f"kartoteka serve did not answer in {START_TIMEOUT:.0f} s:\n{log.read_text(errors='replace')[-3000:]}")


@dataclass
class Archive:
    """The simulated archive, its store, and what the simulation says is true about it."""

    folder: Path
    database: str
    persons: dict[str, dict[str, str]]  # truth person id -> persons.csv row
    records: dict[str, dict[str, str]]  # record_ref -> the source row (its file's own column names)
    kinds: dict[str, str]  # record_ref -> kind
    files: dict[str, str]  # record_ref -> the file it came from
    refs_of: dict[str, list[str]] = field(default_factory=dict)  # truth person id -> record refs

    def cyrillic_only(self) -> list[str]:
        """Truth persons recorded only on Russian documents (cards, personal files, burial registers)."""
        return [pid for pid, refs in sorted(self.refs_of.items())
                if refs and all(self.kinds[ref] in CYRILLIC_KINDS for ref in refs)]

    def with_card_and_roster(self) -> list[str]:
        """Truth persons with at least one card and one Japanese roster."""
        return [pid for pid, refs in sorted(self.refs_of.items())
                if any(self.kinds[r] == "card" for r in refs) and any(self.kinds[r] == "jp_roster" for r in refs)]

    def clerks_spelling(self) -> tuple[str, str]:
        """(truth person, card ref) of the first card whose name is not the standard (Polivanov) Cyrillic of the
        person's kana: a clerk's spelling by ear ("Сюкичи" for シュウキチ), of a person with a Japanese roster."""
        from kartoteka.names.kana import kana_to_cyrillic

        for person in self.with_card_and_roster():
            truth = self.persons[person]
            standard = f"{kana_to_cyrillic(truth['kana_surname'])} {kana_to_cyrillic(truth['kana_given'])}"
            for ref in self.refs_of[person]:
                if self.kinds[ref] == "card" and self.cyrillic_name(ref).lower() != standard.lower():
                    return person, ref
        raise AssertionError("the simulation wrote no card by ear")

    def cyrillic_name(self, ref: str) -> str:
        """A Russian record's name as its clerk wrote it: surname and given name."""
        row = self.records[ref]
        return f"{row['Фамилия']} {row['Имя']}".strip()


def _read_source_rows(folder: Path) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    rows: dict[str, dict[str, str]] = {}
    files: dict[str, str] = {}
    for entry in manifest["files"]:
        if not entry["path"].endswith(".csv"):
            continue
        lines = (folder / entry["path"]).read_text(encoding=entry.get("encoding") or "utf-8").splitlines()
        body = [line for line in lines if not line.startswith("#")]
        for row in csv.DictReader(body):
            rows[row["record_ref"]] = row
            files[row["record_ref"]] = entry["path"]
    return rows, files


def _read_truth(folder: Path, database: str) -> Archive:
    with (folder / "persons.csv").open(encoding="utf-8", newline="") as handle:
        persons = {row["person_id"]: row for row in csv.DictReader(handle)}
    kinds: dict[str, str] = {}
    refs_of: dict[str, list[str]] = defaultdict(list)
    with (folder / "truth.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            kinds[row["record_ref"]] = row["kind"]
            refs_of[row["person_id"]].append(row["record_ref"])
    rows, files = _read_source_rows(folder)
    return Archive(folder, database, persons, rows, kinds, files, dict(refs_of))


@pytest.fixture(scope="session")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    """A simulated archive, imported and linked into a SQLite store (made once per session)."""
    _chromium()  # no store is made for nothing when the browser is missing
    root = tmp_path_factory.mktemp("portal")
    database = f"sqlite:///{root / 'portal.sqlite'}"
    kartoteka("simulate", str(root / "archive"), "--persons", str(PERSONS), "--seed", str(SEED),
              "--profile", "realistic")
    kartoteka("--quiet", "import", str(root / "archive"), database=database)
    kartoteka("link", "--runs-dir", str(root / "runs"), database=database)
    return _read_truth(root / "archive", database)


CARD_HEADER = ["record_ref", "Фамилия", "Имя", "Отчество", "Год рождения", "Место рождения", "Лагерь",
               "Дата смерти", "Место захоронения", "Архивный шифр", "simulated"]
ROSTER_HEADER = ["record_ref", "カナ氏名", "生年", "死亡年月日", "死亡場所", "埋葬地", "漢字氏名", "本籍", "simulated"]
# The names themselves stay names: the importer quarantines a name holding "<" or U+202E, or longer than 200
# characters (tests/ingest pin that). The hostile strings ride in the public fields that do reach the pages.
HOSTILE_CARDS = [
    ["H-1", "Хосино", "Ясуо", "", "1915", "", "6", "20.10.1945", HOSTILE_SCRIPT, f"SIM {HOSTILE_IMG}", "SIMULATED"],
    ["H-2", "Танака", "Дзиро", "", "1916", "", "7", "03.02.1946", HOSTILE_RLO, f"SIM {RLO}ф.1", "SIMULATED"],
    ["H-3", "Я" * 150, "Ясуо", "", "1917", "", "8", "05.03.1946", HOSTILE_LONG, "SIM ф.2", "SIMULATED"],
]
HOSTILE_ROSTER = [
    ["HD-1", "アオキ・タロウ", "1918", "昭和21年3月2日", HOSTILE_SCRIPT, HOSTILE_KANA, "", "", "SIMULATED"],
]


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("# SIMULATED: hostile strings for the browser tests; not real people\n")
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture(scope="session")
def hostile_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A second store: hostile strings imported from two small CSV files (a card file and a death roster)."""
    _chromium()
    root = tmp_path_factory.mktemp("hostile")
    database = f"sqlite:///{root / 'hostile.sqlite'}"
    kartoteka("--quiet", "import", "card", str(_write_csv(root / "cards.csv", CARD_HEADER, HOSTILE_CARDS)),
              database=database)
    kartoteka("--quiet", "import", "death-roster",
              str(_write_csv(root / "death_roster.csv", ROSTER_HEADER, HOSTILE_ROSTER)), database=database)
    return database


@pytest.fixture(scope="session")
def portal(archive: Archive, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_server(archive.database, tmp_path_factory.mktemp("serve") / "serve.log")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def hostile_portal(hostile_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_server(hostile_database, tmp_path_factory.mktemp("serve-hostile") / "serve.log")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless chromium, launched by its path: Debian's package, never a Playwright download."""
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh context (no cookies) and page, English unless a test asks for another language."""
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    dialogs: list[str] = []
    opened.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    opened.dialogs = dialogs  # a test that asserts no script ran reads it
    yield opened
    context.close()


@pytest.fixture
def page_without_js(browser: Any) -> Iterator[Any]:
    """A page in a context with JavaScript turned off: every page must work without it."""
    context = browser.new_context(locale="en-GB", java_script_enabled=False)
    yield context.new_page()
    context.close()
