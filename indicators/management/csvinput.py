"""Reading the columns an analyst command (``poverty_measures``, ``mpi``) needs from a CSV file.

One place for what both commands need: the encodings the project's imports accept (a UTF-8 or UTF-16 byte
order mark, else strict UTF-8, else strict GB18030 as Excel on Chinese Windows saves; the rule of
``households.importing.reading._decode``, not imported from there so that these commands load no Django app), a
header without duplicated names, and errors as ``CommandError`` naming the row as a spreadsheet shows it (the
header is row 1; blank rows count) and the column.

A command lists the columns it reads (``Column``: the option that names it, the header name, the kind) and calls
``read_columns`` once; a new option (a cluster or strata column of a survey design) is one more ``Column``.

Two readers, one result. pyarrow's typed CSV reader parses only the needed columns, numbers straight to float64
(about ten times faster than reading every cell as text and converting it back). Its result is used when the
file is plain: it parses, every number is finite, every weight > 0, every label non-blank. Otherwise (a cell to
report, a blank row inside the data, a row with fewer cells than the header, ...) the whole file is read again,
every cell as text (by pyarrow, or by pandas when pyarrow cannot split it), which either gives the same columns
(blank rows left out) or finds the bad cells (a million rows: about 3 s). The typed read needs no pandas
(importing it takes 0.25 s): columns come back as NumPy arrays and label codes.
"""

import codecs
import csv
import io
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from django.core.management.base import CommandError
from numpy.typing import NDArray

NUMBER, WEIGHT, LABEL = "number", "weight", "label"
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_NUMPY_SCALAR = re.compile(r"np\.(?:float|int|uint)\d*\(([^()]*)\)")
_HEADER_CHARS = 65536  # the header is parsed from the file's start (all of it when the header is longer)
_ROWS_LISTED = 5  # an error lists the first rows with a bad cell in the column, and their count
_KIND_PROBLEM = {NUMBER: "not finite numbers", WEIGHT: "not numbers greater than zero", LABEL: "blank"}


class Column(NamedTuple):
    """A column a command reads.

    Attributes:
        option: the command-line option that names it (``--weight``), for messages.
        name: its name in the header.
        kind: ``NUMBER`` (a finite number), ``WEIGHT`` (a finite number > 0) or ``LABEL`` (text, not blank).
    """

    option: str
    name: str
    kind: str


class Labels(NamedTuple):
    """A label column as ``pandas.factorize(column, sort=True)`` gives it.

    Attributes:
        codes: (n,) intp, each row's index into ``names``.
        names: the G distinct labels, sorted, as in the file (not stripped).
    """

    codes: NDArray[np.intp]
    names: list[str]


Columns = dict[str, "NDArray[np.float64] | Labels"]


def decode(file: Path, data: bytes) -> tuple[str, str]:
    """The file's text and its encoding: UTF-16 or UTF-8 with a BOM, else strict UTF-8, else strict GB18030."""
    if data.startswith(_UTF16_BOMS):
        encodings = ["utf-16"]
    elif data.startswith(codecs.BOM_UTF8):
        encodings = ["utf-8-sig"]
    else:
        encodings = ["utf-8", "gb18030"]
    for encoding in encodings:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise CommandError(
        f"{file} is neither UTF-8 nor GB18030 text (nor UTF-16 with a byte order mark); save it as "
        '"CSV UTF-8 (Comma delimited)" in Excel, or as GB18030/GBK'
    )


def read_columns(file: Path, columns: Sequence[Column]) -> Columns:
    """The named columns of a CSV file, checked.

    Args:
        file: a CSV file with a header row (encodings as ``decode``).
        columns: what to read; a name may appear twice (e.g. a weight that is also an indicator) if both kinds are
            numbers.

    Returns:
        One entry per distinct name, in ``columns`` order: (n,) float64 for ``NUMBER`` and ``WEIGHT``, ``Labels``
        for ``LABEL``; one row per data row of the file, in its order, blank rows (every cell empty or spaces)
        left out wherever they are.

    Raises:
        CommandError: no such file; an unreadable, undecodable or unparsable file; a header naming a column twice;
            a column not in the header (the message names the option and lists the header); a name read as a
            label and as a number; no data rows; a bad cell: ``row R, column 'C': <problem>`` for the first one
            in the file (an empty cell, a text that is not a number, an infinite number, a weight <= 0, a blank
            label), followed by the count of bad cells in that column and their first rows when there are more.
    """
    wanted = _distinct(columns)
    data = _read_bytes(file)
    if data.isascii():  # UTF-8 as it is; decoding it all (0.03 s a million rows) waits for the text read
        text, utf8 = None, data
    else:
        text, encoding = decode(file, data)
        utf8 = data if encoding.startswith("utf-8") else text.encode()
    header = _header(file, text, data)
    for column in columns:
        if column.name not in header:
            raise CommandError(f"{column.option}: no column {column.name!r} in {file} (columns: {', '.join(header)})")
    read = _read_typed(utf8, header, wanted)
    if read is None:
        read = _read_text(file, utf8, text, header, wanted)
    values, rows = read
    if rows == 0:
        raise CommandError(f"{file}: no data rows")
    return values


