"""kartoteka.simulate: a SIMULATED archive calibrated to the published figures, with its ground truth.

    simulate_archive(out_dir, persons=575_000, seed=1, profile="realistic") -> SimulationSummary

writes the source files of every kind (Soviet cards and personal files in Russian, the ministry's death
roster in katakana, Japanese rosters and manifests in kanji, burial registers), truth.csv, persons.csv and
manifest.json. The names are real Japanese names drawn by frequency, heard and misheard through the shared
clerk-error channel (kartoteka.names.channel); the people are not real. See docs/explanation/simulated-archive.md.
"""

from kartoteka.simulate.archive import DEFAULT_PERSONS, SimulationSummary, simulate_archive
from kartoteka.simulate.profiles import PROFILE_NAMES, FieldNoise, SimulationProfile, get_profile

__all__ = [
    "DEFAULT_PERSONS",
    "PROFILE_NAMES",
    "FieldNoise",
    "SimulationProfile",
    "SimulationSummary",
    "get_profile",
    "simulate_archive",
]
