"""Write a whole simulated archive: the source files of every kind, truth.csv, persons.csv and manifest.json.

``simulate_archive(out_dir, persons, seed, profile)`` is the service behind ``kartoteka simulate``. Files are
written as rows are made (nothing but the numpy arrays of the true persons is held in memory), and the
same seed and profile give byte-identical files.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import shutil
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kartoteka.core.errors import KartotekaError
from kartoteka.simulate import tables
from kartoteka.simulate.fates import DIED, FATES, REPATRIATED
from kartoteka.simulate.files import SIMULATED, TRUTH_HEADER, SourceFileWriter, open_csv
from kartoteka.simulate.japanese_records import death_roster_rows, jp_roster_row, manifest_row
from kartoteka.simulate.population import stream
from kartoteka.simulate.profiles import describe_noise, get_profile
from kartoteka.simulate.sources import SOURCE_FILES, card_file_of_region, manifest_file_of_year
from kartoteka.simulate.soviet_records import burial_row, card_row, personal_file_row
from kartoteka.simulate.truth import write_persons
from kartoteka.simulate.world import World, build_world, person_id

log = logging.getLogger(__name__)

DEFAULT_PERSONS = 575_000
MAX_PERSONS = 5_000_000


@dataclass(frozen=True)
class SimulationSummary:
    """What a run wrote: where, how many persons, and the rows per kind and per file."""

    out_dir: Path
    persons: int
    seed: int
    profile: str
    counts: dict[str, int]
    files: list[dict[str, object]]


def simulate_archive(out_dir: Path, persons: int = DEFAULT_PERSONS, seed: int = 1,
                     profile: str = "realistic", workers: int | None = None) -> SimulationSummary:
    """Simulate `persons` internees and write their archive into `out_dir` (SIMULATED data).

    The kinds of source are written by up to `workers` processes (default: the CPU count, at most 3); the
    files are the same whatever the number of workers.
    """
    _check_arguments(out_dir, persons, seed)
    chosen = get_profile(profile)
    world = build_world(persons, seed, chosen)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        rows_by_file = run_groups(world, out_dir, workers)
        _join_truth_parts(out_dir)
    except OSError as exc:
        raise KartotekaError(
            "simulate.write", f"cannot write the simulated archive: {exc.strerror or exc}",
            hint="give a directory you can write to, with room for the files (about 650 MB for 575,000 persons)",
            file=str(exc.filename or out_dir),
        ) from exc
    counts = _counts(world, rows_by_file)
    files = [{"path": spec.path, "kind": spec.kind, "encoding": spec.encoding, "mapping": spec.mapping,
              "rows": rows_by_file[spec.path], "simulated": True} for spec in SOURCE_FILES]
    _write_manifest(out_dir, world, counts, files)
    return SimulationSummary(out_dir, persons, seed, chosen.name, counts, files)


def _check_arguments(out_dir: Path, persons: int, seed: int) -> None:
    if not 1 <= persons <= MAX_PERSONS:
        raise KartotekaError("simulate.persons", f"cannot simulate {persons} persons",
                             hint=f"give --persons between 1 and {MAX_PERSONS:,}")
    if not 0 <= seed < 2**31:
        raise KartotekaError("simulate.seed", f"the seed {seed} is out of range", hint="give a seed from 0 to 2**31-1")
    if out_dir.exists() and not out_dir.is_dir():
        raise KartotekaError("simulate.out_dir", f"{out_dir} exists and is not a directory",
                             hint="give a new or empty directory")


def _in_order(world: World, kind: str, members: np.ndarray) -> Iterable[int]:
    """The chosen persons in a shuffled order of their own, so row order says nothing across files."""
    return (int(p) for p in members[stream(world.seed, f"order-{kind}").permutation(members.size)])


def _write_cards(world: World, writers: dict[str, SourceFileWriter]) -> None:
    """One card per stay, the stays in a shuffled order (archives file cards by camp, not by person)."""
    movers: dict[int, list[tuple[str, str]]] = {}  # names of people with several cards, heard once
    for stay in _in_order(world, "card", np.arange(world.stays.camp.size)):
        person = int(world.stays.person[stay])
        names = None
        if len(world.stays.of(person)) > 1:
            names = movers.get(person) or movers.setdefault(person, world.card_names(person))
        row = card_row(world, person, stay - int(world.stays.offsets[person]), names)
        if row is not None:
            writers[card_file_of_region(world.camp(stay).region)].write(person_id(person), row)


def _write_personal_files_and_deaths(world: World, writers: dict[str, SourceFileWriter]) -> None:
    fate = world.fates.fate
    for k, person in enumerate(_in_order(world, "personal_file", _personal_file_holders(world))):
        writers[f"personal_files_0{1 + k % 2}.csv"].write(person_id(person), personal_file_row(world, person))
    roster = [(row, person) for person in _in_order(world, "death_roster", np.flatnonzero(fate == DIED))
              for row in death_roster_rows(world, person)]
    # the published roster is in 50-on order; kana code-point order is close to it, and puts most
    # duplicates side by side as in the real list
    roster.sort(key=lambda item: (item[0]["name_original"], item[1]))
    for row, person in roster:
        writers["death_roster.csv"].write(person_id(person), row)
    buried = stream(world.seed, "burial-coverage").random(world.size) < world.profile.coverage.burial
    for person in _in_order(world, "burial", np.flatnonzero((fate == DIED) & buried)):
        burial = burial_row(world, person)
        if burial is not None:
            writers["burial_registers.csv"].write(person_id(person), burial)


def _write_japanese_lists(world: World, writers: dict[str, SourceFileWriter]) -> None:
    unit_roster, family_report = _jp_roster_members(world)
    _write_each(world, "jp_roster", unit_roster, writers["jp_unit_rosters.csv"],
                lambda p: jp_roster_row(world, p, family_report=False))
    _write_each(world, "jp_family", family_report, writers["jp_family_reports.csv"],
                lambda p: jp_roster_row(world, p, family_report=True))
    covered = stream(world.seed, "manifest-coverage").random(world.size) < world.profile.coverage.manifest
    for person in _in_order(world, "manifest", np.flatnonzero((world.fates.fate == REPATRIATED) & covered)):
        voyage = world.fates.voyages[world.fates.voyage[person]]
        writers[manifest_file_of_year(voyage.arrival.year)].write(person_id(person), manifest_row(world, person))


# Groups of files written together (each by one process when there are several): its files and its writer.
GROUPS: tuple[tuple[tuple[str, ...], Callable[[World, dict[str, SourceFileWriter]], None]], ...] = (
    (("cards_01.csv", "cards_02.csv", "cards_03.csv"), _write_cards),
    (("personal_files_01.csv", "personal_files_02.csv", "death_roster.csv", "burial_registers.csv"),
     _write_personal_files_and_deaths),
    (("jp_unit_rosters.csv", "jp_family_reports.csv", "manifests_1946-1948.csv", "manifests_1949-1956.csv"),
     _write_japanese_lists),
)
_WORLD: World | None = None  # the world the forked workers inherit


def run_groups(world: World, out_dir: Path, workers: int | None) -> dict[str, int]:
    """Write every group of files (and persons.csv), in parallel processes when `workers` > 1.

    The workers are forked (they inherit the world instead of receiving a copy of it). A worker that dies
    (killed, out of memory) breaks the pool at once, never leaves the run waiting: its groups are then written
    again here, in this process, so the archive is whole and the same either way (multiprocessing.Pool, used
    before, waited forever for a dead worker's result, and for an error it could not unpickle)."""
    global _WORLD
    count = min(len(GROUPS), workers or os.cpu_count() or 1)
    jobs = [(out_dir, index) for index in range(len(GROUPS) + 1)]
    if count <= 1:
        results = [_run_group(world, *job) for job in jobs]
    else:
        _WORLD = world
        try:
            with ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork")) as pool:
                futures = [pool.submit(_run_group_in_worker, *job) for job in jobs]
                done = [_result_or_none(future) for future in futures]
        finally:
            _WORLD = None
        # Every worker has stopped here (the pool is shut down), so nothing else writes a file written again.
        results = [_run_group(world, *job) if result is None else result
                   for result, job in zip(done, jobs, strict=True)]
    return {path: rows for result in results for path, rows in result.items()}


def _result_or_none(future: Future[dict[str, int]]) -> dict[str, int] | None:
    """The group's rows per file, or None when a worker process stopped before it was written."""
    try:
        return future.result()
    except BrokenProcessPool as exc:
        log.warning("simulate: a writer process stopped (%s); its files are written again in this process", exc)
        return None


def _run_group_in_worker(out_dir: Path, index: int) -> dict[str, int]:
    assert _WORLD is not None
    return _run_group(_WORLD, out_dir, index)


def _run_group(world: World, out_dir: Path, index: int) -> dict[str, int]:
    """Write group `index` with its own part of truth.csv; the last index writes persons.csv."""
    if index == len(GROUPS):
        write_persons(out_dir / "persons.csv", world)
        return {}
    paths, write = GROUPS[index]
    specs = {spec.path: spec for spec in SOURCE_FILES}
    truth_handle, truth = open_csv(out_dir / f"truth.part{index}.csv", ())
    writers = {path: SourceFileWriter(out_dir, specs[path], truth) for path in paths}
    try:
        write(world, writers)
    finally:
        for writer in writers.values():
            writer.close()
        truth_handle.close()
    return {path: writer.count for path, writer in writers.items()}


def _join_truth_parts(out_dir: Path) -> None:
    """truth.csv: the header, then each group's part in group order (so the file is the same however run)."""
    with open(out_dir / "truth.csv", "w", encoding="utf-8", newline="") as out:
        out.write(",".join(TRUTH_HEADER) + "\n")
        for index in range(len(GROUPS)):
            part = out_dir / f"truth.part{index}.csv"
            with open(part, encoding="utf-8") as handle:
                shutil.copyfileobj(handle, out)
            part.unlink()


def _write_each(world: World, kind: str, members: np.ndarray, writer: SourceFileWriter,
                make_row: Callable[[int], dict[str, str]]) -> None:
    for person in _in_order(world, kind, members):
        writer.write(person_id(person), make_row(person))


def _personal_file_holders(world: World) -> np.ndarray:
    """Who has a personal file: most returnees, fewer of the dead and of the rest."""
    coverage = world.profile.coverage
    fate = world.fates.fate
    chance = np.where(fate == REPATRIATED, coverage.personal_file_returnee,
                      np.where(fate == DIED, coverage.personal_file_dead, coverage.personal_file_other))
    return np.flatnonzero(stream(world.seed, "personal-file-coverage").random(world.size) < chance)


def _jp_roster_members(world: World) -> tuple[np.ndarray, np.ndarray]:
    """Who is on a unit roster and who on a family's report (civilians only on the latter; some on both)."""
    coverage = world.profile.coverage
    rng = stream(world.seed, "jp-coverage")
    on_a_list = rng.random(world.size) < coverage.jp_roster
    on_both = on_a_list & (rng.random(world.size) < coverage.jp_roster_second)
    unit_first = ~world.population.civilian & (rng.random(world.size) < 0.7)
    unit = on_a_list & unit_first | on_both & ~world.population.civilian
    family = on_a_list & ~unit_first | on_both
    return np.flatnonzero(unit), np.flatnonzero(family)


def _counts(world: World, rows_by_file: dict[str, int]) -> dict[str, int]:
    counts: dict[str, int] = {"persons": world.size}
    for spec in SOURCE_FILES:
        counts[spec.kind] = counts.get(spec.kind, 0) + rows_by_file[spec.path]
    for code, fate in enumerate(FATES):
        counts[f"fate_{fate}"] = int(np.count_nonzero(world.fates.fate == code))
    counts["stays"] = int(world.stays.camp.size)
    return counts


def _write_manifest(out_dir: Path, world: World, counts: dict[str, int], files: list[dict[str, object]]) -> None:
    manifest = {
        "simulated": True,
        "notice": f"{SIMULATED}: generated by `kartoteka simulate`. These are not real people.",
        "seed": world.seed,
        "profile": world.profile.name,
        "persons": world.size,
        "counts": counts,
        "files": files,
        "truth": "truth.csv",
        "persons_file": "persons.csv",
        "rates": {"channel": world.profile.channel.as_dict(), "field_noise": describe_noise(world.profile.noise)},
        "camps": [camp.key for camp in tables.camps()],
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                           encoding="utf-8")
