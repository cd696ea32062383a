"""The Dataset health tab against the command line, by keyboard: scikit-learn's digits with 6% of the labels
flipped (as issue 20 made them). The page's health numbers equal ``find-issues --health --json --ties portable``
on the same .npy files, its counts under each rule equal the command line's and the engine's, a pair opens its
cell of the confident joint, the tab survives a reload, and axe-core finds no serious violation on it."""

import json

import numpy as np
import pytest

from cleanlens.cli import main
from cleanlens.confident import CATEGORIES

from .conftest import BOOT_TIMEOUT_MS, wait_until_started
from .expected import own_categorize, page_counts
from .test_accessibility import AXE
from .userfiles import digits

RULE_ORDER = ("percentile", "find-label-issues", "confident-joint")
"""The rule select's options, in order (arrow keys move along them)."""


@pytest.fixture
def files(tmp_path):
    _, labels, pred_probs = digits(share=0.06, max_iter=2000)
    np.save(tmp_path / "labels.npy", labels)
    np.save(tmp_path / "pred_probs.npy", pred_probs)
    return tmp_path


def cli(files, capsys, *options):
    """``find-issues --json --ties portable`` on the files, with ``options``: the report."""
    args = ["find-issues", "--labels", str(files / "labels.npy"), "--pred-probs", str(files / "pred_probs.npy")]
    assert main([*args, "--ties", "portable", "--json", *options]) == 0
    return json.loads(capsys.readouterr().out)


def press(page, testid, key="Enter"):
    page.get_by_test_id(testid).focus()
    page.keyboard.press(key)


def load_by_keyboard(page, files):
    """Your data, opened and loaded by keyboard (the files chosen as a file picker would)."""
    press(page, "byo-open")
    page.get_by_test_id("byo-files").set_input_files([str(files / "labels.npy"), str(files / "pred_probs.npy")])
    press(page, "byo-load")
    page.locator('[data-testid="engine"]:has-text("labels.npy")').wait_for(timeout=60_000)
    page.locator('body[data-state="ready"]').wait_for(state="attached", timeout=BOOT_TIMEOUT_MS)


def choose_rule(page, rule):
    """Move the rule select to ``rule`` with the arrow keys."""
    select = page.get_by_test_id("rule")
    now = RULE_ORDER.index(select.input_value())
    select.focus()
    step = "ArrowDown" if RULE_ORDER.index(rule) > now else "ArrowUp"
    for _ in range(abs(RULE_ORDER.index(rule) - now)):
        page.keyboard.press(step)
    page.locator(f'[data-testid="rule"]:has(option[value="{rule}"]:checked)').wait_for()
    assert select.input_value() == rule


def value(locator):
    return float(locator.get_attribute("data-value"))


def assert_health_equals(page, report):
    """The tab's numbers equal the command line's ``health`` section exactly."""
    health = report["health"]
    tab = page.get_by_test_id("health")
    assert value(tab.get_by_test_id("health-score")) == health["overall_label_health_score"]
    assert value(tab.get_by_test_id("health-num-issues")) == health["num_label_issues"]
    rows = tab.locator('[data-testid="health-classes"] tbody tr')
    assert rows.count() == len(health["classes"]) == 10
    for n, expected in enumerate(health["classes"]):
        row = rows.nth(n)
        assert row.get_attribute("data-testid") == f"health-class-{expected['Class Index']}"
        assert row.locator("th").inner_text().strip() == expected["Class Name"]
        cells = [float(v) for v in row.locator("td").evaluate_all("tds => tds.map(td => td.dataset.value)")]
        columns = ("Label Issues", "Inverse Label Issues", "Inverse Label Noise", "Label Quality Score")
        assert cells == [expected[c] for c in columns]
    overlapping = [p for p in health["overlapping_classes"] if p["Joint Probability"] > 0][:20]
    rows = tab.locator('[data-testid="health-pairs"] tbody tr')
    assert rows.count() == len(overlapping) == 20
    for n, expected in enumerate(overlapping):
        row = rows.nth(n)
        assert (
            row.get_attribute("data-testid")
            == f"health-pair-row-{expected['Class Index A']}-{expected['Class Index B']}"
        )
        cells = [float(v) for v in row.locator("td.num").evaluate_all("tds => tds.map(td => td.dataset.value)")]
        assert cells == [expected["Joint Probability"], expected["Num Overlapping Examples"]]