def plain_numbers(message: str) -> str:
    """``message`` with NumPy scalar reprs (``np.float64(0.0)``) shown as plain numbers (``0.0``)."""
    return _NUMPY_SCALAR.sub(r"\1", message)


def _distinct(columns: Sequence[Column]) -> dict[str, str]:
    """name -> kind, in order; WEIGHT wins over NUMBER for a name given as both."""
    kinds: dict[str, str] = {}
    for column in columns:
        known = kinds.get(column.name)
        if known is not None and (known == LABEL) != (column.kind == LABEL):
            raise CommandError(f"{column.option}: column {column.name!r} cannot be both a label and a number")
        kinds[column.name] = WEIGHT if WEIGHT in (known, column.kind) else column.kind
    return kinds


def _read_bytes(file: Path) -> bytes:
    if not file.is_file():
        raise CommandError(f"{file}: no such file")
    try:
        return file.read_bytes()
    except OSError as error:
        raise CommandError(f"cannot read {file}: {error}") from error


def _header(file: Path, text: str | None, data: bytes) -> list[str]:
    """The first record's cells, parsed from the start of the text (``text``, or ASCII ``data`` when None; a copy
    of all of it costs 0.1 s a million rows), or from all of it when that start does not hold the whole record."""
    start = data[:_HEADER_CHARS].decode("ascii") if text is None else text[:_HEADER_CHARS]
    stream = io.StringIO(start, newline="")
    try:
        header = next(csv.reader(stream), [])
        if stream.tell() >= _HEADER_CHARS:
            whole = data.decode("ascii") if text is None else text
            header = next(csv.reader(io.StringIO(whole, newline="")), [])
    except csv.Error as error:
        raise CommandError(f"cannot read {file} as CSV: {error}") from error
    duplicated = [name for name, count in Counter(header).items() if count > 1 and name.strip()]
    if duplicated:
        names = ", ".join(repr(name) for name in duplicated)
        raise CommandError(f"{file}: the header names column(s) {names} more than once; rename or remove the copies")
    return header


