"""Cell values of an import file as they may be kept or handed out again: identifiers masked.

A batch's stored report (``ImportBatch.report``, from ``Validation.report``) names the cell of each
problem with its text. Kept in clear, the resident IDs of rejected cells sat in the database for ever
(issue 13, finding 5). Here:

- a cell of the resident-ID column (``身份证号`` / ``resident_id``) is masked as everywhere else
  (``ids.id_mask``: ``6404**********0012``);
- a cell of the registry-number column (``户编号`` / ``registry_number``) stays as typed in a report
  (fresh-eyes test 14, item 5: a clerk saw ``621126100201****`` for their typo ``6211261002019999``
  and could not tell what was wrong). A registry number is a village code and a serial, not personal
  data; a report is read only by its uploader, a clerk or admin of the batch's regions, who sees
  registry numbers whole on every page (``selectors.import_batch_get``). The preview of the first
  rows still keeps only its village code (``value_masked``; ``ids.registry_mask``: ``640422100002****``);
- in any other cell, and in a registry-number cell, a run shaped like a resident ID (17 digits and
  a digit or ``X``) is masked too (an ID typed into the wrong column).

A problem's message that quotes the cell gets the same mask, and so do its parameters (``messages``),
from which the message is shown again in the reader's language. The row and the column stay, so the
clerk still sees which cell to fix in their own file.
"""

import re
import unicodedata

import pandas as pd

from households.ids import id_mask, registry_mask
from households.importing.columns import COLUMNS, header_lookup

_RESIDENT_ID_RUN = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
_CN_REGISTRY = re.compile(r"[0-9]{16}")


def field_of(kind: str, header: str) -> str | None:
    """The field a file header names for ``kind`` (as ``validate`` maps headers), or ``None``."""
    if kind not in COLUMNS:
        return None
    text = " ".join(unicodedata.normalize("NFKC", str(header)).split()).casefold()
    return header_lookup(kind).get(text)


def value_masked(kind: str, header: str, value: str, *, registry: bool = True) -> str:
    """``value`` of the column ``header`` of a ``kind`` file with its identifiers masked (see the
    module); ``registry=False`` leaves registry numbers whole (the workbook to fix, ``report``)."""
    text = str(value)
    if not text:
        return text
    field = field_of(kind, header)
    if field == "resident_id":
        return id_mask(text)
    if field == "registry_number" and registry:
        return registry_mask(text, text[:12] if _CN_REGISTRY.fullmatch(text) else "")
    return _RESIDENT_ID_RUN.sub(lambda match: id_mask(match.group(0)), text)


def column_masked(kind: str, header: str, column: pd.Series) -> pd.Series:
    """A column of text cells with its resident IDs masked as ``value_masked(..., registry=False)``
    masks each cell (registry numbers whole: the workbook to fix, ``report``), column-wise.

    Args:
        column: text cells ('' for blank), as ``reading.RawTable.frame`` holds them.
    Returns:
        The masked cells, on the same index.
    """
    text = column.astype(str)
    if field_of(kind, header) != "resident_id":
        return text.str.replace(_RESIDENT_ID_RUN, lambda match: id_mask(match.group(0)), regex=True)
    length = text.str.len()  # ids.id_mask: the first four and last four characters, the rest "*"
    stars = pd.Series("*", index=text.index).str.repeat((length - 8).clip(lower=0))
    masked = text.str[:4] + stars + text.str[-4:]
    return masked.where(length > 8, pd.Series("*", index=text.index).str.repeat(length))


def problems_masked(kind: str, problems: list[dict]) -> list[dict]:
    """Copies of report problems (``row``, ``column``, ``value``, ``message``, ``code``, ``params``)
    with ``value`` masked by ``value_masked`` (registry numbers as typed: see the module), and in the
    message and in every text of the parameters (from which the message is shown again, ``messages``;
    they may quote the cell: "'…' is not a number") the cell's text replaced by its masked form and
    any ID-shaped run masked."""
    masked = []
    for problem in problems:
        value = str(problem.get("value", ""))
        shown = value_masked(kind, problem.get("column", ""), value, registry=False)

        def text_masked(text: str, value=value, shown=shown) -> str:
            if value and shown != value:
                text = text.replace(value, shown)
            return _RESIDENT_ID_RUN.sub(lambda match: id_mask(match.group(0)), text)

        out = {**problem, "value": shown, "message": text_masked(str(problem.get("message", "")))}
        if "params" in problem:
            out["params"] = _params_masked(problem["params"] or {}, text_masked)
        masked.append(out)
    return masked


def _params_masked(params, text_masked):
    """``params`` (JSON values) with every text masked by ``text_masked``; numbers stay, but for a
    number that masks (a resident ID read as a whole number), which becomes its masked text."""
    if isinstance(params, str):
        return text_masked(params)
    if isinstance(params, dict):
        return {name: _params_masked(value, text_masked) for name, value in params.items()}
    if isinstance(params, list):
        return [_params_masked(value, text_masked) for value in params]
    if isinstance(params, int) and not isinstance(params, bool) and text_masked(str(params)) != str(params):
        return text_masked(str(params))  # a resident ID read as a number ("… is more than the maximum 99")
    return params
