"""The engine settings the next training uses: C and gamma of the RBF SVM, folds and seed (pure; no DOM)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cleanlens.crossval import DEFAULT_C, DEFAULT_FOLDS, DEFAULT_GAMMA, DEFAULT_SEED
from cleanlens.errors import CleanlensError
from cleanlens.tuning import scale_gamma

ENGINE_LIMITS = {"svm_C": (1e-4, 1e5), "svm_gamma": (1e-6, 1e2), "n_folds": (2, 10)}
"""The range the page accepts for each engine setting (C and gamma of the RBF SVM, cross-validation folds)."""
ENGINE_DEFAULTS = {"svm_C": DEFAULT_C, "svm_gamma": DEFAULT_GAMMA, "n_folds": DEFAULT_FOLDS}
ENGINE_KEYS = {"svm_C": "C", "svm_gamma": "gamma", "n_folds": "folds"}
"""Engine setting -> its name in the URL fragment and in a training's ``info`` (and the export's audit)."""
MAX_SEED = 2**31 - 1


class EngineSettingError(CleanlensError):
    """An engine setting that is not a number in its range; the message says which and why."""


@dataclass
class EngineSettings:
    """What the next cross-validation uses. ``seed`` shuffles the folds (the same seed, the same results)."""

    svm_C: float = DEFAULT_C
    svm_gamma: float = DEFAULT_GAMMA
    n_folds: int = DEFAULT_FOLDS
    seed: int = DEFAULT_SEED
    default_gamma: float = DEFAULT_GAMMA
    """gamma's default for these data: the demo's 0.003, or scikit-learn's ``'scale'`` for features of your own
    (:func:`cleanlens.tuning.scale_gamma`)."""

    @classmethod
    def for_features(cls, features: Sequence[Sequence[float]] | None) -> EngineSettings:
        """Settings whose gamma defaults to ``'scale'`` of ``features`` (N rows of D floats; None or empty: the
        demo's default)."""
        gamma = scale_gamma(features) if features else DEFAULT_GAMMA
        return cls(svm_gamma=gamma, default_gamma=gamma)

    def defaults(self) -> dict[str, float]:
        """:data:`ENGINE_DEFAULTS` with gamma's default for these data."""
        return dict(ENGINE_DEFAULTS, svm_gamma=self.default_gamma)

    def set(self, name: str, value: object) -> bool:
        """Set ``svm_C``, ``svm_gamma`` or ``n_folds`` from a number or text; returns True if it changed.

        Raises :class:`EngineSettingError` (a readable message) when it is not a number in :data:`ENGINE_LIMITS`.
        """
        lo, hi = ENGINE_LIMITS[name]
        try:
            number = int(str(value).strip()) if name == "n_folds" else float(str(value).strip())
        except ValueError:
            raise EngineSettingError(f"{ENGINE_KEYS[name]} must be a number") from None
        if not lo <= number <= hi:
            raise EngineSettingError(f"{ENGINE_KEYS[name]} must be between {lo:g} and {hi:g}")
        before = getattr(self, name)
        setattr(self, name, number)
        return before != number

    def reset(self) -> bool:
        """Back to :meth:`defaults` (the seed stays); returns True if anything changed."""
        before = self.values()
        for name, value in self.defaults().items():
            setattr(self, name, value)
        return before != self.values()

    def adopt(self, info: Mapping[str, Any]) -> None:
        """Take the settings a training was made with (a restored session's, or the built results')."""
        for name, key in ENGINE_KEYS.items():
            if isinstance(info.get(key), (int, float)) and not isinstance(info.get(key), bool):
                setattr(self, name, int(info[key]) if name == "n_folds" else float(info[key]))

    def values(self) -> dict[str, float]:
        """``{setting: value}`` of the three settings of :data:`ENGINE_KEYS`."""
        return {name: getattr(self, name) for name in ENGINE_KEYS}

    def differ_from(self, info: Mapping[str, Any]) -> bool:
        """True if a training's ``info`` was made with other settings than these."""
        return any(key in info and info[key] != getattr(self, name) for name, key in ENGINE_KEYS.items())
