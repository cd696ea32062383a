"""HTML rendering: pure functions from data to HTML strings.

Nothing here touches the DOM, so the same functions run in the browser and
under CPython (tests, pre-rendering). Every user-provided string goes through
:func:`html.escape`.
"""

from html import escape


def class_counts_table(dataset):
    """A table of the number of items per given class, with a total row."""
    rows = "".join(
        f'<tr><th scope="row">{escape(name)}</th>'
        f'<td class="num" data-testid="class-count-{k}">{count}</td></tr>'
        for k, (name, count) in enumerate(zip(dataset.classes, dataset.class_counts()))
    )
    return (
        f'<table data-testid="class-counts"><caption>{len(dataset)} items by given label</caption>'
        f'<thead><tr><th scope="col">Class</th><th scope="col">Items</th></tr></thead>'
        f'<tbody>{rows}</tbody>'
        f'<tfoot><tr><th scope="row">Total</th><td class="num" data-testid="total-count">{len(dataset)}</td></tr></tfoot>'
        f"</table>"
    )


def error_message(exc):
    """One readable line for an exception shown in the error panel (escaped by the caller's textContent)."""
    return f"{type(exc).__name__}: {exc}"
