"""Statistical disclosure control of published region aggregates: primary and secondary suppression.

A region with fewer than ``threshold`` surveyed households is a *small cell*: its numbers are not
published (primary suppression). That alone is not enough when the parent is published: the parent
minus its other children gives the small child exactly (households, persons, flagged count, and the
mean of any measure through the weighted sum). Statistical offices therefore suppress complementary
cells until no hidden cell, nor any sum of hidden cells of one parent, can be recovered by
subtraction (Hundepool et al., *Statistical Disclosure Control*, Wiley 2012, §4.2 "primary and
secondary cell suppression"; Eurostat, *Handbook on SDC for tabular data*, 2010, §4.3).

The rule here, for each parent whose numbers the reader sees: the hidden children of that parent must
be none, or at least two whose households sum to at least ``threshold``. Where they are not, the
smallest child still shown (fewest households, then lowest position) is hidden as well; where no
child is left to hide, the parent itself is hidden, and the rule is applied again one level up. A
child the reader may see in full (``visible``, their own subtree) is never hidden and never chosen,
because the reader knows it: it cannot protect a sibling from them.
"""

import numpy as np
import pandas as pd


def cells_suppressed(*, parent: np.ndarray, households: np.ndarray, visible: np.ndarray, threshold: int) -> np.ndarray:
    """Which cells to hide from one reader: primary (small) cells and their complements.

    Args:
        parent: shape (n,), for each cell the position (0..n-1) of its parent cell in these arrays,
            or -1 when the parent is not published (a province; a region whose parent is below the
            public level).
        households: shape (n,), surveyed households of each cell (a count >= 0).
        visible: shape (n,) bool, cells the reader may see in full (their assigned subtrees).
        threshold: the smallest publishable number of households (``SMALL_CELL``, 10).

    Returns:
        shape (n,) bool: True for a cell whose numbers the reader must not see. ``visible`` cells
        are always False; a cell with fewer than ``threshold`` households is True unless visible.

    Raises:
        ValueError: arrays of different lengths, or a parent position outside 0..n-1 (other than -1).
    """
    parent = np.asarray(parent, dtype=np.int64)
    households = np.asarray(households, dtype=np.int64)
    visible = np.asarray(visible, dtype=bool)
    n = len(parent)
    if len(households) != n or len(visible) != n:
        raise ValueError("parent, households and visible must have one entry per cell")
    if ((parent < -1) | (parent >= n)).any():
        raise ValueError("a parent position must be -1 or a cell's position")
    hidden = ~visible & (households < threshold)
    order = np.lexsort((np.arange(n), households))  # fewest households first, then position
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    has_parent = parent >= 0
    for _ in range(n + 1):  # each pass hides at least one more cell, or stops
        # groups: the children of each published parent that the reader sees (else nothing to subtract from)
        open_group = has_parent & ~hidden[np.where(has_parent, parent, 0)]
        frame = pd.DataFrame(
            {
                "parent": parent[open_group],
                "hidden": hidden[open_group],
                "hidden_households": np.where(hidden, households, 0)[open_group],
            }
        )
        groups = frame.groupby("parent").agg(count=("hidden", "sum"), households=("hidden_households", "sum"))
        exposed = groups.index[(groups["count"] == 1) | ((groups["count"] > 0) & (groups["households"] < threshold))]
        if len(exposed) == 0:
            return hidden
        candidates = open_group & ~hidden & ~visible & np.isin(parent, exposed)
        chosen = pd.Series(rank[candidates], index=parent[candidates]).groupby(level=0).min()
        hidden[order[chosen.to_numpy()]] = True
        orphaned = np.setdiff1d(exposed.to_numpy(), chosen.index.to_numpy())  # no sibling left to hide
        hidden[orphaned[~visible[orphaned]]] = True
        if not len(chosen) and not (~visible[orphaned]).any():
            return hidden  # only visible parents left: their readers see the children too
    return hidden
