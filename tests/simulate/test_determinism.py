"""Same seed and profile give byte-identical files, however many processes write them."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from kartoteka.core.errors import KartotekaError
from kartoteka.simulate import simulate_archive

pytestmark = pytest.mark.xdist_group("simulate")


def _digest(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


def test_same_seed_same_bytes_and_workers_do_not_matter(tmp_path):
    simulate_archive(tmp_path / "a", persons=1_500, seed=42, profile="harsh", workers=1)
    simulate_archive(tmp_path / "b", persons=1_500, seed=42, profile="harsh", workers=2)
    first, second = _digest(tmp_path / "a"), _digest(tmp_path / "b")
    assert len(first) == 14  # 11 source files, truth.csv, persons.csv, manifest.json: no leftover parts
    assert first == second


def test_another_seed_gives_another_archive(tmp_path):
    simulate_archive(tmp_path / "a", persons=500, seed=1, workers=1)
    simulate_archive(tmp_path / "b", persons=500, seed=2, workers=1)
    first, second = _digest(tmp_path / "a"), _digest(tmp_path / "b")
    assert first["persons.csv"] != second["persons.csv"]
    assert first["cards_01.csv"] != second["cards_01.csv"]


@pytest.mark.parametrize(("persons", "seed", "code"), [(0, 1, "simulate.persons"), (10, -1, "simulate.seed")])
def test_bad_arguments_are_refused(tmp_path, persons, seed, code):
    with pytest.raises(KartotekaError) as caught:
        simulate_archive(tmp_path, persons=persons, seed=seed)
    assert caught.value.code == code


def test_a_directory_that_cannot_be_made_is_a_clean_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(KartotekaError) as caught:
        simulate_archive(blocker / "archive", persons=5, workers=1)
    assert caught.value.code == "simulate.write"
    assert "a-file" in caught.value.file


def test_a_writer_process_that_dies_never_leaves_the_run_waiting_and_the_files_are_the_same(tmp_path, monkeypatch):
    """CI once waited 600 s on `simulate --persons 300`: multiprocessing.Pool waits forever for a worker that
    died. Here the worker writing the cards kills itself; the run ends and its files are written again here."""
    import os
    import signal
    import threading

    from kartoteka.simulate import archive

    parent = os.getpid()
    write = archive._run_group

    def dies_in_a_worker(world, out_dir, index):
        if index == 0 and os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return write(world, out_dir, index)

    simulate_archive(tmp_path / "a", persons=400, seed=3, workers=1)
    monkeypatch.setattr(archive, "_run_group", dies_in_a_worker)
    run = threading.Thread(target=simulate_archive, args=(tmp_path / "b", 400, 3), kwargs={"workers": 3},
                           daemon=True)
    run.start()
    run.join(timeout=120)  # it takes about a second; a run that waits for the dead worker fails here, not hangs
    assert not run.is_alive(), "the run is still waiting for a writer process that died"
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")


def test_an_error_crosses_from_a_worker_process_whole():
    import pickle

    error = KartotekaError("simulate.write", "cannot write", hint="free some room", file="x.csv", line=3,
                           column="name", details={"rows": 2})
    again = pickle.loads(pickle.dumps(error))
    assert again == error and str(again) == str(error) and again.details == {"rows": 2}
