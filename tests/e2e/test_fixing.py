"""Fixing your own labels (issue 21), as a data scientist does it with a truth column to check by: Accept all
says what it will do before doing it and, at its defaults, leaves fewer wrong labels; the analysis and the
export stay on the file's basis; the keyboard reviews one issue after another; the work survives a reload."""

import io

import numpy as np
import pandas as pd
from playwright.sync_api import expect
from sklearn.datasets import load_digits

from cleanlens import fixing
from cleanlens.userdata import load_files
from cleanlens.web.render import CHECK_FIXES

from .conftest import wait_until_started
from .expected import page_counts
from .test_own_data import load, wait_loaded
from .test_sessions import label_of, wait_saved
from .userfiles import digits, npy_pair, probabilities_frame

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
