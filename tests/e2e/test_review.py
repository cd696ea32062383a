"""Reviewing issues as a data scientist does: ranked lists, "Accept all" that respects decisions, class names
for .npy data, and exports that load with a plain pandas.read_csv."""

import io
import json

import pandas as pd

from .expected import categorize, demo
from .test_own_data import load, random_probabilities, wait_loaded
from .test_sessions import decide, label_of
from .userfiles import npy_bytes, npy_pair


def test_accept_all_respects_decisions_says_what_it_did_and_undoes_in_one_step(ready):
    result = categorize()
    issues = result.label_issues
    kept, excluded = issues[0], issues[1]
    decide(ready, kept, "keep")
    decide(ready, excluded, "exclude")
    pending = ready.get_by_test_id("accept-pending")
    assert pending.inner_text() == f"{len(issues) - 2} listed without a decision; 2 you decided on"
    ready.get_by_test_id("accept-all").click()
    assert "the percentile rule" in ready.get_by_test_id("accept-summary").inner_text()
    ready.get_by_test_id("accept-choice-all").check()  # every listed issue, not only the likely fixes
    confirm = ready.get_by_test_id("accept-confirm")
    assert confirm.inner_text() == f"Accept {len(issues) - 2} labels"
    confirm.click()
    assert f"Accepted {len(issues) - 2} suggested label" in ready.get_by_test_id("accept-all-done").inner_text()
    assert ready.get_by_test_id("accept-all").is_disabled()  # nothing left to accept
    assert label_of(ready, kept) == str(demo().given[kept])  # the explicit Keep stands
    for i in issues[2:]:
        assert label_of(ready, i) == str(result.suggested[i])
    decided = ready.locator('[data-testid="label_issue-items"] li.decided').evaluate_all(
        "els => els.map(e => +e.dataset.i)"
    )
    assert sorted(decided) == sorted(issues)  # every item in the list shows that it was decided on
    ready.get_by_test_id("undo-all").click()
    for i in issues[2:]:
        assert label_of(ready, i) == str(demo().given[i])
    assert label_of(ready, kept) == str(demo().given[kept])
    ready.locator(f'#tiles button[data-i="{excluded}"]').click()
    assert ready.get_by_test_id("decision").inner_text() == "Your decision: excluded (OOD)"


def test_results_are_ranked_worst_label_quality_first(ready):
    shown = ready.locator('[data-testid="label_issue-items"] li').evaluate_all("els => els.map(e => +e.dataset.i)")
    result = categorize()
    data = demo()
    from .expected import _probabilities  # noqa: PLC0415

    probs = _probabilities(tuple(data.given), 0)
    assert shown == sorted(result.label_issues, key=lambda i: (probs[i][data.given[i]], i))


def test_class_names_for_npy_files_from_the_dialog(ready):
    labels, probs = random_probabilities(n=90, k=3, seed=11)
    ready.get_by_test_id("byo-open").click()
    ready.get_by_test_id("byo-classes").fill("cat, dog, =HYPERLINK(1)")
    ready.get_by_test_id("byo-files").set_input_files(
        [{"name": n, "mimeType": "application/octet-stream", "buffer": b} for n, b in npy_pair(labels, probs)]
    )
    ready.get_by_test_id("byo-load").click()
    wait_loaded(ready, "labels.npy + pred_probs.npy")
    header = ready.locator("table.joint thead").inner_text()
    assert "cat" in header and "dog" in header and "=HYPERLINK(1)" in header
    ready.locator('#tiles button[data-i="5"]').click()
    assert ready.get_by_test_id("detail-id").inner_text() == "#5"


def test_class_names_for_npy_files_from_a_classes_file(ready):
    labels, probs = random_probabilities(n=60, k=2, seed=12)
    load(ready, npy_pair(labels, probs) + [("classes.txt", b"ant\nbee\n")])
    wait_loaded(ready, "labels.npy + pred_probs.npy")
    assert "ant" in ready.locator("table.joint thead").inner_text()


def test_the_csv_export_reads_with_plain_pandas_and_is_safe_in_a_spreadsheet(ready):
    labels, probs = random_probabilities(n=40, k=3, seed=13)
    load(
        ready,
        [
            ("labels.npy", npy_bytes(labels)),
            ("pred_probs.npy", npy_bytes(probs)),
            ("classes.json", json.dumps(["=1+1", "+cmd", "@SUM(A1)"]).encode()),
        ],
    )
    wait_loaded(ready, "labels.npy + pred_probs.npy")
    with ready.expect_download() as download:
        ready.get_by_test_id("export-csv").click()
    assert download.value.suggested_filename == "labels-fixes.csv"
    frame = pd.read_csv(io.StringIO(open(download.value.path(), encoding="utf-8").read()))
    assert list(frame.columns[:8]) == [
        "id",
        "given",
        "suggested",
        "category",
        "is_label_issue",
        "label_quality",
        "decision",
        "final_label",
    ]
    assert len(frame) == 40 and frame["label_quality"].dtype == float and frame["is_label_issue"].dtype == bool
    texts = set(frame["given"]) | set(frame["final_label"])
    assert texts <= {"'=1+1", "'+cmd", "'@SUM(A1)"}  # no cell starts a formula
    with ready.expect_download() as audit:
        ready.get_by_test_id("export-audit").click()
    record = json.loads(open(audit.value.path(), encoding="utf-8").read())
    assert record["items_file"] == "labels-fixes.csv" and record["audit"]["rule"] == "find-label-issues"
