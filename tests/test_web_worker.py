"""cleanlens.web.worker: the training worker's message handling, under CPython (in the page it runs in Pyodide)."""

import asyncio
from array import array

import pytest
from sklearn.datasets import load_iris

from cleanlens.crossval import out_of_sample_probabilities
from cleanlens.web import worker


def iris(n=150):
    data = load_iris()
    return data.data[:n].tolist(), data.target[:n].tolist()


def train_request(request_id, features, labels, engine="builtin", **settings):
    return {
        "type": "train",
        "id": request_id,
        "features": array("d", [x for row in features for x in row]).tobytes(),
        "rows": len(features),
        "cols": len(features[0]),
        "labels": array("i", labels).tobytes(),
        "n_classes": 3,
        "engine": engine,
        "C": settings.get("C", 1.0),
        "gamma": settings.get("gamma", 0.003),
        "folds": settings.get("folds", 5),
        "seed": settings.get("seed", 0),
    }


def run(messages, pause_hook=None):
    """Hand ``messages`` to a Trainer in turn and wait for its trainings; return what it posted.

    ``pause_hook(trainer, posted)``: called at every pause (to send messages while a training runs)."""
    posted = []

    async def main():
        trainer = None

        async def pause():
            if pause_hook is not None:
                pause_hook(trainer, posted)
            await asyncio.sleep(0)

        trainer = worker.Trainer(posted.append, pause, slice_seconds=0)  # a pause at every check
        for message in messages:
            trainer.handle(message)
        while trainer.tasks:
            await asyncio.gather(*list(trainer.tasks))

    asyncio.run(main())
    return posted


@pytest.mark.parametrize("engine", ["builtin", "sklearn"])
def test_a_training_posts_progress_then_the_result_of_the_same_cross_validation(engine):
    features, labels = iris()
    posted = run([train_request(7, features, labels, engine, seed=3)])
    *progress, result = posted
    assert all(m["type"] == "progress" and m["id"] == 7 for m in progress) and progress
    assert [m["fraction"] for m in progress] == sorted(m["fraction"] for m in progress)
    expected = out_of_sample_probabilities(features, labels, 3, engine=engine, seed=3)
    assert result["type"] == "result" and result["id"] == 7 and result["engine"] == engine
    flat = memoryview(result["probabilities"]).cast("d").tolist()
    assert flat == [p for row in expected.probabilities for p in row]  # bit for bit: the same code
    sizes = memoryview(result["fold_sizes"]).cast("i").tolist()
    items = memoryview(result["fold_items"]).cast("i").tolist()
    assert sizes == [len(fold) for fold in expected.folds] and items == [i for fold in expected.folds for i in fold]
    assert (result["C"], result["gamma"], result["folds"], result["seed"]) == (1.0, 0.003, 5, 3)
    assert result["versions"]["cleanlens"] == expected.versions["cleanlens"]
    assert ("scikit-learn" in result["versions"]) == (engine == "sklearn")


def test_a_cancel_stops_the_training_at_its_next_pause():
    features, labels = iris()

    def cancel_once(trainer, posted):
        if not any(m["type"] == "cancelled" for m in posted):
            trainer.handle({"type": "cancel", "id": 1})

    posted = run([train_request(1, features, labels)], cancel_once)
    assert posted[-1] == {"type": "cancelled", "id": 1}
    assert not any(m["type"] == "result" for m in posted)


def test_a_new_training_supersedes_the_running_one():
    features, labels = iris()
    sent = []

    def second_request(trainer, posted):
        if not sent:
            sent.append(2)
            trainer.handle(train_request(2, features, labels, seed=1))

    posted = run([train_request(1, features, labels)], second_request)
    assert {"type": "cancelled", "id": 1} in posted
    results = [m for m in posted if m["type"] == "result"]
    assert [m["id"] for m in results] == [2] and results[0]["seed"] == 1


def test_a_cancel_for_another_training_changes_nothing():
    features, labels = iris()
    posted = run([train_request(1, features, labels), {"type": "cancel", "id": 99}])
    assert posted[-1]["type"] == "result"


def test_unusable_inputs_are_an_input_error_with_the_engines_message():
    features, labels = iris()
    labels[4] = 5
    (error,) = [m for m in run([train_request(3, features, labels)]) if m["type"] != "progress"]
    assert error == {
        "type": "error",
        "id": 3,
        "message": "item 4: label 5 is not a class index in 0..2",
        "kind": "input",
    }
    bad = dict(train_request(4, features, iris()[1]), rows=149)
    assert run([bad])[-1]["message"] == "600 feature values for 149 rows of 4"


def test_anything_else_is_an_internal_error_and_the_worker_goes_on(capsys):
    features, labels = iris()
    broken = train_request(5, features, labels)
    del broken["C"]
    posted = run([broken, train_request(6, features, labels)])
    errors = [m for m in posted if m["type"] == "error"]
    assert errors == [{"type": "error", "id": 5, "message": "KeyError: 'C'", "kind": "internal"}]
    assert posted[-1]["type"] == "result" and posted[-1]["id"] == 6
    assert "Traceback" in capsys.readouterr().out  # the worker's console


def test_an_unknown_message_is_answered_with_an_error():
    assert run([{"type": "frobnicate", "id": 8}]) == [
        {"type": "error", "id": 8, "message": "unknown message 'frobnicate'", "kind": "internal"}
    ]


def test_warm_up_names_the_stacks_versions():
    import numpy
    import scipy
    import sklearn

    assert worker.warm_up() == {
        "scikit-learn": sklearn.__version__,
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
    }


def tune_request(request_id, features, labels, cells=None):
    message = dict(train_request(request_id, features, labels, "sklearn"), type="tune")
    del message["C"], message["gamma"]
    if cells is not None:
        message["cells"] = cells
    return message


def test_a_tune_posts_progress_then_its_choice_and_the_chosen_result():
    from cleanlens.tuning import tune

    features, labels = iris()
    cells = [[1.0, 0.1], [3.0, 0.25]]
    posted = run([tune_request(4, features, labels, cells)])
    *progress, tuned, result = posted
    assert progress and all(m["type"] == "progress" and m["stage"] == "tune" for m in progress)
    assert {m["fold"] for m in progress} == {0, 1} and {m["n_folds"] for m in progress} == {2}
    expected = tune(features, labels, 3, [tuple(c) for c in cells], engine="sklearn")
    assert tuned == {
        "type": "tuned",
        "id": 4,
        "C": expected.C,
        "gamma": expected.gamma,
        "log_loss": expected.log_loss,
        "scores": [list(c) for c in expected.scores],
    }
    assert result["type"] == "result" and (result["C"], result["gamma"]) == (expected.C, expected.gamma)


def test_a_training_supersedes_a_running_tune():
    features, labels = iris()

    def second_request(trainer, posted):
        if len(posted) == 2:
            trainer.handle(train_request(6, features, labels))

    posted = run([tune_request(5, features, labels, [[1.0, 0.1]])], second_request)
    assert {"type": "cancelled", "id": 5} in posted and posted[-1]["type"] == "result" and posted[-1]["id"] == 6
