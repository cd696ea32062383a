"""Opening data (browser only): the demo, the user's own files (the Your data dialog, a drop on the page,
the files kept from an earlier visit, ``cleanlens explore``) with a folder or ``.zip`` of its images
(:mod:`.own_images`), the saved session of each dataset, "Start over",
the recent datasets and the choice between two tabs' work.

Whatever goes wrong with a file, the data that was open stays open and the dialog says why in one line.
"""

from __future__ import annotations

import hashlib
import traceback
from collections.abc import Awaitable, Callable, Coroutine
from types import SimpleNamespace
from typing import Any

import js

from cleanlens import userdata
from cleanlens.dataset import DatasetError, parse_dataset
from cleanlens.userdata.images import file_role
from cleanlens.web import (
    BUILTIN_EMBEDDING_ROWS,
    DEMO_DATASET,
    SKLEARN_EMBEDDING_ROWS,
    SKLEARN_FEATURE_VALUES,
    own_images,
    render,
    session,
    worker_client,
)
from cleanlens.web.changes import NOTICES, Changes, changed
from cleanlens.web.dom import document, element, fetch_bytes, local_time, set_stage, set_state
from cleanlens.web.saving import Keeper
from cleanlens.web.scheduler import drive, unsettle
from cleanlens.web.state import ExplorerState, carryover
from cleanlens.web.wiring import Event, on

Files = tuple  # (names, buffers, mode, renormalize, class_names, images): the user's files as the keeper stores
# them (images: own_images.Kept or None)


def typed_class_names(text: str) -> list[str] | None:
    """Class names typed into the dialog (comma- or line-separated), or None when the field is empty."""
    names = [name.strip() for line in str(text).splitlines() for name in line.split(",")]
    names = [name for name in names if name]
    return names or None


async def demo_state() -> ExplorerState:
    """A fresh explorer state for the demo dataset (fetched from the site, validated)."""
    name = DEMO_DATASET.rsplit("/", 1)[-1]
    data = await fetch_bytes(DEMO_DATASET)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise DatasetError(f"{name}: not UTF-8 text") from None
    return ExplorerState(parse_dataset(text, name), source_name=name, source_sha256=hashlib.sha256(data).hexdigest())


async def read_files(
    names: list[str],
    buffers: list[Any],
    mode: str,
    renormalize: bool,
    class_names: list[str] | None = None,
    images: own_images.Kept | None = None,
    progress: Callable[[float], None] | None = None,
    sizes: list[int] | None = None,
) -> tuple[ExplorerState, list[str]]:
    """Validate the user's files in steps; returns ``(state, notes)`` (notes: the loader's explanations
    and warnings). Raises :class:`~cleanlens.userdata.UserDataError` for unusable files.

    ``buffers``: each file's bytes as a JavaScript ArrayBuffer, or None for a file not read (``sizes``
    then gives its size); ``class_names``: the names the user typed for ``.npy`` data, or None; ``images``: a
    folder's or ``.zip``'s images (:data:`.own_images.Kept`), matched to the items (the summary is the last
    note). The bytes
    stay in JavaScript: the loader reads them through a source whose ``read(start, end)`` copies only that
    slice into Python, so a refused file never grows the wasm memory by its size.
    """
    sources = []
    for name, buffer, size in zip(names, buffers, sizes or [int(b.byteLength) for b in buffers]):

        def read(start: int, end: int, buffer: Any = buffer) -> bytes:
            return js.Uint8Array.new(buffer, start, end - start).to_bytes()

        sources.append((name, SimpleNamespace(size=size, read=read)))
    # scikit-learn's limits unless the training worker failed (it loads scikit-learn on demand)
    if worker_client.client.status["state"] == "failed":
        limits = {"max_embedding_rows": BUILTIN_EMBEDDING_ROWS}
    else:
        limits = {"max_embedding_rows": SKLEARN_EMBEDDING_ROWS, "max_feature_values": SKLEARN_FEATURE_VALUES}
    steps = userdata.iter_load_files(sources, mode=mode, renormalize=renormalize, class_names=class_names, **limits)
    loaded = await drive(steps, progress)
    notes = [*loaded.notes, *loaded.warnings]
    if images is not None:
        notes.append(await own_images.attach(loaded.dataset, images))
    state = ExplorerState(
        loaded.dataset,
        source_name=loaded.source_name,
        source_sha256=loaded.source_sha256,
        given_probabilities=loaded.probabilities,
        is_demo=False,
    )
    return state, notes


