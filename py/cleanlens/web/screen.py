"""The screen: the page's regions kept equal to the state (browser only).

After a change, :meth:`Screen.update` asks the region table (:mod:`cleanlens.web.regions`) which regions
depend on it, renders them and patches the page's nodes to the new HTML (the browser restyles, lays out and
repaints only what differs); what the table marks as patched in place (the dataset tiles' marks, labels and
selection) is set on the tiles drawn, without rendering the grid again.
"""

from __future__ import annotations

from collections.abc import Callable

from cleanlens.web import regions, render
from cleanlens.web.changes import DECISIONS, LABELS, RULE, SELECTION, THRESHOLDS, Changes
from cleanlens.web.dom import document, element, focus_key, js_value, patch, query
from cleanlens.web.lists import VirtualLists
from cleanlens.web.render import ids
from cleanlens.web.state import ExplorerState


class Screen:
    """Draws the state of ``state_of()``: everything (:meth:`show`) or what a change touched (:meth:`update`)."""

    def __init__(self, state_of: Callable[[], ExplorerState]) -> None:
        self.state_of = state_of
        self.lists = VirtualLists(self._draw_rows, self._rows_drawn)
        self.tile_nodes: dict[int, object] = {}
        self.tile_marks: dict[int, str] = {}
        self.marks_at: tuple | None = None  # (training, (q_class, q_ood, rule)) the tiles' marks show
        self.drawn: dict[str, str] = {}  # region id -> the HTML it was last patched to

    # ------------------------------------------------------------------ drawing

    def show(self) -> None:
        """Draw every panel afresh (other data was opened)."""
        state = self.state_of()
        self.lists.forget()
        self.drawn = {}
        document.getElementById(ids.APP).innerHTML = render.app(state)
        for region_id in (ids.RUN_CONTROLS, ids.ENGINE_SETTINGS, ids.WARNINGS):
            patch(element(region_id), regions.BY_ID[region_id].render(state, {}))
        self.lists.place_all()
        self._index_tiles()

    def update(self, changes: Changes) -> None:
        """Redraw what ``changes`` touched, keeping keyboard focus on the same control."""
        if not changes:
            return
        state = self.state_of()
        active = document.activeElement
        key = focus_key(active)
        windows = self.lists.ranges()
        drawn = set()
        for region in regions.regions_for(changes):
            node = element(region.id)
            if node is None:
                continue
            html = region.render(state, windows)
            if region.patches or self.drawn.get(region.id) != html:  # (a region patched in place: always)
                patch(node, html)
                self.drawn[region.id] = html
                drawn.add(region.id)
        self.lists.place_within(drawn)
        if ids.TILES_SCROLL in drawn:
            self._index_tiles()
        tile_patches = regions.patches_for(changes).get(ids.TILES_SCROLL)
        if tile_patches:
            self._patch_tiles(state, tile_patches, changes.items)
        if key and not active.isConnected:
            again = query(key)
            if again is not None:
                again.focus()

    def _redraw(self, region_id: str) -> None:
        """Render one region again, whatever changed."""
        patch(element(region_id), regions.BY_ID[region_id].render(self.state_of(), self.lists.ranges()))
        self.lists.place_within({region_id})
        if region_id == ids.TILES_SCROLL:
            self._index_tiles()

    # ------------------------------------------------------------------ virtual lists

    def _draw_rows(self, name: str, window: tuple[int, int]) -> str:
        state = self.state_of()
        result = state.analysis()
        if name == "tiles":
            return render.tiles(state, result, window)
        if name == "results":
            return render.result_items(state, result, window)
        return render.table_rows(state, result, window)

    def _rows_drawn(self, name: str) -> None:
        if name == "tiles":
            self._index_tiles()

    # ------------------------------------------------------------------ tiles patched in place

    def _index_tiles(self) -> None:
        self.tile_nodes = {int(node.dataset.i): node for node in document.querySelectorAll("#tiles > li.tile")}
        self.tile_marks = {i: str(node.dataset.cat) for i, node in self.tile_nodes.items()}
        state = self.state_of()
        self.marks_at = (state.training, _position(state))

    def _patch_tiles(self, state: ExplorerState, aspects: frozenset[str], items: frozenset[int]) -> None:
        """Set what changed on the tiles drawn: category marks (sliders, rule), labels and decisions of
        ``items``, the selection. A grid filtered by category is drawn again instead (its items change)."""
        if aspects & {THRESHOLDS, RULE}:
            if state.view.filter_category is not None:
                self._redraw(ids.TILES_SCROLL)
                return
            result, now = state.analysis(), _position(state)
            moved = None
            if self.marks_at is not None and self.marks_at[0] is state.training and state.training is not None:
                moved = state.training.moved(self.marks_at[1], now)
            items = self.tile_nodes if moved is None else [i for i in moved if i in self.tile_nodes]
            for i in items:
                mark = render.category_of(result, i)
                if self.tile_marks[i] != mark:
                    self.tile_nodes[i].dataset.cat = mark
                    self.tile_marks[i] = mark
            self.marks_at = (state.training, now)
        if aspects & {LABELS, DECISIONS}:
            for i in items:
                node = self.tile_nodes.get(i)
                if node is not None:
                    position = js_value(node.getAttribute("aria-posinset"))
                    listed = None if position is None else (int(position), int(node.getAttribute("aria-setsize")))
                    patch(node, render.tile(state, i, state.analysis(), position=listed), outer=True)
        if SELECTION in aspects:
            for node in document.querySelectorAll("#tiles > li.tile.selected"):
                node.classList.remove("selected")
            node = self.tile_nodes.get(state.view.selected)
            if node is not None:
                node.classList.add("selected")


def _position(state: ExplorerState) -> tuple[int, int, str]:
    """The slider position the categories depend on."""
    view = state.view
    return view.q_class, view.q_ood, view.rule if view.rule == "percentile" else f"{view.rule}/{view.filter_by}"
