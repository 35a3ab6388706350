"""Sampling error on the dashboards (issue 15): the poverty trend's 95 % confidence band and the marks
on rankings whose neighbours' intervals overlap.

The intervals are the region scores' (``indicators.services.rollup_uncertainty``): present where the
run's methodology says the households are a sample, null for a census, a small cell or a region
without a variance estimate. Nothing here computes a variance.
"""

from itertools import pairwise

from django.utils.translation import gettext as _

from config.formats import number_display
from indicators.registry import BY_CODE

#: The measures with an interval: field prefix -> (line colour, band colour).
MEASURES = {
    "headcount_ratio": ("#b33a3a", "rgba(179, 58, 58, 0.18)"),
    "mpi_m0": ("#486581", "rgba(72, 101, 129, 0.18)"),
}


def export_columns() -> list[tuple[str, str]]:
    """The interval fields as table columns (code, label in the active language), for the exports."""
    labels = {
        "se": _("%(measure)s: standard error"),
        "ci_low": _("%(measure)s: lower end of the 95%% confidence interval"),
        "ci_high": _("%(measure)s: upper end of the 95%% confidence interval"),
    }
    return [
        (f"{code}_{suffix}", label % {"measure": BY_CODE[code].name})
        for code in MEASURES
        for suffix, label in labels.items()
    ]


def rank_overlaps(
    values: list[float | None], low: list[float | None], high: list[float | None], ranks: list[int | None], codes
) -> list[bool | None]:
    """Which ranked regions cannot be told apart from a neighbour at 95 %.

    Args:
        values, low, high, ranks, codes: parallel lists per region: the measure (None: not shown),
            its interval (None: none), its rank (``dashboard_data.ranks``) and code.
    Returns:
        Per region: True when its interval overlaps that of the region ranked next above or below it
        (the order of the rankings: rank, then code), False when it overlaps neither, None when it
        has no value or no interval (a neighbour without an interval is not compared). Overlapping
        intervals are the usual, conservative reading: non-overlapping 95 % intervals differ at
        5 % or less; overlapping ones may still differ, but the data do not show it at this level.
    """
    order = sorted(
        (i for i, v in enumerate(values) if v is not None and ranks[i] is not None), key=lambda i: (ranks[i], codes[i])
    )
    has = [low[i] is not None and high[i] is not None for i in range(len(values))]
    out: list[bool | None] = [False if has[i] and values[i] is not None else None for i in range(len(values))]
    for a, b in pairwise(order):  # neighbours in the rankings: a few thousand at most
        if has[a] and has[b] and low[a] <= high[b] and low[b] <= high[a]:
            out[a] = out[b] = True
    return out


def _segments(periods: list[int], low: list, high: list) -> list[tuple[list, list]]:
    """Runs of consecutive periods with an interval: (x, y) of a closed band polygon each."""
    runs, current = [], []
    for p, lo, hi in zip(periods, low, high, strict=True):
        if lo is None or hi is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append((p, lo, hi))
    if current:
        runs.append(current)
    bands = []
    for run in runs:  # along the upper ends, then back along the lower ones
        x = [p for p, _, _ in run] + [p for p, _, _ in reversed(run)]
        bands.append((x, [hi for _, _, hi in run] + [lo for _, lo, _ in reversed(run)]))
    return bands


def poverty_trend(series: dict, *, periods: list[int]) -> list[dict]:
    """The Plotly traces of a region's poverty incidence and M0 over ``periods``, each with its 95 %
    confidence band where the values have an interval.

    Args:
        series: a region's ``dashboard_data.region_series`` entry (``periods``: year -> row or None;
            a row has each measure and its ``_ci_low``/``_ci_high``, None when not shown).
        periods: the years of the chart's axis.
    Returns:
        Traces (JSON-ready dicts, texts in the active language): per measure with an interval, a
        filled band polygon (``fill: "toself"``) per run of consecutive periods with one, in the
        legend group ``ci`` whose first band has the legend entry "95% confidence interval"; then
        per measure its line, hover texts formatted as the pages format shares.
    """
    rows = [series["periods"].get(p) or {} for p in periods]
    # xgettext:no-python-format
    band_label = _("95% confidence interval")
    bands, lines = [], []
    for code, (colour, fill) in MEASURES.items():
        values = [row.get(code) for row in rows]
        low = [row.get(f"{code}_ci_low") for row in rows]
        high = [row.get(f"{code}_ci_high") for row in rows]
        for x, y in _segments(periods, low, high):
            bands.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "x": x,
                    "y": y,
                    "fill": "toself",
                    "fillcolor": fill,
                    "line": {"width": 0, "color": fill},
                    "hoverinfo": "skip",
                    "name": band_label,
                    "legendgroup": "ci",
                    "showlegend": not bands,
                }
            )
        texts = []
        for value, lo, hi in zip(values, low, high, strict=True):
            text = number_display(value, "share") if value is not None else ""
            if value is not None and lo is not None and hi is not None:
                text += (
                    " ("
                    + _("95%% confidence interval %(low)s to %(high)s")
                    % {
                        "low": number_display(lo, "share"),
                        "high": number_display(hi, "share"),
                    }
                    + ")"
                )
            texts.append(text)
        name = str(BY_CODE[code].name)
        lines.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": name,
                "x": periods,
                "y": values,
                "connectgaps": False,
                "line": {"color": colour},
                "marker": {"color": colour},
                "text": texts,
                "hovertemplate": "%{x}: %{text}<extra>" + name + "</extra>",
            }
        )
    return bands + lines
