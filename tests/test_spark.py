"""The Spark recipe of docs/notebook.md: cleanlens.chunked's block functions in mapInPandas, a per-class reduce."""

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pyspark.sql import SparkSession

from cleanlens import chunked
from cleanlens.confident import ArrayConfidentLearning

from .test_chunked import synthetic

K, Q_CLASS, Q_OOD = 4, 50, 15


@pytest.fixture(scope="module")
def spark():
    """A local Spark session (pyspark, the test extra; it needs Java)."""
    here = str(Path(chunked.__file__).resolve().parents[1])  # Spark's Python workers import this cleanlens
    previous = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = here + (os.pathsep + previous if previous else "")
    session = (
        SparkSession.builder.master("local[2]").appName("cleanlens-test").config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4").config("spark.driver.bindAddress", "127.0.0.1").getOrCreate()
    )  # fmt: skip
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
    if previous is None:
        del os.environ["PYTHONPATH"]
    else:
        os.environ["PYTHONPATH"] = previous


def test_the_recipe_equals_the_in_memory_path(spark):
    labels, probs, _ = synthetic(20_000, K, seed=6, dtype=np.float64)
    cols = [f"p_{c}" for c in range(K)]
    frame = pd.DataFrame(
        {"row": np.arange(len(labels)), "label": labels, **{c: probs[:, i] for i, c in enumerate(cols)}}
    )
    sdf = spark.createDataFrame(frame).repartition(5, "row")

    def pass1(frames):
        for f in frames:
            if len(f) == 0:
                continue
            given = f["label"].to_numpy(np.intp)
            rows = chunked.validate_block(given, f[cols].to_numpy(), K, int(f["row"].iloc[0]))
            yield pd.DataFrame({"row": f["row"], "label": given, "s": chunked.self_confidences(given, rows)})

    s = sdf.mapInPandas(pass1, "row long, label long, s double")
    stats = [
        chunked.class_statistics(np.array([r.s for r in s.where(s.label == c).orderBy("row").collect()]),
                                 [Q_CLASS, Q_OOD])
        for c in range(K)
    ]  # fmt: skip
    class_t, ood_t = chunked.thresholds_of(stats, "percentile", Q_CLASS, Q_OOD)

    def pass2(frames):
        for f in frames:
            given, rows = f["label"].to_numpy(np.intp), f[cols].to_numpy(np.float64)
            best, has = chunked.suggest_block(given, rows, "percentile", class_t)
            codes = chunked.categorize_block(given, rows, best, has, ood_t)
            yield pd.DataFrame({"row": f["row"], "suggested": np.where(has, best, -1), "category": codes})

    result = sdf.mapInPandas(pass2, "row long, suggested long, category byte").toPandas().sort_values("row")
    expected = ArrayConfidentLearning(labels, probs).categorize(Q_CLASS, Q_OOD)
    assert class_t == expected.class_thresholds and ood_t == expected.ood_thresholds
    assert result["category"].tolist() == expected.categories
    assert result["suggested"].tolist() == [-1 if s is None else s for s in expected.suggested]
