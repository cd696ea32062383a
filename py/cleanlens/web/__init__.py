"""Browser glue: state, event binding and rendering. Only ``app`` imports ``js``/``pyodide``."""

DEMO_DATASET = "embeddings/fashion3.json"
"""The dataset the page opens with, relative to the site root."""
