"""cleanlens.web.render.guide: the first-visit guide dialog and the tour (its steps, anchors and card)."""

import re

from cleanlens.web import render
from cleanlens.web.state import ExplorerState

from .render_support import HOSTILE, disabled, parse, trained
from .test_web_state import tiny_dataset


def test_the_guide_is_a_dialog_that_closes_without_script():
    root = parse(render.guide_dialog())
    dialog = root.find("dialog", id="guide")
    assert root.find(id=dialog["aria-labelledby"]).tag == "h2"
    steps = dialog.find("ol", class_="guide-steps").find_all("li")
    assert [li.find("h3").text() for li in steps] == [title for title, _ in render.GUIDE_STEPS]
    form = dialog.find("form")
    assert form["method"] == "dialog"
    close = form.find(data_testid="guide-close")
    assert close["type"] == "submit" and close.has("autofocus")
    assert disabled(form.find(data_testid="tour-start"))  # until Python has started


SIMPLE_SELECTOR = r'(?:#([\w-]+)|\.([\w-]+)|\[([\w-]+)="([^"]+)"\])(?::first-of-type|:nth-of-type\((\d+)\))?'
"""One part of an anchor: an id, a class or an attribute, maybe with :first-of-type or :nth-of-type(n)."""


def matches(root, selector):
    """The elements of the page that the tour's anchor selector names (the few forms the tour uses)."""
    found = [root]
    for part in selector.split():
        m = re.fullmatch(SIMPLE_SELECTOR, part)
        assert m, part
        element_id, class_name, attr, value, nth = m.groups()
        inside = []
        for scope in found:
            if element_id:
                hits = scope.find_all(id=element_id)
            elif class_name:
                hits = scope.find_all(class_=class_name)
            else:
                hits = scope.find_all(**{attr.replace("-", "_"): value})
            if ":" in part:
                hits = hits[int(nth or 1) - 1 : int(nth or 1)]
            inside += hits
        found = inside
    return found


def test_every_step_of_the_tour_points_at_a_part_of_the_page():
    state = trained()
    page = parse(render.app(state) + render.run_controls(state) + render.tools())
    steps = render.tour_steps(state, state.analysis())
    assert len(steps) == 9
    for anchor, _, _ in steps:
        assert len(matches(page, anchor)) == 1, anchor


def test_the_tour_explains_the_categories_with_this_datasets_classes_and_examples():
    state = trained(tiny_dataset(classes=("a", "b", HOSTILE)))
    result = state.analysis()
    steps = render.tour_steps(state, result)
    html = "".join(body for _, _, body in steps)
    assert "<img src" not in html
    assert parse(steps[0][2]).text().startswith(f"18 images of a, b and {HOSTILE}, each with its own label control")
    categories = parse(steps[1][2]).find("ul", class_="tour-cats").find_all("li")
    texts = [li.text() for li in categories]
    assert texts[0].startswith(f"Label issue ({result.counts['label_issue']} now)")
    p = render.fmt(state.training.probabilities[0][1])
    assert f"For example x0: labelled a, p(b) = {p} — suggested b." in texts[0]
    assert texts[1].startswith(f"Out of distribution ({result.counts['ood']} now)")
    assert f"or none of a, b and {HOSTILE}." in texts[1]
    assert [li.find("span", class_="lgtile")["data-cat"] for li in categories] == [
        "label_issue",
        "ood",
        "unconfident",
        "correct",
    ]


def test_before_training_the_tour_has_no_counts_or_examples():
    steps = render.tour_steps(ExplorerState(tiny_dataset()), None)
    text = parse(steps[1][2]).text()
    assert " now)" not in text and "For example" not in text


def test_the_tour_card_says_where_it_is_and_how_to_move():
    steps = [("#a", "First", "<p>one</p>"), ("#b", HOSTILE, "<p>two</p>"), ("#c", "Last", "<p>three</p>")]
    first = parse(render.tour_card(steps, 0))
    assert first.find(data_testid="tour-count").text().startswith("Step 1 of 3")
    assert disabled(first.find(data_testid="tour-back"))
    assert first.find(data_testid="tour-next")["data-action"] == "tour-next"
    assert first.find(data_testid="tour-skip").text() == "Skip the tour"
    middle = render.tour_card(steps, 1)
    assert parse(middle).find("h2", id="tour-title").text() == HOSTILE and "<img" not in middle
    assert not disabled(parse(middle).find(data_testid="tour-back"))
    last = parse(render.tour_card(steps, 2))
    done = last.find(data_testid="tour-next")
    assert (done.text(), done["data-action"]) == ("Done", "tour-end")
    assert last.find(data_testid="tour-skip").text() == "Close"
    assert last.find("div", class_="tour-body").text() == "three"
