"""cleanlens.web.render.topbar: Train / New seed, the engine read-out and settings, the tool buttons."""

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
    assert "out of date" in root.find(data_testid="stale").text()
    assert not disabled(root.find(data_testid="run"))
    state.relabel(0, 0)
    state.set_engine("svm_C", "3")
    root = parse(render.run_controls(state))
    assert root.find(data_testid="engine-changed") and not root.find_all(data_testid="stale")


def test_engine_read_out_names_the_engine_and_its_settings_with_a_plain_title():
    state = trained()
    engine = parse(render.run_controls(state, busy=False)).find(data_testid="engine")
    text = engine.text()
    assert "builtin cleanlens 0 · RBF SVM C=10, γ=0.03 · 5-fold CV · seed 0 · trained here in 0.50 s" in text
    assert "scikit-learn is not bundled" in engine.find(data_testid="engine-note").text()
    assert "<span" not in engine["title"]
    assert engine["title"] == text.removeprefix("Engine: ")


def test_engine_label_explains_the_engine_choice_and_escapes_file_names():
    info = dict(INFO, built=True)
    assert "computed when this site was built" in render.engine_label(info, True)
    assert "scikit-learn imports but was not chosen" in render.engine_label(info, True)
    assert "engine-note" not in render.engine_label(dict(info, engine="sklearn"), True)
    label = render.engine_label({"engine": "file", "source": HOSTILE + ".csv"}, False)
    assert label == f"probabilities from your file {HOSTILE_ESCAPED}.csv (nothing to train)"


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
