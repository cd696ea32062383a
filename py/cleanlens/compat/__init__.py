"""cleanlab 2.9.0's ``count``, ``filter``, ``rank`` and ``dataset`` for single-label data, by Cleanlens.

Swap the import and get the same numbers::

    from cleanlens.compat.filter import find_label_issues   # was: from cleanlab.filter import ...
    from cleanlens.compat import count, dataset, filter, rank

Each function has cleanlab's name, signature and defaults. With numpy the results are what cleanlab
returns (ndarrays of the same dtypes, DataFrames where cleanlab returns them, pandas imported on use);
without numpy (in the browser) the standard-library backend computes the same values as lists. Both
backends compute what cleanlab computes, operation for operation (docs/compat.md states the exactness of
each function). Outside the single-label subset (``multi_label=True``) a function raises
``NotImplementedError``; ``n_jobs`` and ``verbose`` are accepted and ignored.

Exact equality depends on one thing outside cleanlab's arithmetic: where cleanlab sorts (pruning, the
rounding of the calibrated joint, rankings), numpy's default sort orders equal values in a way that
depends on the machine. The numpy backend calls the same sort and agrees bit for bit; the
standard-library backend orders equal values by index, so with exact ties at a cut-off it may choose
other items among the tied ones.
"""

from . import count, dataset, filter, rank  # noqa: A004 (cleanlab's module names)

__all__ = ["count", "dataset", "filter", "rank"]
