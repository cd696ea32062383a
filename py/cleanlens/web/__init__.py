"""Browser glue: state, event binding and rendering. Only ``app`` imports ``js``/``pyodide``."""

DEMO_DATASET = "embeddings/fashion3.json"
"""The dataset the page opens with, relative to the site root."""

from cleanlens.userdata import MAX_EMBEDDING_ROWS as BUILTIN_EMBEDDING_ROWS  # noqa: E402,F401 (the page's limit)

SKLEARN_EMBEDDING_ROWS = 20_000
"""The same limit when the scikit-learn engine is available in the browser."""
