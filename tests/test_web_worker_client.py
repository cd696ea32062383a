"""cleanlens.web.worker_client: its pure parts under CPython (the engine choice, the preload rule, the messages).

The browser parts (the Worker, typed arrays, cancel and restart) are tested in the page: tests/e2e/test_worker.py.
"""

import asyncio

import pytest
from sklearn.datasets import load_wine

from cleanlens.crossval import CrossValError, out_of_sample_probabilities
from cleanlens.web import BUILTIN_EMBEDDING_ROWS, worker, worker_client
from cleanlens.web.worker_client import choose_engine, preload_allowed


def test_the_stack_is_preloaded_unless_the_browser_asks_to_save_data_or_is_slow_or_small():
    assert preload_allowed() == (True, "")
    assert preload_allowed(effective_type="4g", device_memory=8) == (True, "")
    assert preload_allowed(save_data=True) == (False, "the browser asks to save data")
    assert preload_allowed(effective_type="3g") == (False, "the connection is slow (3g)")
    assert preload_allowed(effective_type="slow-2g")[0] is False
    assert preload_allowed(device_memory=2) == (False, "this device reports little memory (2 GB)")
    assert preload_allowed(device_memory=0.5)[1] == "this device reports little memory (0.5 GB)"
    assert preload_allowed(device_memory=4) == (True, "")


@pytest.mark.parametrize(
    "stack, n, engine",
    [
        ("ready", 10, "sklearn"),  # auto uses scikit-learn once it is loaded
        ("none", 300, "builtin"),
        ("loading", BUILTIN_EMBEDDING_ROWS, "builtin"),  # train now rather than wait for it
        ("loading", BUILTIN_EMBEDDING_ROWS + 1, "sklearn"),
        ("none", BUILTIN_EMBEDDING_ROWS, "builtin"),
        ("none", BUILTIN_EMBEDDING_ROWS + 1, "sklearn"),  # beyond the built-in engine: loaded on demand
        ("failed", BUILTIN_EMBEDDING_ROWS, "builtin"),
    ],
)
def test_the_engine_auto_chooses(stack, n, engine):
    assert choose_engine({"stack": stack}, n) == engine


def test_data_only_scikit_learn_can_train_is_refused_when_it_failed_to_load():
    with pytest.raises(CrossValError, match=r"2,001 items need scikit-learn .* could not be loaded: HTTP 404"):
        choose_engine({"stack": "failed", "reason": "HTTP 404"}, BUILTIN_EMBEDDING_ROWS + 1)


def test_a_request_made_by_the_client_and_answered_by_the_worker_is_the_same_cross_validation():
    """The page's message (arrays, as the page copies them into typed arrays) through the worker's Trainer and back
    through cv_result gives the CVResult that out_of_sample_probabilities gives."""
    data = load_wine()
    features, labels = data.data.tolist(), data.target.tolist()
    settings = {"C": 3.0, "gamma": 0.01, "folds": 4, "seed": 2}
    message = worker_client.train_message(11, features, labels, 3, "sklearn", settings)
    # the browser hands the worker memoryviews of the typed arrays
    message = dict(message, features=memoryview(message["features"]), labels=memoryview(message["labels"]))
    posted = []

    async def main():
        trainer = worker.Trainer(posted.append)
        trainer.handle(message)
        await asyncio.gather(*list(trainer.tasks))

    asyncio.run(main())
    reply = posted[-1]
    got = worker_client.cv_result(reply, 3)
    expected = out_of_sample_probabilities(features, labels, 3, engine="sklearn", C=3.0, gamma=0.01, n_folds=4, seed=2)
    assert got.probabilities == expected.probabilities
    assert got.folds == expected.folds
    assert (got.engine, got.C, got.gamma, got.n_folds, got.seed) == ("sklearn", 3.0, 0.01, 4, 2)
    assert isinstance(worker_client.cv_result(dict(reply, C=3), 3).C, float)  # as JavaScript's 3.0 arrives
    assert got.versions == expected.versions
    assert 0 < got.seconds


def test_the_client_is_idle_until_the_page_starts_it():
    client = worker_client.WorkerClient()
    assert client.status["state"] == "off" and not client.usable()
