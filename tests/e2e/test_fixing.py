"""Fixing your own labels (issue 21), as a data scientist does it with a truth column to check by: Accept all
says what it will do before doing it and, at its defaults, leaves fewer wrong labels; the analysis and the
export stay on the file's basis; the keyboard reviews one issue after another; the work survives a reload."""

import io

import numpy as np
import pandas as pd
from playwright.sync_api import expect
from sklearn.datasets import load_digits, load_wine

from cleanlens import fixing
from cleanlens.tuning import scale_gamma, tune
from cleanlens.userdata import load_files
from cleanlens.web.render import CHECK_FIXES

from .conftest import wait_until_started
from .expected import COUNT_IDS, PAGE_LIMITS, own_categorize, page_counts, page_engine
from .test_own_data import load, wait_loaded
from .test_own_data_sizes import wait_trained
from .test_sessions import label_of, wait_saved
from .userfiles import blobs, digits, features_csv, npy_pair, probabilities_frame

BASIS = ["id", "given", "suggested", "category", "is_label_issue"]


def digits_with_truth():
    """The digits of userfiles.digits (5% of labels flipped, cross-validated probabilities) as a probabilities
    CSV with a truth column, as ``DataFrame.to_csv`` writes it."""
    _, labels, probs = digits()
    frame = probabilities_frame(labels, probs)
    frame.insert(1, "truth", load_digits().target)
    return [("digits.csv", frame.to_csv(index=False).encode())]


def known_errors(page):
    return int(page.get_by_test_id("known-errors").inner_text())


def exported(page):
    with page.expect_download() as download:
        page.get_by_test_id("export-csv").click()
    return pd.read_csv(io.StringIO(open(download.value.path(), encoding="utf-8").read()), dtype=str)


def test_accept_all_at_its_defaults_leaves_fewer_wrong_labels_and_keeps_one_basis(ready):
    files = digits_with_truth()
    load(ready, files)
    wait_loaded(ready, "digits.csv")
    loaded = load_files(files)
    data = loaded.dataset
    plan = fixing.plan(data.given, loaded.probabilities)  # cleanlab's find_label_issues: the page's own-data rule
    outcome = plan.outcome(data.truth)
    assert known_errors(ready) == outcome.errors_before == int(np.sum(np.array(data.given) != np.array(data.truth)))
    counts, before = page_counts(ready), exported(ready)[BASIS]

    ready.get_by_test_id("accept-all").click()
    summary = ready.get_by_test_id("accept-summary")
    expect(summary).to_have_text(plan.summary(truth=data.truth))  # the rule, the count, the estimate, precision
    expect(summary).to_be_focused()
    assert ready.get_by_test_id("accept-choice-likely").is_checked()
    ready.get_by_test_id("accept-confirm").click()

    assert known_errors(ready) == outcome.errors_after < outcome.errors_before  # fewer wrong labels
    assert f"Accepted {outcome.changed:,} suggested label" in ready.get_by_test_id("accept-all-done").inner_text()
    assert page_counts(ready) == counts  # decisions are marks: the analysis keeps its basis
    assert ready.get_by_test_id("run").is_disabled()  # nothing offers to re-analyse against the same pred_probs
    assert ready.get_by_test_id("check-fixes").inner_text() == CHECK_FIXES
    after = exported(ready)
    assert after[BASIS].equals(before)  # the export's basis is the file's, before and after the decisions
    assert (after["decision"] == "accept").sum() == outcome.changed

    wait_saved(ready)
    ready.reload()
    assert wait_until_started(ready) == "ready"
    assert known_errors(ready) == outcome.errors_after and page_counts(ready) == counts


def test_the_worst_ranked_n_and_cancel(ready):
    files = digits_with_truth()
    load(ready, files)
    wait_loaded(ready, "digits.csv")
    loaded = load_files(files)
    plan = fixing.plan(loaded.dataset.given, loaded.probabilities)
    ready.get_by_test_id("accept-all").click()
    n = ready.get_by_test_id("accept-n")
    assert n.input_value() == str(plan.num_label_issues)  # n defaults to cleanlab's estimate
    n.fill("7")
    n.press("Tab")
    expect(ready.get_by_test_id("accept-choice-worst")).to_be_checked()
    expect(ready.get_by_test_id("accept-summary")).to_have_text(plan.summary("worst", 7, truth=loaded.dataset.truth))
    assert ready.get_by_test_id("accept-confirm").inner_text() == "Accept 7 labels"
    ready.get_by_test_id("accept-cancel").click()
    assert ready.get_by_test_id("accept-plan").count() == 0
    assert known_errors(ready) == plan.outcome(loaded.dataset.truth, []).errors_before  # nothing changed


