"""Reading the CSV file of an analyst command (``poverty_measures``, ``mpi``) into a DataFrame.

One place for what both commands need: the encodings the project's imports accept (a UTF-8 or UTF-16 byte
order mark, else strict UTF-8, else strict GB18030 as Excel on Chinese Windows saves), a header without
duplicated names, and errors as ``CommandError``. Each command keeps its own handling of cells and rows.
"""

import codecs
import csv
import io
import re
from collections import Counter
from pathlib import Path

import pandas as pd
from django.core.management.base import CommandError

from households.importing.reading import ImportFileError
from households.importing.reading import _decode as decode_utf8_or_gb18030

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_NUMPY_SCALAR = re.compile(r"np\.(?:float|int|uint)\d*\(([^()]*)\)")


def decode(file: Path, data: bytes) -> str:
    """The file's text: UTF-16 or UTF-8 with a BOM, else strict UTF-8, else strict GB18030."""
    try:
        if data.startswith(_UTF16_BOMS):
            return data.decode("utf-16")
        return decode_utf8_or_gb18030(data)[0]
    except (UnicodeDecodeError, ImportFileError):
        raise CommandError(
            f"{file} is neither UTF-8 nor GB18030 text (nor UTF-16 with a byte order mark); save it as "
            '"CSV UTF-8 (Comma delimited)" in Excel, or as GB18030/GBK'
        ) from None


def read_csv(file: Path, **options) -> pd.DataFrame:
    """``pandas.read_csv`` of the decoded file with ``options``.

    Raises:
        CommandError: no such file, an undecodable or unparsable file, or a header naming a column twice (pandas
            would rename the second one and the command would silently use the first).
    """
    if not file.is_file():
        raise CommandError(f"{file}: no such file")
    try:
        data = file.read_bytes()
    except OSError as error:
        raise CommandError(f"cannot read {file}: {error}") from error
    text = decode(file, data)
    try:
        header = next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error as error:
        raise CommandError(f"cannot read {file} as CSV: {error}") from error
    duplicated = [name for name, count in Counter(header).items() if count > 1 and name.strip()]
    if duplicated:
        names = ", ".join(repr(name) for name in duplicated)
        raise CommandError(f"{file}: the header names column(s) {names} more than once; rename or remove the copies")
    try:
        return pd.read_csv(io.StringIO(text, newline=""), **options)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise CommandError(f"cannot read {file} as CSV: {error}") from error


def plain_numbers(message: str) -> str:
    """``message`` with NumPy scalar reprs (``np.float64(0.0)``) shown as plain numbers (``0.0``)."""
    return _NUMPY_SCALAR.sub(r"\1", message)
