"""Methodology parameters: the shape a ``Methodology`` row must have before a run may use it."""

import math

from indicators.methods.scoring import validate_parameters
from indicators.methods.sensitivity import validate_sensitivity

LINE_TYPES = ("absolute", "relative")


def parameters_validate(parameters: dict) -> dict:
    """Check and complete a methodology's parameters.

    Args:
        parameters: ``{"scores": {...} (see ``scoring.DEFAULT_PARAMETERS``; missing keys take the
            defaults), "line": {"type": "absolute"} or {"type": "relative", "share": 0-1,
            "of": "median"|"mean"}, "mpi_k": AF cutoff k as a share in (0, 1], "sensitivity": the EQI's
            rank uncertainty analysis (``sensitivity.DEFAULT_SENSITIVITY``; missing keys take the defaults)}``.
            ``scores.sampling`` is the census or sample design of the households (``scoring.sampling_validate``).
    Returns:
        The completed parameters (a new dict).
    Raises:
        ValueError: naming the first unknown key or bad value.
    """
    if not isinstance(parameters, dict):
        raise ValueError("parameters must be a JSON object with keys scores, line, mpi_k, sensitivity")
    unknown = sorted(set(parameters) - {"scores", "line", "mpi_k", "sensitivity"})
    if unknown:
        raise ValueError(f"unknown parameter(s): {', '.join(unknown)} (known: scores, line, mpi_k, sensitivity)")
    scores = validate_parameters(parameters.get("scores", {}))
    line = dict(parameters.get("line", {"type": "absolute"}))
    if line.get("type") not in LINE_TYPES:
        raise ValueError(f"line.type must be one of {', '.join(LINE_TYPES)}, not {line.get('type')!r}")
    if line["type"] == "relative":
        share = line.get("share")
        if not isinstance(share, int | float) or isinstance(share, bool) or not 0 < share <= 1:
            raise ValueError(f"line.share must be a number in (0, 1], not {share!r}")
        if line.setdefault("of", "median") not in ("median", "mean"):
            raise ValueError(f"line.of must be 'median' or 'mean', not {line['of']!r}")
        extra = sorted(set(line) - {"type", "share", "of", "monitoring_multiple"})
    else:
        extra = sorted(set(line) - {"type"})
    if extra:
        raise ValueError(f"unknown line parameter(s): {', '.join(extra)}")
    k = parameters.get("mpi_k", 1 / 3)
    if not isinstance(k, int | float) or isinstance(k, bool) or not math.isfinite(k) or not 0 < k <= 1:
        raise ValueError(f"mpi_k must be a number in (0, 1], not {k!r}")
    sensitivity = validate_sensitivity(parameters.get("sensitivity"))
    return {"scores": scores, "line": line, "mpi_k": float(k), "sensitivity": sensitivity}
