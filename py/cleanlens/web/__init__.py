"""Browser glue: state, event binding and rendering. Only ``app`` imports ``js``/``pyodide``."""

DEMO_DATASET = "embeddings/fashion3.json"
"""The dataset the page opens with, relative to the site root."""

from cleanlens.userdata import MAX_EMBEDDING_ROWS as BUILTIN_EMBEDDING_ROWS  # noqa: E402,F401 (the page's limit)

SKLEARN_EMBEDDING_ROWS = 20_000
"""The same limit when the scikit-learn engine is available in the browser (in the training worker)."""
SKLEARN_FEATURE_VALUES = SKLEARN_EMBEDDING_ROWS * 32
"""The most feature values (rows x feature columns) with scikit-learn: 20,000 rows of 32 (the built-in engine's
:data:`cleanlens.userdata.MAX_FEATURE_VALUES` is 2,000 x 128). 5-fold cross-validation of 20,000 x 32, 5 classes,
took 79 s in Pyodide 0.27.7 under Node on the shared 2-core machine (2026-12-05, docs/engine.md)."""
