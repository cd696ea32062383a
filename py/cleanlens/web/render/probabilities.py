"""The Probabilities tab of the centre panel: a table of every trained item (id, given label, label quality,
one column per class, suggested label, category), sortable by any column and drawn as a virtual list when long.

Inputs: the state (the training's labels, probabilities and quality, the table's sort, the selection), the
analysis result and, for :func:`table_rows`, the window of rows the page has in view.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .common import TABLE_GEOMETRY, category_name, category_of, esc, fmt, item_name, window_of

if TYPE_CHECKING:
    from cleanlens.confident import Categorization
    from cleanlens.web.state import ExplorerState


def prob_table(state: ExplorerState, result: Categorization | None, window: tuple[int, int] | None = None) -> str:
    """Every trained item: id, given label, label quality, probabilities, suggested label, category; sortable
    by any column.

    A long table draws only the rows of ``window`` (see :data:`VIRTUAL_MIN`), with spacer rows for the rest.
    """
    if result is None:
        return '<p class="empty">The table appears after training.</p>'
    classes = state.dataset.classes
    column, ascending = state.view.table_sort
    count = len(state.training.active)

    def th(col, text):
        sort = ("ascending" if ascending else "descending") if col == column else "none"
        return (
            f'<th scope="col" aria-sort="{sort}"><button type="button" data-action="table-sort" data-col="{col}">'
            f"{text}</button></th>"
        )

    head = th("id", "Image") + th("given", "Given") + th("quality", "Quality")
    head += "".join(th(f"p{k}", f"p({esc(c)})") for k, c in enumerate(classes))
    head += th("suggested", "Suggested") + th("category", "Category")
    return (
        f'<table class="probs" aria-rowcount="{count + 1}" style="{TABLE_GEOMETRY.style()}">'
        '<thead><tr aria-rowindex="1">'
        f"{head}</tr></thead><tbody {TABLE_GEOMETRY.attrs('table', count)}>{table_rows(state, result, window)}"
        "</tbody></table>"
    )


def table_rows(state: ExplorerState, result: Categorization | None, window: tuple[int, int] | None = None) -> str:
    """The probability table's rows in ``window`` (all rows of a short table), between spacer rows."""
    dataset = state.dataset
    classes = dataset.classes
    labels = state.training.labels
    probs = state.training.probabilities
    order = state.table_order()
    start, stop = window_of(len(order), window)
    pitch = TABLE_GEOMETRY.row + TABLE_GEOMETRY.gap
    width = len(classes) + 5
    quality = state.training.quality
    rows = []
    if start:
        rows.append(
            f'<tr class="spacer" aria-hidden="true" style="height:{start * pitch}px"><td colspan="{width}"></td></tr>'
        )
    for n in range(start, stop):
        i = order[n]
        sug = result.suggested[i]
        sel = ' class="selected"' if state.view.selected == i else ""
        cells = "".join(f'<td class="num">{fmt(p)}</td>' for p in probs[i])
        rows.append(
            f'<tr{sel} data-i="{i}" aria-rowindex="{n + 2}"><td>'
            '<button type="button" class="linklike" data-action="select" '
            f'data-i="{i}">{esc(item_name(dataset, i))}</button></td><td>{esc(classes[labels[i]])}</td>'
            f'<td class="num">{fmt(quality[i])}</td>{cells}'
            f"<td>{'—' if sug is None else esc(classes[sug])}</td>"
            f'<td><span class="cat {category_of(result, i)}">{category_name(result, i)}</span></td></tr>'
        )
    if stop < len(order):
        rows.append(
            f'<tr class="spacer" aria-hidden="true" style="height:{(len(order) - stop) * pitch}px">'
            f'<td colspan="{width}"></td></tr>'
        )
    return "".join(rows)