def _read_typed(data: bytes, header: list[str], wanted: dict[str, str]) -> tuple[Columns, int] | None:
    """pyarrow's typed read of the wanted columns of UTF-8 ``data`` and the number of rows, or None when the file is
    not plain (see the module docstring)."""
    if any("\n" in name or "\r" in name for name in header):
        return None  # a header over several lines: skip_rows=1 would not skip all of it
    end = len(data)
    while end and data[end - 1] in b"\r\n":  # trailing blank lines are blank rows
        end -= 1
    fields = [f"c{position}" for position in range(len(header))]  # header names may be blank or odd
    include = {fields[header.index(name)]: name for name in wanted}
    types = {field: pa.string() if wanted[name] == LABEL else pa.float64() for field, name in include.items()}
    try:
        # The streaming reader converts block by block: as fast as read_csv here, and its peak memory is lower
        # (+60 MB against +110 MB a million rows).
        table = pa_csv.open_csv(
            pa.BufferReader(pa.py_buffer(data).slice(0, end)),  # no copy of the data
            read_options=pa_csv.ReadOptions(column_names=fields, skip_rows=1),
            # Without a quote there is no line break inside a cell, and the file splits into blocks at any one.
            parse_options=pa_csv.ParseOptions(ignore_empty_lines=False, newlines_in_values=b'"' in data),
            convert_options=pa_csv.ConvertOptions(
                include_columns=list(include),
                column_types=types,
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        ).read_all()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    out: Columns = {}
    for field, name in include.items():
        values = table.column(field)
        if wanted[name] == LABEL:
            encoded = values.combine_chunks().dictionary_encode()
            labels = _sorted_labels(_numpy(encoded.indices), encoded.dictionary.to_pylist())
            if any(label.strip() == "" for label in labels.names):
                return None
            out[name] = labels
            continue
        if values.null_count:
            return None
        numbers = _numpy(values)
        if not np.isfinite(numbers).all() or (wanted[name] == WEIGHT and not (numbers > 0).all()):
            return None
        out[name] = numbers
    return out, table.num_rows


def _numpy(values: pa.Array | pa.ChunkedArray) -> NDArray:
    """A writable NumPy copy of a null-free numeric arrow (chunked) array, in one copy (``to_numpy`` would
    import pandas: 0.25 s)."""
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    dtype = np.dtype(values.type.to_pandas_dtype())
    views = [
        np.frombuffer(chunk.buffers()[1], dtype=dtype, count=len(chunk), offset=chunk.offset * dtype.itemsize)
        for chunk in chunks
    ]
    return np.concatenate(views) if views else np.empty(0, dtype)


def _sorted_labels(indices: NDArray, dictionary: list[str]) -> Labels:
    """A dictionary encoding (labels in order of appearance) with its labels sorted."""
    order = sorted(range(len(dictionary)), key=dictionary.__getitem__)
    rank = np.empty(len(dictionary), dtype=np.intp)
    rank[order] = np.arange(len(dictionary))
    return Labels(codes=rank[indices], names=[dictionary[i] for i in order])


def _read_text(file: Path, utf8: bytes, text: str | None, header: list[str], wanted: dict[str, str]):
    """Every cell as text, blank rows dropped; the wanted columns converted as ``(columns, rows)``, or the first bad
    cell as an error. ``text``: the decoded file, None for ASCII ``utf8``."""
    cells = _cells_by_arrow(utf8, header, wanted)
    if cells is None:  # e.g. a row with fewer or more cells than the header, which pandas reads or names
        cells = _cells_by_pandas(file, utf8.decode("ascii") if text is None else text, wanted)
    keep, raw = cells
    rows = np.flatnonzero(keep) + 2  # the header is row 1
    mask = pa.array(keep)
    out: Columns = {}
    first_bad = []
    for name, kind in wanted.items():
        column = raw[name].filter(mask)
        stripped = pc.utf8_trim_whitespace(column)
        empty = _bools(pc.equal(stripped, ""))
        if kind == LABEL:
            encoded = column.dictionary_encode()
            out[name] = _sorted_labels(_numpy(encoded.indices), encoded.dictionary.to_pylist())
            values, bad = None, empty
        else:
            values = _numbers(stripped, empty)
            bad = ~np.isfinite(values) | ((kind == WEIGHT) & ~(values > 0))
            out[name] = values
        if bad.any():
            position = int(bad.argmax())
            first_bad.append((position, name, kind, bad, values, stripped[position].as_py()))
    if first_bad:
        raise CommandError(_bad_cells(rows, *min(first_bad, key=lambda found: found[0])))  # earliest row, then column
    return out, len(rows)


def _numbers(stripped: pa.Array, empty: NDArray[np.bool_]) -> NDArray[np.float64]:
    """Stripped texts as numbers, NaN for an empty cell or a text that is not a number: pyarrow's cast (as the
    typed read parses) or, when some text is not a number, ``pandas.to_numeric`` (``errors="coerce"``)."""
    try:
        numbers = pc.cast(pc.if_else(pa.array(empty), pa.scalar(None, pa.string()), stripped), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        import pandas as pd  # only here: the typed read needs no pandas

        return pd.to_numeric(pd.Series(stripped.to_pylist(), dtype=object), errors="coerce").to_numpy(dtype=float)
    return _numpy(pc.fill_null(numbers, np.nan))


def _bools(values: pa.Array | pa.ChunkedArray) -> NDArray[np.bool_]:
    """An arrow bool array (of the text read: this imports pandas) as NumPy."""
    return np.asarray(values.to_numpy(zero_copy_only=False), dtype=bool)


def _cells_by_arrow(data: bytes, header: list[str], wanted) -> tuple[NDArray[np.bool_], dict] | None:
    """(which records are not blank, wanted name -> every record's cell as a text array) by pyarrow (a fraction of
    the time and memory of pandas), or None when pyarrow cannot split the file into the header's columns."""
    if any("\n" in name or "\r" in name for name in header):
        return None
    fields = [f"c{position}" for position in range(len(header))]
    try:
        table = pa_csv.read_csv(
            pa.BufferReader(data),
            read_options=pa_csv.ReadOptions(column_names=fields, skip_rows=1),
            parse_options=pa_csv.ParseOptions(ignore_empty_lines=False, newlines_in_values=b'"' in data),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(fields, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    blank = np.ones(table.num_rows, dtype=bool)
    for column in table.columns:
        blank &= _bools(pc.equal(pc.utf8_trim_whitespace(column), ""))
    return ~blank, {name: table.column(fields[header.index(name)]).combine_chunks() for name in wanted}


def _cells_by_pandas(file: Path, text: str, wanted) -> tuple[NDArray[np.bool_], dict]:
    """As :func:`_cells_by_arrow`, by pandas, which also reads a row with fewer cells than the header (the missing
    ones blank)."""
    import pandas as pd

    try:
        frame = pd.read_csv(
            io.StringIO(text, newline=""), dtype=str, keep_default_na=False, skip_blank_lines=False
        ).fillna("")
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise CommandError(f"cannot read {file} as CSV: {error}") from error
    if not isinstance(frame.index, pd.RangeIndex):  # pandas takes a first column the header does not name as index
        raise CommandError(f"cannot read {file} as CSV: row 2 has more cells than the header")
    keep = frame.apply(lambda column: column.str.strip() != "").any(axis=1).to_numpy()
    return keep, {name: pa.array(frame[name].to_numpy(dtype=object), pa.string()) for name in wanted}


def _bad_cells(rows, position: int, name: str, kind: str, bad, values, cell: str) -> str:
    """``row R, column 'C': problem`` of the first bad cell, then how many the column has and their first rows."""
    if kind == LABEL:
        problem = "the group label is blank"
    elif cell == "":
        problem = "empty cell"
    elif np.isnan(values[position]):
        problem = f"{cell!r} is not a number"
    elif np.isinf(values[position]):
        problem = f"{cell!r} is not a finite number"
    else:
        problem = f"weight {float(values[position])} is not greater than zero"
    message = f"row {rows[position]}, column {name!r}: {problem}"
    count = int(bad.sum())
    if count > 1:
        listed = ", ".join(str(row) for row in rows[bad][:_ROWS_LISTED]) + (", ..." if count > _ROWS_LISTED else "")
        message += f"; {count} cells of column {name!r} are {_KIND_PROBLEM[kind]}: rows {listed}"
    return message


# --- the survey design options of both commands ---------------------------------------------------------------


def add_design_arguments(parser) -> None:
    """``--strata``, ``--cluster``, ``--fpc`` and ``--se``: with any of them the command prints each measure's
    standard error, 95 % interval and design effect (``indicators.methods.variance``), with ``--weight`` as the
    sampling weights."""
    parser.add_argument("--strata", metavar="COL", help="stratum of each row (PSUs are drawn within strata)")
    parser.add_argument(
        "--cluster", metavar="COL", help="primary sampling unit (PSU) of each row, within its stratum; default: the row"
    )
    parser.add_argument(
        "--fpc",
        metavar="COL",
        help="finite population correction: the stratum's number of PSUs in the population (>= those sampled) or "
        "its sampling fraction (0-1]; a census (all PSUs) has standard errors 0; default: with replacement",
    )
    parser.add_argument(
        "--se",
        action="store_true",
        help="standard errors also without --strata/--cluster/--fpc (each row a PSU drawn with replacement)",
    )


def design_columns(options: dict) -> list[Column]:
    """The columns the design options name (strata and clusters as labels, the fpc a number > 0)."""
    kinds = (("--strata", "strata", LABEL), ("--cluster", "cluster", LABEL), ("--fpc", "fpc", WEIGHT))
    return [Column(option, options[key], kind) for option, key, kind in kinds if options.get(key)]


def design_arrays(data, options: dict) -> dict:
    """``strata``, ``clusters``, ``fpc`` and ``uncertainty`` arguments of the methods from the columns read."""
    strata, cluster, fpc = (options.get(key) for key in ("strata", "cluster", "fpc"))
    if strata is not None:
        import pandas as pd  # only with a design: the design's messages name strata by their labels

        labels = data[strata]
        strata_labels = pd.Categorical.from_codes(labels.codes, categories=pd.Index(labels.names, dtype=object))
    return {
        "strata": None if strata is None else strata_labels,
        "clusters": None if cluster is None else data[cluster].codes,
        "fpc": None if fpc is None else data[fpc],
        "uncertainty": bool(options.get("se")),
    }
