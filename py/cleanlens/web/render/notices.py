"""The ``#warnings`` region: the notes and errors shown above the panels.

The labelling's warnings (:meth:`~cleanlens.web.state.ExplorerState.warnings`), a bug in an event handler, a
training that could not run or that differs from the built results, what a shared link or a loaded file could
not give, and the session notices (storage unavailable, a restored session, another tab's changes, "Start
over"). Inputs: the state, an exception, or plain text and numbers from the glue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cleanlens.web.state import carryover

from .common import esc

if TYPE_CHECKING:
    from collections.abc import Sequence

    from cleanlens.web.state import ExplorerState


def error_message(exc: BaseException) -> str:
    """One readable line for an exception shown in the error panel."""
    return f"{type(exc).__name__}: {exc}"


def internal_error(exc: BaseException) -> str:
    """A bug in an event handler: say so without losing the page (details are in the console)."""
    return internal_error_note(error_message(exc))


def internal_error_note(text: str) -> str:
    """:func:`internal_error` for the exception's one-line text (as ``state.notices.problem`` keeps it)."""
    return (
        '<div class="warning" role="alert" data-testid="internal-error"><p>Something went wrong: '
        f"{esc(text)}. Your labels and settings are kept; details are in the browser console.</p></div>"
    )


def link_notes(notes: Sequence[str]) -> str:
    """What a shared link asked for that could not be restored."""
    if not notes:
        return ""
    return (
        '<div class="warning" data-testid="link-notes"><p>Parts of the link could not be restored: '
        f"{esc('; '.join(notes))}.</p></div>"
    )


def determinism_problem(worst: float) -> str:
    """The results trained in the browser differ from those computed when the site was built (a bug)."""
    return (
        '<div class="warning" role="alert" data-testid="determinism"><p>The results trained here differ from the '
        f"ones computed when this site was built (by up to {worst:.3g} in a probability), although the inputs are "
        "the same. This is a bug in Cleanlens: the results shown are the ones trained here.</p></div>"
    )


def training_problem(message: str) -> str:
    """Training could not run on the current labels: say why, keep the previous results."""
    return (
        f'<div class="warning" role="alert" data-testid="training-error"><p>Training did not run: {esc(message)}. '
        "The results shown are from the previous run.</p></div>"
    )


def warnings_panel(state: ExplorerState) -> str:
    notes = state.warnings()
    if not notes:
        return ""
    return (
        '<div class="warning" role="alert" data-testid="warning">'
        + "".join(f"<p>{esc(n)}</p>" for n in notes)
        + "</div>"
    )


def session_notices(
    problem: str | None = None,
    restored: str | None = None,
    restore_notes: Sequence[str] = (),
    conflict: str | None = None,
    confirming: int | None = None,
) -> str:
    """What the page says about keeping the user's work.

    ``problem``: why the browser's storage cannot be used (the session will not be kept);
    ``restored``: when the restored session was saved (local time, text), with ``restore_notes`` on parts that
    could not be restored; ``conflict``: when another tab saved this dataset (it then chooses which to keep);
    ``confirming``: the number of changes "Start over" would discard, while it asks to confirm.
    """
    out = []
    if problem:
        out.append(
            '<div class="notice" role="status" data-testid="storage-problem"><p>This session will not be kept '
            f"after you leave the page: the browser's storage is not available ({esc(problem)}). "
            '<button type="button" data-action="notice-ok" data-testid="storage-ok">OK</button></p></div>'
        )
    if conflict:
        out.append(
            '<div class="warning" role="alert" data-testid="session-conflict">'
            "<p>This dataset was also changed in another "
            f"tab (saved {esc(conflict)}). This tab has stopped saving so that neither overwrites the other.</p><p>"
            '<button type="button" data-action="session-theirs" data-testid="session-theirs">'
            "Load the other tab's work</button> "
            '<button type="button" data-action="session-mine" data-testid="session-mine">'
            "Keep this tab's work</button></p></div>"
        )
    if restored and confirming is not None:
        out.append(
            '<div class="warning" role="alert" data-testid="start-over-confirm">'
            "<p>Start over on this dataset? This discards "
            f"{confirming:,} label change{'' if confirming == 1 else 's'} and "
            f"decision{'' if confirming == 1 else 's'}, "
            "and the results trained on them.</p><p>"
            '<button type="button" data-action="start-over-yes" data-testid="start-over-yes">'
            "Discard and start over</button> "
            '<button type="button" data-action="start-over-no" data-testid="start-over-no">Cancel</button></p></div>'
        )
    elif restored:
        notes = f" Not restored: {esc('; '.join(restore_notes))}." if restore_notes else ""
        out.append(
            '<div class="notice" role="status" data-testid="session-restored">'
            f"<p>Restored your session from {esc(restored)}."
            f'{notes} <button type="button" data-action="start-over" data-testid="start-over">Start over</button> '
            '<button type="button" data-action="notice-ok" data-testid="notice-ok">OK</button></p></div>'
        )
    return "".join(out)


def data_notes(notes: Sequence[str]) -> str:
    """Things worth knowing about the loaded file (not errors)."""
    if not notes:
        return ""
    return '<div class="warning" data-testid="data-notes">' + "".join(f"<p>{esc(n)}</p>" for n in notes) + "</div>"


CHECK_FIXES = (
    "The analysis stays that of your file's labels: your decisions are marks on it. To check the fixes, export, "
    "retrain your model on the fixed labels and load its new pred_probs (with those labels) here: loading them "
    "on top of this session keeps your decisions and says which fixes the new model agrees with."
)
"""How to check fixes of a probabilities file (re-analysing them against the same pred_probs cannot)."""


def check_fixes_note(state: ExplorerState) -> str:
    """For probabilities from a file whose labels were changed: how to check the changes (:data:`CHECK_FIXES`)."""
    if state.given_probabilities is None or not state.work.label_changes():
        return ""
    return f'<p class="notice" role="status" data-testid="check-fixes">{esc(CHECK_FIXES)}</p>'


def carried_over_note(state: ExplorerState) -> str:
    """After new probabilities were loaded on top of a session: what was carried over, and how many of the
    accepted fixes the new analysis still flags (:func:`cleanlens.web.state.carryover.sentence`)."""
    carried = state.carried
    if carried is None:
        return ""
    analysis = state.analysis()
    flagged = set(analysis.flagged) if analysis is not None else None
    text = carryover.sentence(carried, len(state.labels), state.dataset.given, flagged)
    return f'<p class="notice" role="status" data-testid="carried-over">{esc(text)}</p>'


def notices_region(state: ExplorerState) -> str:
    """The whole ``#warnings`` region for the state: session notices, the labelling's warnings, a training
    problem, link and data notes, and a bug caught in a handler (``state.notices``)."""
    notices = state.notices
    restored, restore_notes = notices.restored or (None, ())
    return (
        session_notices(notices.storage, restored, restore_notes, notices.conflict, notices.confirming)
        + warnings_panel(state)
        + (training_problem(notices.training) if notices.training else "")
        + (determinism_problem(notices.determinism) if notices.determinism is not None else "")
        + link_notes(notices.link)
        + data_notes(notices.data)
        + carried_over_note(state)
        + check_fixes_note(state)
        + (internal_error_note(notices.problem) if notices.problem else "")
    )
