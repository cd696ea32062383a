"""cleanlens.web.render.topbar: Train / New seed, the engine read-out and settings, the tool buttons."""

import pytest

from cleanlens.web import render
from cleanlens.web.state import ENGINE_DEFAULTS, ENGINE_LIMITS, ExplorerState

from .render_support import HOSTILE, HOSTILE_ESCAPED, INFO, disabled, parse, trained
from .test_web_state import probabilities_for, tiny_dataset


def test_train_before_training_and_new_seed_only_after():
    root = parse(render.run_controls(ExplorerState(tiny_dataset())))
    run, reseed = root.find(data_testid="run"), root.find(data_testid="reseed")
    assert run.text() == "Train" and not disabled(run)
    assert disabled(reseed)
    assert root.find(data_testid="progress").has("hidden")
    assert root.find(data_testid="engine").text() == "Engine: not trained yet"


def test_while_training_every_button_waits_and_the_progress_bar_shows():
    state = trained()
    root = parse(render.run_controls(state, busy=True))
    assert root.find(data_testid="run").text() == "Training…"
    assert disabled(root.find(data_testid="run")) and disabled(root.find(data_testid="reseed"))
    progress = root.find("progress", data_testid="progress")
    assert not progress.has("hidden") and progress["aria-label"] == "Training progress"


def test_the_prerendered_controls_are_disabled():
    root = parse(render.run_controls(ExplorerState(tiny_dataset()), enabled=False))
    assert all(disabled(b) for b in root.find_all("button"))
    assert all(disabled(b) for b in parse(render.tools(enabled=False)).find_all("button"))
    assert not any(disabled(b) for b in parse(render.tools()).find_all("button"))
    assert [b["data-testid"] for b in parse(render.tools()).find_all("button")] == ["byo-open", "guide-open", "theme"]


def test_changed_labels_say_the_results_are_out_of_date():
    state = trained(engine={"svm_C": INFO["C"], "svm_gamma": INFO["gamma"]})
    assert not parse(render.run_controls(state)).find_all(data_testid="stale")
    assert disabled(parse(render.run_controls(state)).find(data_testid="run"))  # nothing new to train on
    state.relabel(0, 1)
    root = parse(render.run_controls(state))
    assert root.find(data_testid="stale").text() == "Labels changed — train again."  # the button says Train
    assert not disabled(root.find(data_testid="run"))
    state.relabel(0, 0)
    state.set_engine("svm_C", "3")
    root = parse(render.run_controls(state))
    assert root.find(data_testid="engine-changed") and not root.find_all(data_testid="stale")


def test_engine_read_out_names_the_engine_and_its_settings_with_a_plain_title():
    state = trained()
    engine = parse(render.run_controls(state, busy=False)).find(data_testid="engine")
    text = engine.text()
    assert "built-in (cleanlens 0) · RBF SVM C=10, γ=0.03 · 5-fold CV · seed 0 · trained here in 0.50 s" in text
    assert "scikit-learn was not available" in text  # results saved before the training worker existed
    assert "<span" not in engine["title"]
    assert engine["title"] == text.removeprefix("Engine: ")


def test_engine_read_out_says_which_engine_computed_the_results_and_where():
    worker = dict(INFO, engine="sklearn", engine_version="1.6.1", where="worker")
    assert render.engine_label(worker).startswith("scikit-learn 1.6.1 in a worker · RBF SVM C=10")
    assert render.engine_label(dict(INFO, where="worker")).startswith("built-in (cleanlens 0) in a worker · ")
    assert render.engine_label(dict(INFO, where="page")).startswith("built-in (cleanlens 0) on this page · ")
    assert "note" not in render.engine_label(dict(INFO, where="page"))


def test_engine_label_explains_the_engine_choice_and_escapes_file_names():
    info = dict(INFO, built=True)
    assert "computed when this site was built" in render.engine_label(info, True)
    assert "note" not in render.engine_label(info, True)
    assert "scikit-learn imports but was not chosen" in render.engine_label(dict(INFO), True)
    assert "note" not in render.engine_label(dict(info, engine="sklearn"), True)
    label = render.engine_label({"engine": "file", "source": HOSTILE + ".csv"}, False)
    assert label == f"probabilities from your file {HOSTILE_ESCAPED}.csv (nothing to train)"


WORKER = {"state": "ready", "stack": "none", "loaded": 0, "total": 29_100_000, "versions": {}, "reason": ""}


