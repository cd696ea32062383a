"""The threshold sweep heatmap shows the engine's grid and moves the sliders."""

import pytest

from cleanlens.web.render import fmt

from .conftest import wait_until_started
from .expected import assert_page_matches, categorize, sweep


@pytest.fixture
def sweep_tab(page, base_url):
    page.goto(f"{base_url}#view=sweep")
    assert wait_until_started(page) == "ready"
    return page


@pytest.mark.parametrize("metric", ["f1", "precision", "recall"])
def test_every_cell_equals_the_cpython_grid(sweep_tab, metric):
    page = sweep_tab
    page.locator(f'input[data-action="sweep-metric"][value="{metric}"]').check()
    expected = sweep()
    labels = dict(
        page.locator('[data-action="sweep-cell"]').evaluate_all(
            "els => els.map(e => [e.dataset.qc + '-' + e.dataset.qo, e.getAttribute('aria-label')])"
        )
    )
    count = 0
    for a, qc in enumerate(expected.class_percentiles):
        for b, qo in enumerate(expected.ood_percentiles):
            if qo > qc:
                assert f"{qc}-{qo}" not in labels
                continue
            value = getattr(expected.scores[a][b], metric)
            shown = labels[f"{qc}-{qo}"].split(": ", 1)[1].split()[1]
            assert shown == fmt(value), (qc, qo)
            count += 1
    assert count == len(labels) == 231  # the reachable half of the 21x21 grid


def test_choosing_a_cell_moves_the_sliders(sweep_tab):
    page = sweep_tab
    page.get_by_test_id("sweep-80-10").click()
    assert page.get_by_test_id("class-percentile").input_value() == "80"
    assert page.get_by_test_id("ood-percentile").input_value() == "10"
    page.locator('[data-action="tab-center"][data-tab="joint"]').click()
    assert_page_matches(page, categorize(q_class=80, q_ood=10))


def test_cells_are_reachable_by_keyboard(sweep_tab):
    page = sweep_tab
    here = page.get_by_test_id("sweep-50-15")  # the sliders' cell is the one in the tab order
    assert here.get_attribute("tabindex") == "0"
    here.focus()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.dataset.testid") == "sweep-55-20"
    page.keyboard.press("Enter")
    assert page.get_by_test_id("class-percentile").input_value() == "55"
    assert page.get_by_test_id("ood-percentile").input_value() == "20"


def test_cleanlab_curve_is_drawn(sweep_tab):
    assert sweep_tab.get_by_test_id("cleanlab-curve").is_visible()
