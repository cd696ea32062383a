"""Checking fixes of a probabilities file (issue 21): accept the suggestions, export, retrain the model on the
fixed labels as a user does (cross_val_predict), load its new pred_probs on top of the session: the decisions
are kept, the page says how many accepted fixes the new analysis still flags (as the CPython engine counts
them), across a reload; a file of other items opens a new session and says why; a malformed one changes
nothing."""

import os
import warnings

import numpy as np
import pandas as pd
from playwright.sync_api import expect
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_predict

from cleanlens.web.state.carryover import CarryOver, sentence

from .conftest import wait_until_started
from .expected import own_categorize
from .test_fixing import exported
from .test_own_data import load, wait_loaded
from .test_sessions import wait_saved
from .userfiles import digits

SHOTS = os.environ.get("CLEANLENS_SHOTS")  # a folder: screenshots of the message


def digits_csv(labels, probs, name, rows=slice(None)):
    """Digits probabilities with ids and a truth column, as ``DataFrame.to_csv`` writes them."""
    frame = pd.DataFrame(probs, columns=[f"p_{k}" for k in range(probs.shape[1])])
    frame.insert(0, "label", labels)
    frame.insert(0, "truth", load_digits().target)
    frame.insert(0, "id", [f"d{i:04d}" for i in range(len(labels))])
    return [(name, frame[rows].to_csv(index=False).encode())]


def retrained(X, labels):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cross_val_predict(LogisticRegression(max_iter=1000), X, labels, cv=5, method="predict_proba")


def test_new_pred_probs_on_top_keep_the_decisions_and_say_which_fixes_the_model_agrees_with(ready):
    X, noisy, probs = digits()
    load(ready, digits_csv(noisy, probs, "digits.csv"))
    wait_loaded(ready, "digits.csv")
    ready.get_by_test_id("accept-all").click()
    ready.get_by_test_id("accept-confirm").click()
    export = exported(ready)
    accepted = np.flatnonzero(export["decision"] == "accept")
    assert len(accepted) > 0
    fixed = export["final_label"].astype(int).to_numpy()
    new_probs = retrained(X, fixed)

    load(ready, digits_csv(fixed, new_probs, "digits-fixed.csv"))
    wait_loaded(ready, "digits-fixed.csv")
    flagged = set(own_categorize(fixed.tolist(), new_probs.tolist(), 10).flagged)  # the CPython engine
    carried = CarryOver("digits.csv", len(accepted), {int(i): int(fixed[i]) for i in accepted}, by_id=True)
    expected = sentence(carried, len(fixed), fixed.tolist(), flagged)
    note = ready.get_by_test_id("carried-over")
    expect(note).to_have_text(expected)
    agree = sum(1 for i in accepted if i not in flagged)
    assert f"{agree:,} of your {len(accepted):,} accepted fixes now agree with the model" in expected
    after = exported(ready)
    assert list(np.flatnonzero(after["decision"] == "accept")) == list(accepted)  # kept, by id
    assert (after["given"] == after["final_label"]).all()  # the fixes are this file's labels: marks only
    assert ready.get_by_test_id("check-fixes").count() == 0
    if SHOTS:
        ready.screenshot(path=os.path.join(SHOTS, "carried-over-1440-light.png"))
        ready.emulate_media(color_scheme="dark")
        ready.set_viewport_size({"width": 390, "height": 844})
        ready.get_by_test_id("carried-over").scroll_into_view_if_needed()
        ready.screenshot(path=os.path.join(SHOTS, "carried-over-390-dark.png"))
        ready.emulate_media(color_scheme="light")
        ready.set_viewport_size({"width": 1440, "height": 900})

    wait_saved(ready)
    ready.reload()
    assert wait_until_started(ready) == "ready"
    expect(ready.get_by_test_id("carried-over")).to_have_text(expected)

    load(ready, [("broken.csv", b"label,p_0,p_1\n0,0.5\n")])  # malformed: refused, nothing changes
    expect(ready.get_by_test_id("byo-message")).to_contain_text("broken.csv")
    ready.get_by_test_id("byo-close").click()
    expect(ready.get_by_test_id("carried-over")).to_have_text(expected)
    assert ready.get_by_test_id("engine").inner_text().count("digits-fixed.csv") == 1

    load(ready, digits_csv(fixed, new_probs, "digits-part.csv", rows=slice(0, 1000)))
    wait_loaded(ready, "digits-part.csv")
    expect(ready.get_by_test_id("data-notes")).to_contain_text(
        "Your decisions on digits-fixed.csv were not carried over to this file: the new file has 1,000 items, "
        "the previous one 1,797."
    )
    assert ready.get_by_test_id("carried-over").count() == 0