def test_the_health_tab_and_every_rules_counts_equal_the_command_lines(page, base_url, files, capsys):
    labels, pred_probs = np.load(files / "labels.npy"), np.load(files / "pred_probs.npy")
    given, rows, k = labels.tolist(), pred_probs.tolist(), pred_probs.shape[1]
    percentile = cli(files, capsys, "--health")
    confident_joint = cli(files, capsys, "--thresholds", "cleanlab")
    cli_counts = {
        "percentile": {c: len(percentile[c]) for c in ("label_issues", "ood", "unconfident")},
        "confident-joint": {c: len(confident_joint[c]) for c in ("label_issues", "ood", "unconfident")},
    }
    page.goto(base_url)
    assert wait_until_started(page) == "ready"
    load_by_keyboard(page, files)

    # each rule: the page's counts are the engine's, and the command line's
    assert page.get_by_test_id("rule").input_value() == "find-label-issues"  # your own data opens with it
    for rule in ("find-label-issues", "percentile", "confident-joint"):
        choose_rule(page, rule)
        counts = page_counts(page)
        assert counts == {c: own_categorize(given, rows, k, rule=rule).counts[c] for c in CATEGORIES}, rule
        if rule == "find-label-issues":
            assert counts["label_issue"] == percentile["find_label_issues"]["count"]
        else:
            shown = {"label_issues": counts["label_issue"], "ood": counts["ood"], "unconfident": counts["unconfident"]}
            assert shown == cli_counts[rule], rule
    result = own_categorize(given, rows, k, rule="confident-joint")

    # the tab, reached with the arrow keys along the centre tab strip
    page.locator("#tab-center-joint").focus()
    page.keyboard.press("End")
    assert page.evaluate("document.activeElement.id") == "tab-center-health"
    assert page.locator("#tab-center-health").get_attribute("aria-selected") == "true"
    assert_health_equals(page, percentile)

    # a pair opens its cell (given A, suggested B) in the results, as the joint's cell does
    first = percentile["health"]["overlapping_classes"][0]
    a, b = first["Class Index A"], first["Class Index B"]
    names = [f"{name}" for name in (first["Class Name A"], first["Class Name B"])]
    press(page, f"health-pair-{a}-{b}")
    assert page.locator("#tab-results-cell").get_attribute("aria-selected") == "true"
    n = result.joint[a][b]
    title = f"Given {names[0]}, suggested {names[1]}: {n:,} image{'' if n == 1 else 's'}"
    assert page.get_by_test_id("cell-title").inner_text() == title
    assert page.get_by_test_id(f"health-pair-{a}-{b}").get_attribute("aria-pressed") == "true"
    assert page.evaluate("document.activeElement.dataset.testid") == f"health-pair-{a}-{b}"  # focus stays
    page.locator("#tab-center-health").focus()
    page.keyboard.press("Home")
    assert page.get_by_test_id(f"joint-cell-{a}-{b}").get_attribute("aria-pressed") == "true"
    page.keyboard.press("End")

    # the tab (and the cell) survive a reload
    page.locator("body:not([data-save-pending])").wait_for(state="attached")
    page.reload()
    assert wait_until_started(page) == "ready"
    page.get_by_test_id("health").wait_for()
    assert page.locator("#tab-center-health").get_attribute("aria-selected") == "true"
    assert "view=health" in page.evaluate("location.hash")
    assert page.get_by_test_id("rule").input_value() == "confident-joint"
    assert_health_equals(page, percentile)
    assert page.get_by_test_id("cell-title").inner_text() == title


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_health_tab_has_no_serious_accessibility_violations(page, base_url, scheme):
    page.emulate_media(color_scheme=scheme)
    page.goto(base_url + "#view=health")
    assert wait_until_started(page) == "ready"
    page.get_by_test_id("health").wait_for()
    page.locator('#panel-center button[data-action="cell"]').first.focus()
    page.keyboard.press("Enter")  # a chosen pair and its cell in the results too
    page.evaluate(AXE.read_text())  # not add_script_tag: the page's CSP blocks inline scripts
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:5]]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
