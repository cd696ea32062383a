"""cleanlens.web.render.probabilities: the probability table (sortable columns, rows, a virtual list when long)."""

from cleanlens.web import render
from cleanlens.web.state import ExplorerState

from .render_support import HOSTILE, parse, trained
from .test_web_state import tiny_dataset


def test_a_column_per_class_and_the_sorted_column_is_announced():
    state = trained(tiny_dataset(classes=("a", HOSTILE, "c")))
    state.view.table_sort = ("p1", False)
    html = render.prob_table(state, state.analysis())
    root = parse(html)
    heads = root.find("thead").find_all("th")
    assert [h.text() for h in heads] == [
        "Image",
        "Given",
        "Quality",
        "p(a)",
        f"p({HOSTILE})",
        "p(c)",
        "Suggested",
        "Category",
    ]
    assert [h["aria-sort"] for h in heads] == ["none"] * 4 + ["descending"] + ["none"] * 3
    assert [h.find("button")["data-col"] for h in heads] == "id given quality p0 p1 p2 suggested category".split()
    assert root.find("table")["aria-rowcount"] == "19"  # the header row and 18 items
    assert "<img" not in html
    state.view.table_sort = ("quality", True)
    heads = parse(render.prob_table(state, state.analysis())).find("thead").find_all("th")
    assert [h["aria-sort"] for h in heads].count("ascending") == 1 and heads[2]["aria-sort"] == "ascending"


def test_rows_follow_the_sort_and_show_the_numbers():
    state = trained()
    state.view.table_sort = ("p1", False)
    state.view.selected = 7
    result = state.analysis()
    rows = parse(render.prob_table(state, result)).find("tbody").find_all("tr")
    assert [r["data-i"] for r in rows] == [str(i) for i in state.table_order()]
    assert [r["aria-rowindex"] for r in rows] == [str(n) for n in range(2, 20)]
    assert [r["data-i"] for r in rows if r.has("class", "selected")] == ["7"]
    first = rows[0]
    i = int(first["data-i"])
    cells = [td.text() for td in first.find_all("td")]
    probabilities = state.training.probabilities[i]
    assert cells[0] == f"x{i}" and cells[1] == state.dataset.classes[state.training.labels[i]]
    assert cells[2] == render.fmt(state.training.quality[i])
    assert cells[3:6] == [render.fmt(p) for p in probabilities]
    issue = next(r for r in rows if r["data-i"] == "0")
    assert [td.text() for td in issue.find_all("td")][-2:] == ["b", "Label issue"]
    assert issue.find("span", class_="cat").has("class", "label_issue")


def test_a_long_table_draws_its_window_between_spacers():
    state = trained(tiny_dataset(n_per_class=250))
    result = state.analysis()
    order = state.table_order()
    pitch = render.TABLE_GEOMETRY.row + render.TABLE_GEOMETRY.gap
    rows = parse(render.table_rows(state, result, (100, 140))).find_all("tr")
    top, *drawn, bottom = rows
    assert top["style"] == f"height:{100 * pitch}px" and top["aria-hidden"] == "true"
    assert bottom["style"] == f"height:{(len(order) - 140) * pitch}px"
    assert top.find("td")["colspan"] == "8"  # every column: 3 classes and 5 others
    assert [r["data-i"] for r in drawn] == [str(i) for i in order[100:140]]
    assert drawn[0]["aria-rowindex"] == "102"
    tbody = parse(render.prob_table(state, result)).find("tbody")
    assert tbody["data-virtual"] == "table" and tbody["data-count"] == str(len(order))
    assert len(tbody.find_all("tr", data_i=True)) == render.FIRST_WINDOW
    assert not parse(render.table_rows(state, result, (0, 10))).find_all("tr")[0].has("class", "spacer")


def test_excluded_items_are_left_out_and_nothing_before_training():
    state = trained()
    state.exclude(2)
    probabilities = [None if i == 2 else row for i, row in enumerate(state.training.probabilities)]
    state.finish_training(list(state.labels), probabilities, state.training.info, state.excluded)
    rows = parse(render.prob_table(state, state.analysis())).find("tbody").find_all("tr")
    assert len(rows) == 17 and "2" not in [r["data-i"] for r in rows]
    assert render.prob_table(ExplorerState(tiny_dataset()), None) == (
        '<p class="empty">The table appears after training.</p>'
    )
