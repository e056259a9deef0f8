"""The Spark backend: the same model on Splink's SparkAPI, for collections that outgrow one machine.

pyspark is an optional extra (`pip install 'kartoteka[spark]'`). Locally this starts Spark in local mode with
Splink's similarity jar on `spark.jars` (for jaro_winkler), a checkpoint directory for Splink's default
lineage breaking, and `SPARK_LOCAL_IP=127.0.0.1`; the temporary folders are removed even when a run fails.
On a cluster set `KARTOTEKA_SPARK_MASTER` (e.g. spark://host:7077 or yarn); see docs/how-to/link-at-scale-on-spark.md.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kartoteka.core.errors import KartotekaError


def spark_available() -> str | None:
    """None when pyspark and Java can run here, else the reason they cannot."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install 'kartoteka[spark]')"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "Java is not installed (Spark needs Java 17)"
    return None


@contextmanager
def spark_api(master: str | None = None, partitions: int | None = None) -> Iterator[Any]:
    """A Splink SparkAPI on a local (or configured) Spark session; stops Spark and cleans up on exit.

    ``partitions``: Spark's shuffle partitions (default KARTOTEKA_SPARK_PARTITIONS, else 4); a small collection
    is answered fastest by one (each partition is a task of every Splink step)."""
    partitions = partitions or int(os.environ.get("KARTOTEKA_SPARK_PARTITIONS", "4"))
    reason = spark_available()
    if reason:
        raise KartotekaError("usage.backend", f"the Spark backend cannot run: {reason}",
                             hint="install the extra, or use --backend duckdb")
    from pyspark.sql import SparkSession
    from splink import SparkAPI
    from splink.internals.spark.jar_location import similarity_jar_location

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    workdir = tempfile.mkdtemp(prefix="kartoteka-spark-")
    session = None
    try:
        session = (
            SparkSession.builder.master(master or os.environ.get("KARTOTEKA_SPARK_MASTER", "local[2]"))
            .appName("kartoteka-link")
            .config("spark.jars", similarity_jar_location())
            .config("spark.sql.shuffle.partitions", str(partitions))
            .config("spark.default.parallelism", str(partitions))
            .config("spark.local.dir", os.path.join(workdir, "local"))
            .config("spark.sql.warehouse.dir", os.path.join(workdir, "warehouse"))
            .config("spark.ui.enabled", "false")
            .config("spark.driver.memory", os.environ.get("KARTOTEKA_SPARK_DRIVER_MEMORY", "2g"))
            .getOrCreate()
        )
        session.sparkContext.setLogLevel("ERROR")
        session.sparkContext.setCheckpointDir(os.path.join(workdir, "checkpoints"))
        yield SparkAPI(spark_session=session, num_partitions_on_repartition=partitions)
    finally:
        if session is not None:
            session.stop()
        shutil.rmtree(workdir, ignore_errors=True)


_INTEGER_COLUMNS = ("unique_id", "birth_year", "pref", "rank_ord")


def to_spark_frame(api: Any, features: Any) -> Any:
    """The features as a Spark DataFrame with an explicit schema (Spark cannot infer all-null columns)."""
    from pyspark.sql.types import ArrayType, LongType, StringType, StructField, StructType

    def spark_type(name: str) -> Any:
        if name in _INTEGER_COLUMNS:
            return LongType()
        return ArrayType(StringType()) if name.endswith("_set") else StringType()

    def value(name: str, v: Any) -> Any:
        if v is None:
            return None
        if name in _INTEGER_COLUMNS:
            return int(v)
        return list(v) if name.endswith("_set") else str(v)

    schema = StructType([StructField(name, spark_type(name), True) for name in features.columns])
    rows = features.astype(object).where(features.notna(), None)
    data = [tuple(value(c, v) for c, v in zip(features.columns, row, strict=True))
            for row in rows.itertuples(index=False)]
    return api.spark.createDataFrame(data, schema=schema)
