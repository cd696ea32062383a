"""What the page says above the panels, as plain data (pure; no DOM): notes on the loaded data and on a
shared link, a training that could not run or that differs from the built results, a bug caught in a
handler, and the session notices (storage unavailable, a restored session, another tab's changes,
"Start over" asking to confirm). :func:`cleanlens.web.render.notices` turns them into HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Notices:
    data: list[str] = field(default_factory=list)
    """Things worth knowing about the loaded file (not errors)."""
    link: list[str] = field(default_factory=list)
    """What a shared link asked for that could not be restored."""
    training: str | None = None
    """Why the last training could not run (the previous results stay)."""
    determinism: float | None = None
    """By how much the results trained here differ from those computed when the site was built (a bug)."""
    problem: str | None = None
    """A bug caught in an event handler or task, as one line."""
    restored: tuple[str, list[str]] | None = None
    """When the restored session was saved (local time, as text) and the parts that could not be restored."""
    confirming: int | None = None
    """While "Start over" asks: how many changes it would discard."""
    storage: str | None = None
    """Why the browser's storage cannot keep the session (said once, until dismissed)."""
    conflict: str | None = None
    """When another tab saved this dataset (this tab then stopped saving)."""
    storage_dismissed: bool = False
    """The user dismissed the storage notice: it is not said again."""
    engine: tuple[str, str] | None = None
    """An engine setting the user typed that was refused: (its name, why), until a valid one is typed."""

    def dismiss(self) -> None:
        """The user read the session notices (OK): the restored-session and storage notes go."""
        self.restored = None
        self.storage = None
        self.storage_dismissed = True

    def storage_failed(self, reason: str | None) -> None:
        """The browser's storage cannot keep the session (``reason``), said once until dismissed."""
        if not self.storage_dismissed:
            self.storage = reason
