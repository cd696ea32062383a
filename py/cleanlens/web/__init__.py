"""Browser glue: state, event binding and rendering. Only ``app`` imports ``js``/``pyodide``."""

DEMO_DATASET = "embeddings/fashion3.json"
"""The dataset the page opens with, relative to the site root."""

BUILTIN_EMBEDDING_ROWS = 1500
"""The most items the page accepts in embeddings mode with the built-in engine: the size it
cross-validates within about 10 s in Pyodide on the benchmark machine (bench/, README)."""

SKLEARN_EMBEDDING_ROWS = 20_000
"""The same limit when the scikit-learn engine is available in the browser."""
