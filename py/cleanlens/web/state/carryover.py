"""New probabilities on top of a session: the decisions carried over to the new file's analysis (pure; no DOM).

The user fixes labels of a probabilities file, exports, retrains their model on the fixed labels and loads its
new pred_probs (with the labels it was trained on). When the new file is of the same items (the same ids when
both files have ids, else the same number of rows, matched by position) and the same classes, the decisions
are carried over by item: the new file's analysis becomes the basis, the decisions stay marks on it.

The basis is always the new file's labels (a probabilities file always has labels: they are what the model was
trained on). A carried-over label that differs from the new file's label (e.g. pred_probs loaded with the
original labels) is kept as the user's change on top of it; such a fix is not checked by the new analysis, and
the page says how many.

Inputs: the previous and the new :class:`~cleanlens.web.state.ExplorerState`; :func:`carry` changes the new
state's work. Outputs: a :class:`CarryOver` (kept in the session) and :func:`fix_check` / :func:`sentence`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cleanlens.web.state import ExplorerState


@dataclass
class CarryOver:
    """What was carried over: ``source``, the previous file's name; ``decisions``, how many decisions;
    ``accepted``: ``{item: label}`` of each accepted fix (new item indices); ``by_id``: matched by id (else
    by position)."""

    source: str
    decisions: int
    accepted: dict[int, int] = field(default_factory=dict)
    by_id: bool = False

    def to_json(self) -> dict[str, Any]:
        """As JSON-ready data (item indices as string keys), for the saved session."""
        return {
            "source": self.source,
            "decisions": self.decisions,
            "accepted": {str(i): label for i, label in sorted(self.accepted.items())},
            "by_id": self.by_id,
        }

    @classmethod
    def from_json(cls, data: Any, n: int, k: int) -> CarryOver | None:
        """The :meth:`to_json` of a saved session for ``n`` items and ``k`` classes, or None if unusable."""
        try:
            accepted = {int(i): label for i, label in data["accepted"].items()}
            carried = cls(str(data["source"]), int(data["decisions"]), accepted, bool(data.get("by_id")))
        except (TypeError, KeyError, ValueError, AttributeError):
            return None
        ok = all(0 <= i < n and isinstance(v, int) and 0 <= v < k for i, v in accepted.items())
        return carried if ok else None


def wants_carry(previous: ExplorerState | None, new: ExplorerState) -> bool:
    """True if ``new`` (a file just opened, without a saved session) is other data than ``previous`` and
    ``previous`` has work (label changes or decisions) that could be carried over to it."""
    return (
        previous is not None
        and not previous.is_demo
        and new.given_probabilities is not None
        and previous.source_sha256 != new.source_sha256
        and bool(previous.work.changed_items())
    )


def item_map(previous: ExplorerState, new: ExplorerState) -> tuple[list[int] | None, str]:
    """``(map, why)``: the new index of each previous item (by id when both files have ids, else by position),
    or ``(None, why not)`` when the new file is not of the same items and classes."""
    old_data, new_data = previous.dataset, new.dataset
    if previous.given_probabilities is None:
        return None, "they were made on features trained in the page, not on a probabilities file"
    if list(old_data.classes) != list(new_data.classes):
        return None, (
            f"the classes differ ({len(old_data.classes)}: {_names(old_data.classes)} before, "
            f"{len(new_data.classes)}: {_names(new_data.classes)} now)"
        )
    n_old, n_new = len(old_data.ids), len(new_data.ids)
    if n_old != n_new:
        return None, f"the new file has {n_new:,} items, the previous one {n_old:,}"
    if old_data.row_ids or new_data.row_ids:
        return list(range(n_old)), "position"
    where = {item_id: j for j, item_id in enumerate(new_data.ids)}
    missing = [item_id for item_id in old_data.ids if item_id not in where]
    if missing:
        return None, f"{len(missing):,} of the previous ids are not in the new file (e.g. {missing[0]!r})"
    return [where[item_id] for item_id in old_data.ids], "id"


def _names(classes: Sequence[str]) -> str:
    shown = ", ".join(map(str, classes[:4]))
    return shown + (", …" if len(classes) > 4 else "")


def carry(previous: ExplorerState, new: ExplorerState) -> CarryOver | str:
    """Carry ``previous``'s labels and decisions over to ``new`` (a fresh state of the new file): returns the
    :class:`CarryOver`, or the reason (a sentence fragment) it could not, leaving ``new`` untouched."""
    mapping, how = item_map(previous, new)
    if mapping is None:
        return how
    old, work = previous.work, new.work
    accepted = {}
    for i in sorted(old.changed_items()):
        j, label = mapping[i], old.labels[i]
        if label != work.given[j]:  # not in the new file's labels: kept as the user's change on top of them
            work.relabel(j, label)
        decision = old.decisions.get(i)
        if decision is not None:
            work.decisions[j] = decision
        if decision == "accept":
            accepted[j] = label
    work.unexported = old.unexported
    return CarryOver(previous.source_name, len(old.decisions), accepted, how == "id")


def fix_check(carried: CarryOver, given: Sequence[int], flagged: Collection[int]) -> tuple[int, int, int]:
    """``(agree, flagged, unchecked)`` of the accepted fixes: in the new file's labels (``given``) and not
    flagged by its analysis; in them and still flagged; not in them (the analysis is of another label)."""
    agree = still = unchecked = 0
    for item, label in carried.accepted.items():
        if given[item] != label:
            unchecked += 1
        elif item in flagged:
            still += 1
        else:
            agree += 1
    return agree, still, unchecked


def _n(count: int, word: str) -> str:
    plural = "es" if word.endswith("x") else "s"
    return f"{count:,} {word}{'' if count == 1 else plural}"


def sentence(carried: CarryOver, n_items: int, given: Sequence[int], flagged: Collection[int] | None) -> str:
    """What the page says after new probabilities were loaded on top of a session (``flagged``: the new
    analysis's flagged items, None while it is computed)."""
    how = "matched by id" if carried.by_id else "matched by position"
    out = (
        f"New probabilities for the same {n_items:,} items ({how}): your {_n(carried.decisions, 'decision')} "
        f"on {carried.source} are kept as marks on this file's analysis, which is of this file's labels."
    )
    total = len(carried.accepted)
    if not total:
        return out
    if flagged is None:
        return out + f" Checking your {_n(total, 'accepted fix')} against the new analysis…"
    agree, still, unchecked = fix_check(carried, given, flagged)
    out += (
        f" {agree:,} of your {_n(total, 'accepted fix')} now agree with the model; "
        f"{still:,} {'is' if still == 1 else 'are'} still flagged."
    )
    if unchecked:
        out += (
            f" {_n(unchecked, 'accepted fix')} {'is' if unchecked == 1 else 'are'} not in this file's labels: "
            "kept as your changes, not checked (load the pred_probs with the fixed labels you exported)."
        )
    return out
