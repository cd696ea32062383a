"""Fixing labels in the page (accept, keep, exclude, accept all), retraining, and the exports."""

import csv
import hashlib
import io
import json

import pytest

from cleanlens.confident import CATEGORIES
from cleanlens.web import DEMO_DATASET

from .conftest import wait_for_results
from .expected import ROOT, _probabilities, categorize, demo, page_counts


def test_accept_all_then_retrain(ready):
    result = categorize()
    issues = result.label_issues
    if not issues:
        pytest.skip("the demo has no label issue at the defaults")
    ready.locator('[data-action="tab-results"][data-tab="label_issue"]').click()
    ready.get_by_test_id("accept-all").click()
    ready.get_by_test_id("accept-choice-all").check()
    ready.get_by_test_id("accept-confirm").click()
    labels = list(demo().given)
    for i in issues:
        labels[i] = result.suggested[i]
        assert ready.locator(f'select[data-action="relabel"][data-i="{i}"]').input_value() == str(labels[i])
    assert ready.get_by_test_id("known-errors").inner_text() == str(len(demo().known_errors(labels)))
    ready.get_by_test_id("run").click()
    wait_for_results(ready)
    expected = categorize(labels=labels)
    assert page_counts(ready) == {c: expected.counts[c] for c in CATEGORIES}


def test_accept_keep_exclude_undo_from_the_detail_panel(ready):
    result = categorize()
    i = (result.label_issues or result.correct)[0]
    ready.locator(f'#tiles button[data-i="{i}"]').click()
    tile = ready.locator(f'#tiles button[data-i="{i}"]')
    if result.label_issues:
        ready.get_by_test_id("accept").click()
        # the next undecided issue is pinned (review at speed); the decision shows on the item
        listed = ready.locator('[data-testid="label_issue-items"] li').evaluate_all("els => els.map(e => +e.dataset.i)")
        if len(listed) > 1:
            nxt = listed[(listed.index(i) + 1) % len(listed)]
            assert ready.get_by_test_id("detail-id").inner_text() == demo().ids[nxt]
        tile.click()
        assert ready.get_by_test_id("decision").inner_text() == "Your decision: suggestion accepted"
        assert ready.locator(f'select[data-action="relabel"][data-i="{i}"]').input_value() == str(result.suggested[i])
    ready.get_by_test_id("keep").click()
    assert ready.locator(f'select[data-action="relabel"][data-i="{i}"]').input_value() == str(demo().given[i])
    tile.click()
    ready.get_by_test_id("exclude").click()
    tile.click()
    assert ready.get_by_test_id("decision").inner_text() == "Your decision: excluded (OOD)"
    assert ready.get_by_test_id("run").is_enabled()
    ready.get_by_test_id("undo").click()
    assert ready.get_by_test_id("decision").count() == 0
    assert ready.get_by_test_id("run").is_disabled()


def test_excluded_images_are_left_out_of_training(ready):
    result = categorize()
    out = (result.ood or result.unconfident)[:2]
    for i in out:
        ready.locator(f'#tiles button[data-i="{i}"]').click()
        ready.get_by_test_id("exclude").click()
    ready.get_by_test_id("run").click()
    wait_for_results(ready)
    data = demo()
    active = [i for i in range(len(data.ids)) if i not in out]
    from cleanlens.confident import ConfidentLearning
    from cleanlens.crossval import out_of_sample_probabilities

    probs = out_of_sample_probabilities(
        [data.features[i] for i in active], [data.given[i] for i in active], len(data.classes), engine="builtin", seed=0
    ).probabilities
    expected = ConfidentLearning([data.given[i] for i in active], probs, len(data.classes)).categorize(50, 15)
    assert page_counts(ready) == {c: expected.counts[c] for c in CATEGORIES}
    for i in out:
        assert ready.locator(f'#tiles > li[data-i="{i}"]').get_attribute("data-cat") == "excluded"


@pytest.mark.parametrize("kind", ["csv", "json"])
def test_export_matches_the_engine_field_by_field(ready, kind):
    result = categorize()
    data = demo()
    fix = (result.label_issues or result.correct)[0]
    ready.locator(f'#tiles button[data-i="{fix}"]').click()
    if result.label_issues:
        ready.get_by_test_id("accept").click()
    with ready.expect_download() as download:
        ready.get_by_test_id(f"export-{kind}").click()
    text = open(download.value.path(), encoding="utf-8").read()
    assert download.value.suggested_filename == f"{DEMO_DATASET.rsplit('/', 1)[-1].rsplit('.', 1)[0]}-fixes.{kind}"
    if kind == "json":
        payload = json.loads(text)
        audit, rows = payload["audit"], payload["items"]
        sha = hashlib.sha256((ROOT / DEMO_DATASET).read_bytes()).hexdigest()
        assert audit["dataset_sha256"] == sha
        assert str(audit["seed"]) == "0" and str(audit["folds"]) == "5" and audit["engine"] == "builtin"
        assert audit["rule"] == "percentile" and float(audit["class_percentile"]) == 50
    else:  # plain CSV (the audit is the separate "audit" export); empty cells for None
        rows = [{k: v or None for k, v in row.items()} for row in csv.DictReader(io.StringIO(text))]
    probs = _probabilities(tuple(data.given), 0)
    assert len(rows) == len(data.ids)
    for i, row in enumerate(rows):
        assert row["id"] == data.ids[i]
        assert row["given"] == data.classes[data.given[i]]
        assert row["category"] == CATEGORIES[result.categories[i]]
        assert str(row["is_label_issue"]) == str(result.categories[i] == 1)
        sug = result.suggested[i]
        assert row["suggested"] == (None if sug is None else data.classes[sug])
        assert float(row["label_quality"]) == pytest.approx(probs[i][data.given[i]], abs=1e-12)
        expected_decision = "accept" if (i == fix and result.label_issues) else None
        assert row["decision"] == expected_decision
        expected_label = sug if expected_decision == "accept" else data.given[i]
        assert row["final_label"] == data.classes[expected_label]