def test_review_with_the_keyboard_moves_to_the_next_issue_and_survives_a_reload(ready):
    _, labels, probs = digits()
    load(ready, npy_pair(labels, probs))
    wait_loaded(ready, "labels.npy + pred_probs.npy")
    items = ready.locator('[data-testid="label_issue-items"] button.pick')
    order = [int(i) for i in items.evaluate_all("els => els.slice(0, 4).map(e => e.dataset.i)")]
    items.first.focus()
    for n, key in enumerate("akx"):  # accept, keep, exclude
        ready.keyboard.press(key)
        nxt = order[n + 1]
        expect(ready.get_by_test_id("detail-id")).to_have_text(f"#{nxt}")  # the next undecided issue is pinned
        focused = ready.evaluate("document.activeElement.dataset.i")
        assert focused == str(nxt)  # and focused: the next key decides on it
    assert label_of(ready, order[0]) == str(int(np.argmax(probs[order[0]])))  # accepted: the most probable class
    assert label_of(ready, order[1]) == str(labels[order[1]])
    ready.keyboard.press("u")  # undo on the pinned one, which has no decision: nothing happens
    wait_saved(ready)
    ready.reload()
    assert wait_until_started(ready) == "ready"
    marks = ready.locator('[data-testid="label_issue-items"] li.decided')
    decided = dict(marks.evaluate_all("els => els.map(e => [e.dataset.i, e.className])"))
    assert {int(i) for i in decided} == set(order[:3])
    assert "accept" in decided[str(order[0])] and "keep" in decided[str(order[1])]
    assert "exclude" in decided[str(order[2])]


def wine_features():
    """scikit-learn's wine (178 x 13) with 5% of its labels flipped, as a features CSV (DataFrame.to_csv)."""
    x, truth = load_wine(return_X_y=True)
    rng = np.random.default_rng(0)
    noisy = truth.copy()
    flip = rng.choice(len(truth), 9, replace=False)
    noisy[flip] = (noisy[flip] + rng.integers(1, 3, size=9)) % 3
    return features_csv(x, noisy, name="wine.csv")


def test_tune_chooses_c_and_gamma_as_the_engine_does_and_gamma_defaults_to_scale(ready):
    files = wine_features()
    load(ready, files, mode="embeddings")
    wait_trained(ready, 178)
    data = load_files(files, mode="embeddings", **PAGE_LIMITS).dataset
    engine = page_engine(len(data.given))
    ready.get_by_test_id("engine-settings").click()
    assert float(ready.get_by_test_id("engine-gamma").input_value()) == scale_gamma(data.features)
    ready.get_by_test_id("tune").click()
    expected = tune(data.features, data.given, 3, engine=engine, n_folds=5, seed=0)
    expect(ready.get_by_test_id("engine")).to_contain_text(f"C={expected.C:g}, γ={expected.gamma:.3g}", timeout=120_000)
    ready.locator('body[data-state="ready"]').wait_for(state="attached")
    assert page_counts(ready) == {
        c: n for c, n in own_categorize(data.given, expected.result.probabilities, 3).counts.items() if c in COUNT_IDS
    }
    assert float(ready.get_by_test_id("engine-C").input_value()) == expected.C  # the settings take the choice
    assert ready.get_by_test_id("run").is_disabled()  # nothing new to train
    wait_saved(ready)
    ready.reload()
    assert wait_until_started(ready) == "ready"
    expect(ready.get_by_test_id("engine")).to_contain_text(f"C={expected.C:g}")


def test_tune_can_be_cancelled_and_the_previous_results_stay(ready):
    X, labels, _ = blobs(1_000, 16, k=3, seed=4)
    files = features_csv(X, labels)
    load(ready, files, mode="embeddings")
    wait_trained(ready, 1_000)
    counts, read_out = page_counts(ready), ready.get_by_test_id("engine").inner_text()
    ready.get_by_test_id("engine-settings").click()
    ready.get_by_test_id("tune").click()
    ready.locator('#stage:has-text("Tuning C and γ")').wait_for(timeout=60_000)
    ready.get_by_test_id("cancel-training").click()
    ready.locator('body[data-state="ready"]').wait_for(state="attached", timeout=30_000)
    expect(ready.get_by_test_id("cancel-training")).to_have_count(0)
    assert page_counts(ready) == counts and ready.get_by_test_id("engine").inner_text() == read_out
    expect(ready.get_by_test_id("tune")).to_be_enabled()