class Opener:
    """Opens data and its saved session; see the module docstring.

    ``state_of()``: the state shown; ``show(state, notes, files, link, prerendered)``: make ``state`` the
    explorer's and show it (the explorer's :meth:`~cleanlens.web.app.Explorer.open`); ``apply(changes)``:
    redraw; ``spawn(coroutine)``: run a background task with the page's error handling; ``keeper``: the
    session store.
    """

    def __init__(
        self,
        state_of: Callable[[], ExplorerState | None],
        show: Callable[..., Awaitable[None]],
        apply: Callable[[Changes], None],
        spawn: Callable[[Coroutine], Any],
        keeper: Keeper,
    ) -> None:
        self.state_of = state_of
        self.show = show
        self.apply = apply
        self.spawn = spawn
        self.keeper = keeper
        self.files: list[Any] = []  # the files chosen or dropped, not yet loaded
        self.folder: list[tuple[str, Any]] = []  # (relative path, File) of a folder of images chosen or dropped
        self.busy = False

    # ------------------------------------------------------------------ the Your data dialog

    @on("click", "byo-open")
    def dialog(self, event: Event) -> None:
        document.getElementById("byo").showModal()
        self.spawn(self.show_recent())

    @on("click", "byo-close")
    def close(self, event: Event) -> None:
        document.getElementById("byo").close()

    @on("change", "byo-files")
    def choose(self, event: Event) -> None:
        self.files = list(event.target.files)
        document.getElementById("byo-message").innerHTML = ""

    @on("change", "byo-folder")
    def choose_folder(self, event: Event) -> None:
        self.folder = [(str(f.webkitRelativePath) or str(f.name), f) for f in event.target.files]
        document.getElementById("byo-message").innerHTML = ""

    @on("click", "byo-load")
    def load(self, event: Event) -> None:
        self.spawn(self.load_files())

    @on("click", "byo-renormalize")
    def load_renormalized(self, event: Event) -> None:
        self.spawn(self.load_files(renormalize=True))

    @on("click", "byo-demo")
    def demo(self, event: Event) -> None:
        document.getElementById("byo").close()
        self.spawn(self.open_demo())

    @on("click", "session-open")
    def reopen_recent(self, event: Event) -> None:
        document.getElementById("byo").close()
        self.spawn(self.reopen(event.data["key"]))

    @on("click", "session-delete")
    def delete_recent(self, event: Event) -> None:
        self.spawn(self.forget(event.data["key"]))

    # ------------------------------------------------------------------ dropping files on the page

    @on("dragover")
    def drag_over(self, event: Event) -> None:
        event.raw.preventDefault()  # allow dropping files anywhere on the page
        transfer = event.raw.dataTransfer
        if transfer is not None and "Files" in list(transfer.types):
            transfer.dropEffect = "copy"
            document.body.dataset.dropping = "1"  # the drop zone shows (static/app.css)

    @on("dragleave")
    def drag_leave(self, event: Event) -> None:
        if event.raw.relatedTarget is None:  # left the window
            document.body.removeAttribute("data-dropping")

    @on("drop")
    def drop(self, event: Event) -> None:
        event.raw.preventDefault()
        document.body.removeAttribute("data-dropping")
        transfer = event.raw.dataTransfer
        entries = own_images.drop_entries(transfer)  # now: a drop's entries are gone once the event is handled
        files = list(transfer.files) if transfer is not None else []
        if files:
            dialog = document.getElementById("byo")
            if not dialog.open:
                dialog.showModal()
            self.spawn(self._dropped(entries, files))

    async def _dropped(self, entries: list[Any], files: list[Any]) -> None:
        """Load a drop: its files, with the images of its folders (a folder of images alone is kept for the data
        chosen next)."""
        if entries:
            files, folder = await own_images.dropped(entries)
            if folder:
                self.folder = folder
        if any(file_role(str(f.name)) == "data" for f in files):
            self.files = files
            await self.load_files()
        else:  # images only: kept for the data chosen next, or matched to a dropped .zip's companion
            self.files = [*[f for f in self.files if file_role(str(f.name)) == "data"], *files]
            element("byo-message").innerHTML = render.byo_images_chosen(len(self.folder) + len(files))

    # ------------------------------------------------------------------ sessions

    @on("click", "start-over")
    def start_over(self, event: Event) -> None:
        """Ask to confirm, then discard this dataset's saved work and open it afresh."""
        state = self.state_of()
        state.notices.confirming = len(state.work.changed_items())
        self.apply(changed(NOTICES))
        document.querySelector('[data-action="start-over-no"]').focus()

    @on("click", "start-over-no")
    def start_over_cancelled(self, event: Event) -> Changes:
        self.state_of().notices.confirming = None
        return changed(NOTICES)

    @on("click", "start-over-yes")
    def start_over_confirmed(self, event: Event) -> None:
        self.spawn(self._start_over())

    @on("click", "notice-ok")
    def notice_read(self, event: Event) -> Changes:
        self.state_of().notices.dismiss()
        return changed(NOTICES)

    @on("click", "session-theirs")
    def theirs(self, event: Event) -> None:
        self.spawn(self.reopen(self.keeper.key))

    @on("click", "session-mine")
    def mine(self, event: Event) -> None:
        self.spawn(self._keep_mine())

    async def _start_over(self) -> None:
        state = self.state_of()
        await self.keeper.forget(self.keeper.key)
        fresh = ExplorerState(
            state.dataset,
            source_name=state.source_name,
            source_sha256=state.source_sha256,
            given_probabilities=state.given_probabilities,
            is_demo=state.is_demo,
        )
        await self.show(fresh, [])
        self.keeper.on_saved(self.keeper.revision)  # nothing is waiting to be saved: the saved work is gone

    async def _keep_mine(self) -> None:
        """Resolve a conflict with another tab by saving this tab's work over it."""
        state = self.state_of()
        self.keeper.conflict = None
        state.notices.conflict = None
        self.keeper.schedule(state)
        await self.keeper.save(force=True)
        self.apply(changed(NOTICES))

    async def restore_session(
        self, state: ExplorerState, previous: ExplorerState | None, files: Files | None
    ) -> tuple[list[int], frozenset[int], dict[str, Any]] | None:
        """Make ``state``'s saved session current (or start one): returns ``(labels, excluded, info)`` of the saved
        results to restore, or None. A dataset without a saved session keeps the view settings of ``previous``."""
        key = session.dataset_key(state)
        await self.keeper.close()
        await self.keeper.open(key, "demo" if state.is_demo else "files")
        if files is not None:
            await self.keeper.keep_files(key, *files)
        record = await self.keeper.record(key)
        self.keeper.set_resume(key != "demo" or record is not None)
        if record is None:
            self.carry_over(previous, state)
            if previous is not None:
                view = previous.view
                state.set_class_percentile(view.q_class)
                state.set_ood_percentile(view.q_ood)
                state.set_center_tab(view.center_tab)
                state.set_sweep_metric(view.sweep_metric)
                state.engine.seed = previous.engine.seed
            return None
        try:
            session.check(record, state, key)
            restore_notes = session.apply(record, state)
            trained = session.training_of(record, state)
            if trained is not None:  # the settings those results were trained with (the view does not keep them)
                state.engine.adopt(trained[2])
            state.notices.restored = (local_time(record.get("saved", "")), restore_notes)
            return trained
        except session.SessionError as exc:
            state.notices.data.append(f"A session saved for this data could not be restored ({exc}) and was discarded.")
            await self.keeper.forget(key)
            return None

    def carry_over(self, previous: ExplorerState | None, state: ExplorerState) -> None:
        """New probabilities loaded on top of a session (``state``: the new file, no session saved for it yet):
        carry the decisions over when the items and classes match, else say why not (:mod:`.state.carryover`)."""
        if not carryover.wants_carry(previous, state):
            return
        result = carryover.carry(previous, state)
        if isinstance(result, str):
            state.notices.data.append(
                f"Your decisions on {previous.source_name} were not carried over to this file: {result}. "
                "This is a new session; they stay saved with that file (Your data, recent datasets)."
            )
            return
        state.carried = result
        self.keeper.schedule(state)  # the carried-over work is this session's: keep it at once

    # ------------------------------------------------------------------ loading

    async def open_demo(self) -> None:
        """(Re)open the demo dataset (with its saved session, if any)."""
        await self.show(await demo_state(), [])

    async def load_files(self, renormalize: bool = False) -> None:
        """Read the chosen files and open them; on any problem keep what was loaded.

        Every exception is caught here: a UserDataError is shown as is; anything else is shown as an internal
        error and logged; the progress bar and busy flag are always cleared.
        """
        if self.busy:
            return
        message, progress = element("byo-message"), element("byo-progress")
        files = self.files
        if not files:
            message.innerHTML = render.byo_error("Choose one .csv or .json file, or two .npy files, first.", False)
            return
        roles = [file_role(str(f.name)) for f in files]
        zips = [f for f, role in zip(files, roles) if role == "zip"]
        folder = self.folder + [(str(f.name), f) for f, role in zip(files, roles) if role == "image"]
        data = [f for f, role in zip(files, roles) if role == "data"]
        files = data or (files if not zips and not self.folder else [])  # a lone image: the loader says why
        if not files:
            message.innerHTML = render.byo_error(
                "Choose the .csv (or .json, or two .npy files) of these images.", False
            )
            return
        self.busy = True
        try:
            message.innerHTML = ""
            progress.value = 0
            progress.hidden = False
            names = [str(f.name) for f in files]
            sizes = [int(f.size) for f in files]
            # A file over the size limit, or any file of more than three (no accepted combination has more),
            # is not even read: the loader refuses them from their size and names alone.
            buffers = [
                await f.arrayBuffer() if size <= userdata.MAX_FILE_BYTES and len(files) <= 3 else None
                for f, size in zip(files, sizes)
            ]
            mode = document.querySelector('input[name="byo-mode"]:checked').value
            class_names = typed_class_names(document.getElementById("byo-classes").value)
            images = await own_images.gather(zips, folder)

            def show_progress(value: float) -> None:
                progress.value = value

            state, notes = await read_files(
                names, buffers, mode, renormalize, class_names, images, progress=show_progress, sizes=sizes
            )
        except userdata.UserDataError as exc:
            message.innerHTML = render.byo_error(str(exc), exc.renormalizable)
            return
        except Exception as exc:  # noqa: BLE001 (last resort: a bug; keep the previous data and say so)
            js.console.error(f"cleanlens: loading your data failed:\n{traceback.format_exc()}")
            text = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
            message.innerHTML = render.byo_error(
                f"Internal error while reading the files ({text}); the data you had is still loaded.", False
            )
            return
        finally:
            progress.hidden = True
            self.busy = False
        if images is None:
            document.getElementById("byo").close()
        else:  # the dialog stays open to say which items have an image
            message.innerHTML = render.byo_images_summary(notes[-1])
        # The folder went with these data: other data chosen next go without it (or with a .zip) unless it is
        # chosen again; a folder dropped, not shown in the picker, would otherwise cling to them unseen.
        self.folder = []
        element("byo-folder").value = ""
        await self.show(state, notes, files=(names, buffers, mode, renormalize, class_names, images))

    async def reopen(self, key: str) -> None:
        """Open a dataset from the recent list (the demo, or files kept in the browser)."""
        if key == "demo":
            await self.open_demo()
            return
        stored = await self.keeper.files(key)
        state = self.state_of()
        if stored is None:
            state.notices.data = ["The files of that dataset are no longer kept in this browser: load them again."]
            self.apply(changed(NOTICES))
            return
        try:
            fresh, notes = await read_files(*stored)
        except userdata.UserDataError as exc:
            state.notices.data = [f"The kept files could not be read again: {exc}"]
            self.apply(changed(NOTICES))
            return
        await self.show(fresh, notes)

    async def show_recent(self) -> None:
        """Fill the dialog's list of recent datasets."""
        entries = await self.keeper.recent()
        for entry in entries:
            entry["saved"] = local_time(entry["saved"])
        document.getElementById("byo-recent").innerHTML = render.recent_datasets(entries, self.keeper.key)

    async def forget(self, key: str) -> None:
        await self.keeper.forget(key)
        await self.show_recent()


def switching_data() -> None:
    """The page is about to show other data: it is loading again (not "ready" while the previous data is still on
    screen), and the collector may walk the data that goes."""
    unsettle()
    set_state("loading")
    set_stage("Loading data…")