@pytest.mark.parametrize(
    "changes, text",
    [
        ({"state": "off"}, ""),
        ({"state": "starting"}, "starting the training worker…"),
        ({}, "scikit-learn not loaded yet (29.1 MB)"),
        (
            {"reason": "scikit-learn loads when needed: the browser asks to save data"},
            "scikit-learn loads when needed: the browser asks to save data (29.1 MB)",
        ),
        ({"stack": "loading", "loaded": 12_345_678}, "loading scikit-learn: 12.3 MB of 29.1 MB…"),
        ({"stack": "loading", "loaded": 29_100_000}, "starting scikit-learn (29.1 MB loaded)…"),
        ({"stack": "ready", "versions": {"scikit-learn": "1.6.1"}}, "scikit-learn 1.6.1 loaded in the worker"),
        (
            {"stack": "ready", "versions": {"scikit-learn": "1.6.1"}, "kept": 29_100_000},
            "scikit-learn 1.6.1 loaded in the worker; its 29.1 MB are kept in this browser for offline use",
        ),
        ({"stack": "failed", "reason": "HTTP 404"}, "scikit-learn could not be loaded: HTTP 404"),
        (
            {"state": "failed", "reason": "this browser has no Web Workers"},
            "no training worker: this browser has no Web Workers; training runs on this page with the built-in engine",
        ),
    ],
)
def test_engine_status_says_what_the_worker_is_doing(changes, text):
    assert render.engine_status(dict(WORKER, **changes)) == text


def test_the_read_out_carries_the_workers_status_except_for_probabilities_from_a_file():
    worker = dict(WORKER, stack="loading", loaded=1_000_000)
    engine = parse(render.run_controls(trained(), worker=worker)).find(data_testid="engine")
    assert engine.find(data_testid="engine-note").text() == "(loading scikit-learn: 1.0 MB of 29.1 MB…)"
    assert engine["title"].endswith("(loading scikit-learn: 1.0 MB of 29.1 MB…)")
    assert not parse(render.run_controls(trained(), worker=dict(WORKER, state="off"))).find_all(
        data_testid="engine-note"
    )
    state = trained()
    state.given_probabilities = [[1 / 3] * 3] * len(state.labels)
    assert not parse(render.run_controls(state, worker=worker)).find_all(data_testid="engine-note")


def test_engine_settings_show_values_limits_and_defaults():
    state = trained()
    state.set_engine("svm_C", "3")
    root = parse(render.engine_settings(state))
    for name, key in (("svm_C", "C"), ("svm_gamma", "gamma"), ("n_folds", "folds")):
        field = root.find("input", data_testid=f"engine-{key}")
        lo, hi = ENGINE_LIMITS[name]
        assert (field["min"], field["max"]) == (f"{lo:g}", f"{hi:g}")
        assert field["data-name"] == name and field.has("required") and not disabled(field)
        assert root.find("label", for_=f"engine-{key}")  # every field is labelled
    assert root.find("input", data_testid="engine-C")["value"] == "3"
    defaults = [s.text() for s in root.find_all("span", class_="muted")]
    assert defaults == [
        f"default {ENGINE_DEFAULTS['svm_C']:g}",
        f"default {ENGINE_DEFAULTS['svm_gamma']:g} ✓",
        f"default {ENGINE_DEFAULTS['n_folds']:g} ✓",
        root.find(id="engine-message").text(),
    ]


def test_engine_settings_are_off_for_probabilities_from_a_file():
    data = tiny_dataset()
    probabilities = probabilities_for(data.given)
    state = ExplorerState(data, given_probabilities=probabilities, is_demo=False)
    state.finish_training(list(data.given), probabilities, {"engine": "file", "source": "p.csv"})
    root = parse(render.engine_settings(state))
    assert all(disabled(e) for e in root.find_all("input") + root.find_all("button"))
    assert "nothing is trained" in root.find(id="engine-message").text()
    controls = parse(render.run_controls(state))
    assert controls.find(data_testid="run").text() == "Re-analyse"
    assert disabled(controls.find(data_testid="reseed"))  # no folds to reshuffle


def test_tune_in_the_settings_and_cancel_while_training():
    state = trained()
    tune = parse(render.engine_settings(state)).find(data_testid="tune")
    assert tune.text() == "Tune C and γ" and not disabled(tune) and "log loss" in tune["title"]
    assert not parse(render.run_controls(state)).find_all(data_testid="cancel-training")
    state.running = True
    assert disabled(parse(render.engine_settings(state)).find(data_testid="tune"))
    cancel = parse(render.run_controls(state, busy=True)).find(data_testid="cancel-training")
    assert cancel["data-action"] == "cancel-training" and not disabled(cancel)
    state.running, state.given_probabilities = False, state.training.probabilities
    assert disabled(parse(render.engine_settings(state)).find(data_testid="tune"))  # nothing is trained then
