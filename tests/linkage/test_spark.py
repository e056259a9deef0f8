"""The same model on Splink's Spark backend (local mode) gives the same persons as DuckDB, within tolerance.

The model is trained once on DuckDB and scored on both (`link --backend spark --model FILE`): training on Spark
runs every EM session as Spark jobs (minutes on two cores) and tests nothing the DuckDB training does not."""

from pathlib import Path

import pytest

from kartoteka.linkage.model import in_dialect, settings_dict
from kartoteka.linkage.service import link
from kartoteka.linkage.spark import spark_available
from kartoteka.store import open_store

_reason = spark_available()


# Spark and DuckDB compute Jaro-Winkler with different implementations, so a few borderline pairs may fall on
# the other side of the threshold: allow 3% of the persons to differ.
TOLERANCE = 0.03


@pytest.mark.spark
@pytest.mark.slow
@pytest.mark.skipif(_reason is not None, reason=f"Spark backend not testable here: {_reason}")
def test_a_duckdb_model_scored_on_spark_gives_the_same_persons(tmp_path, write_archive, plain_reader, monkeypatch):
    monkeypatch.setenv("KARTOTEKA_SPARK_PARTITIONS", "1")  # 60 persons: one task a step, not four
    store = open_store(f"sqlite:///{tmp_path / 'k.sqlite'}")
    write_archive(store, persons=60)
    duck = link(store, backend="duckdb", reader=plain_reader, runs_dir=tmp_path / "duck")
    spark = link(store, backend="spark", reader=plain_reader, runs_dir=tmp_path / "spark",
                 model_path=Path(duck.model_path))
    assert spark.records == duck.records
    assert abs(spark.persons - duck.persons) <= max(1, TOLERANCE * duck.persons)
    store.close()


def test_in_dialect_keeps_the_parameters_and_takes_the_dialects_sql():
    trained = settings_dict("duckdb")
    trained["sql_dialect"] = "duckdb"
    trained["probability_two_random_records_match"] = 3e-5
    for comparison in trained["comparisons"]:
        for number, level in enumerate(comparison["comparison_levels"]):
            level["u_probability"] = 0.001 * (number + 1)
    spark = in_dialect(trained, "spark")
    assert spark["sql_dialect"] == "spark"
    assert spark["probability_two_random_records_match"] == 3e-5
    conditions = [level["sql_condition"] for c in spark["comparisons"] for level in c["comparison_levels"]]
    assert any("jaro_winkler(" in c for c in conditions)
    assert not any("jaro_winkler_similarity" in c or "list_has_any" in c for c in conditions)
    assert [level.get("u_probability") for c in spark["comparisons"] for level in c["comparison_levels"]] == \
        [level.get("u_probability") for c in trained["comparisons"] for level in c["comparison_levels"]]
    assert in_dialect(trained, "duckdb") is trained  # same dialect: as it was
