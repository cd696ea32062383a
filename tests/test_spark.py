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


def test_the_find_label_issues_recipe_equals_the_in_memory_path(spark, monkeypatch):
    """docs/notebook.md's recipe for cleanlab's find_label_issues (default filter): partitions of rows in item
    order, each pass a mapInPandas whose small results are pickled back to the driver (small samples: the
    gathering pass runs)."""
    import pickle

    from cleanlens import chunked_issues, selection

    monkeypatch.setattr(selection, "SAMPLE", 200)
    monkeypatch.setattr(selection, "MIN_SAMPLE", 200)
    from cleanlens.counting_arrays import ArrayCounts, find_label_issues_array

    labels, probs, _ = synthetic(20_000, K, seed=9, dtype=np.float64)
    cols = [f"p_{c}" for c in range(K)]
    frame = pd.DataFrame(
        {"row": np.arange(len(labels)), "label": labels, **{c: probs[:, i] for i, c in enumerate(cols)}}
    )
    sdf = spark.createDataFrame(frame).orderBy("row").cache()  # partitions: runs of rows in item order

    def label_counts(frames):  # per partition: its first row and its items per class
        first, counts = None, np.zeros(K, dtype=np.int64)
        for f in (f for f in frames if len(f)):
            first = int(f["row"].iloc[0]) if first is None else first
            counts += np.bincount(f["label"], minlength=K)
        if first is not None:
            yield pd.DataFrame({"first": [first], "n": [pickle.dumps(counts)]})

    parts = sorted(
        (r.first, pickle.loads(r.n)) for r in sdf.mapInPandas(label_counts, "first long, n binary").collect()
    )
    before = np.cumsum([n for _, n in parts], axis=0) - [n for _, n in parts]
    offsets = {first: o for (first, _), o in zip(parts, before)}  # items of each class before each partition

    def on_blocks(work):  # work(start, labels, rows, class offsets) per Arrow batch, pickled; in row order
        def run(frames):
            seen = None
            for f in (f for f in frames if len(f)):
                start, given = int(f["row"].iloc[0]), f["label"].to_numpy(np.intp)
                seen = offsets[start] if seen is None else seen
                yield pd.DataFrame(
                    {"start": [start], "b": [pickle.dumps(work(start, given, f[cols].to_numpy(), seen))]}
                )
                seen = seen + np.bincount(given, minlength=K)

        return [pickle.loads(r.b) for r in sorted(sdf.mapInPandas(run, "start long, b binary").collect())]

    class_counts = np.sum([n for _, n in parts], axis=0)
    issues = chunked_issues.IssueCounts("prune_by_noise_rate", class_counts, np.float64)
    strides, method = issues.strides, issues.method
    for samples in on_blocks(lambda s, g, p, o: chunked_issues.sample_block(g, p, o, s, strides, method)):
        issues.add_samples(samples)  # pass 1 (with the thresholds' pass 1 above, in practice)
    means = [chunked.class_statistics(probs[labels == c, c], [50])[1] for c in range(K)]  # the per-class reduce
    cleanlab = chunked_issues.thresholds_from_means(means)
    for joint, off in on_blocks(lambda s, g, p, o: chunked_issues.count_block(g, p, p.argmax(1), cleanlab,
                                                                              issues.filter_by)[2:4]):  # fmt: skip
        issues.add_counts(joint, off)  # pass 2
    issues.finish()
    kinds = []
    while (step := issues.next_pass()) is not None:
        kind, spec = step
        kinds.append(kind)
        results = on_blocks(lambda s, g, p, o, kind=kind, spec=spec: chunked_issues.pass_block(
            kind, spec, g, p, o, s, issues.filter_by, issues.method))  # fmt: skip
        if kind == "mark":
            mask = np.concatenate(results)
            break
        if kind == "gather":
            for result in results:
                issues.add_gathered(result)
            issues.finish_gathering()
        else:
            issues.add_whole(results)
    assert kinds == ["gather", "mark"]
    assert np.array_equal(mask, find_label_issues_array(ArrayCounts(labels, probs))) and mask.any()
    assert issues.num_label_issues == ArrayCounts(labels, probs).num_label_issues()
