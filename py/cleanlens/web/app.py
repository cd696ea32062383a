"""The page's start-up and event wiring (browser only: imports ``js`` and ``pyodide``)."""

import traceback

import js
from pyodide.http import pyfetch

from cleanlens.dataset import parse_dataset
from cleanlens.web import DEMO_DATASET, render


def set_stage(text):
    js.document.getElementById("stage").textContent = text


def set_state(state):
    js.document.body.dataset.state = state


def show_error(exc):
    js.document.getElementById("error-message").textContent = render.error_message(exc)
    js.document.getElementById("error").hidden = False
    set_state("error")


async def fetch_text(url):
    response = await pyfetch(url)
    if not response.ok:
        raise OSError(f"{url}: HTTP {response.status}")
    return await response.string()


async def start():
    """Load the demo dataset and render it; any failure shows the error panel."""
    try:
        set_stage("Loading data…")
        dataset = parse_dataset(await fetch_text(DEMO_DATASET), DEMO_DATASET.rsplit("/", 1)[-1])
        set_stage("Rendering…")
        js.document.getElementById("app").innerHTML = render.class_counts_table(dataset)
        set_state("ready")
    except Exception as exc:  # noqa: BLE001 (every start-up failure must reach the user)
        show_error(exc)
        js.console.error(traceback.format_exc())
