"""cleanlens.userdata.limits: the feature value limit at and past, in CSV and JSON, and with the header."""

import json

from cleanlens.userdata import (
    MAX_CLASSES,
    MAX_FEATURE_VALUES,
    load_files,
)

from .test_userdata import (
    csv_bytes,
    error,
)


def features_csv(rows, columns, value="1"):
    header = "label," + ",".join(f"f{j}" for j in range(columns))
    return csv_bytes(header, *[f"{'ab'[i % 2]}," + ",".join([value] * columns) for i in range(rows)])


def test_feature_values_limit_at_and_past():
    columns = 10_000
    rows = MAX_FEATURE_VALUES // columns
    result = load_files([("f.csv", features_csv(rows, columns))], max_embedding_rows=10**6)
    assert len(result.dataset) == rows and result.mode == "embeddings"
    exc = error([("f.csv", features_csv(rows + 1, columns))], max_embedding_rows=10**6)
    assert str(exc) == (
        f"f.csv: line {rows + 2}: more than {rows} rows of 10,000 features: at most {MAX_FEATURE_VALUES:,} feature "
        "values (rows × features) are supported; use fewer rows or fewer features"
    )

    # the same limit (here the caller's) in JSON, checked after parsing
    def items(n):
        rows = [{"id": str(i), "given": "ab"[i % 2], "embedding": [1] * 1000} for i in range(n)]
        return json.dumps({"classes": ["a", "b"], "items": rows}).encode()

    assert len(load_files([("d.json", items(5))], max_feature_values=5000).dataset) == 5
    assert str(error([("d.json", items(6))], max_feature_values=5000)).startswith(
        "d.json: 6 rows of 1,000 features: at most 5,000 feature values"
    )


def test_feature_columns_past_the_probability_limit_use_the_embedding_row_limit_from_the_header():
    data = features_csv(12, MAX_CLASSES + 1)
    exc = error([("f.csv", data)], max_embedding_rows=10)
    assert str(exc).startswith("f.csv: more than 10 rows; embeddings mode allows at most 10 rows")
