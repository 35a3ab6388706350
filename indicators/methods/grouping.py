"""Group labels as integer codes, for the methods that report per group (``poverty``, ``alkire_foster``)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def group_codes(groups: ArrayLike, labels: ArrayLike | None, n: int) -> tuple[NDArray[np.intp], list]:
    """The groups of n rows as codes 0..G-1 and their G labels.

    Args:
        groups: (n,) group labels (no missing value), factorised here with the labels in sorted order (pandas is
            imported for that); or, when ``labels`` is given, (n,) integer codes into ``labels``, as
            ``pandas.factorize`` returns them (no pandas needed).
        labels: (G,) the labels of codes 0..G-1, or None.
        n: the number of rows.

    Returns:
        ((n,) codes, the G labels as a list).

    Raises:
        ValueError: not n groups; a missing label (the message gives the first row index); codes that are not
            integers in 0..G-1.
    """
    if labels is None:
        import pandas as pd  # only here: the commands pass codes and start without pandas

        series = groups if isinstance(groups, pd.Series) else pd.Series(np.asarray(groups, dtype=object).ravel())
        if len(series) != n:
            raise ValueError(f"groups has {len(series)} labels for {n} rows")
        missing = series.isna().to_numpy()
        if missing.any():
            raise ValueError(f"groups has a missing label at row index {int(missing.argmax())}")
        codes, uniques = pd.factorize(series, sort=True)
        return codes.astype(np.intp), list(uniques)
    codes = np.asarray(groups)
    names = list(labels)
    if codes.shape != (n,):
        raise ValueError(f"groups has shape {codes.shape} for {n} rows")
    if n and not np.issubdtype(codes.dtype, np.integer):
        raise ValueError("with labels, groups must be integer codes 0..G-1")
    if n and (codes.min() < 0 or codes.max() >= len(names)):
        raise ValueError(f"group codes must lie in 0..{len(names) - 1}")
    return codes.astype(np.intp), names
