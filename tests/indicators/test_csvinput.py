"""The analyst commands' CSV reader: the typed read and the text read give the same columns, whatever the file's
encoding, line ends or blank rows; and its errors."""

import numpy as np
import pytest
from django.core.management import CommandError

from indicators.management import csvinput
from indicators.management.csvinput import LABEL, NUMBER, WEIGHT, Column, Labels, read_columns

COLUMNS = [Column("--income", "income", NUMBER), Column("--weight", "w", WEIGHT), Column("--by", "county", LABEL)]
HEADER = "id,county,income,w,note"
# Numbers as people write them (exponents, signs, spaces around, no leading digit) and labels with spaces, commas,
# quotes and Chinese text; 'note' is not read.
ROWS = [
    '1,东乡县,1234.5,1,"a, b"',
    "2, 临夏县 ,-20,0.25,",
    '3,"A ""x"", B",1e3,2.5E-1,x',
    "4,0641, 7 ,+3,",
    "5,0641,.5,10,",
]
EXPECTED = {
    "income": [1234.5, -20, 1000, 7, 0.5],
    "w": [1, 0.25, 0.25, 3, 10],
    # Sorted as pandas.factorize(sort=True) sorts (code points): " 临夏县 ", "0641", 'A "x", B', "东乡县".
    "county": Labels(codes=[3, 0, 2, 1, 1], names=[" 临夏县 ", "0641", 'A "x", B', "东乡县"]),
}


def _plain(columns) -> dict:
    """Arrays and label codes as lists, for comparison."""
    return {
        name: Labels(list(value.codes), value.names) if isinstance(value, Labels) else list(value)
        for name, value in columns.items()
    }


def test_typed_and_text_readers_give_the_same_columns(tmp_path):
    rng = np.random.default_rng(5)
    values = np.concatenate([rng.lognormal(8, 2, 500), -rng.random(100) * 1e-7, rng.normal(0, 1e12, 100)])
    texts = (
        [repr(float(v)) for v in values[:300]]
        + [f"{v:.2f}" for v in values[300:500]]
        + [f"{v:.6e}" for v in values[500:]]
    )
    path = tmp_path / "numbers.csv"
    lines = [HEADER] + [f"{i},G{i % 7},{text},{i % 5 + 0.5},n" for i, text in enumerate(texts)]
    path.write_text("\n".join(lines) + "\n")
    data = path.read_bytes()
    wanted = csvinput._distinct(COLUMNS)
    typed = csvinput._read_typed(data, HEADER.split(","), wanted)
    assert typed is not None  # a plain file takes the fast path
    text = csvinput._read_text(path, data, None, HEADER.split(","), wanted)
    assert typed[1] == text[1] == len(texts)
    # The text read's two ways to split the file into cells agree.
    names = HEADER.split(",")
    by_arrow = csvinput._cells_by_arrow(data, names, names)
    by_pandas = csvinput._cells_by_pandas(path, data.decode(), names)
    assert by_arrow[0].all() and by_pandas[0].all()
    assert {name: cells.to_pylist() for name, cells in by_arrow[1].items()} == {
        name: cells.to_pylist() for name, cells in by_pandas[1].items()
    }
    assert _plain(typed[0]) == _plain(text[0])
    assert typed[0]["income"].tolist() == [float(t) for t in texts]  # correctly rounded
    assert typed[0]["county"].names == [f"G{g}" for g in range(7)]


@pytest.mark.parametrize(
    "variant",
    ["plain", "crlf", "blank rows", "trailing blank rows", "spaces row", "bom", "utf-16", "gb18030", "multiline"],
)
def test_every_form_of_the_file_reads_the_same(tmp_path, variant):
    rows, ending, encoding = list(ROWS), "\n", "utf-8"
    match variant:
        case "crlf":
            ending = "\r\n"
        case "blank rows":
            rows = [rows[0], "", rows[1], "", "", *rows[2:]]
        case "trailing blank rows":
            rows = [*rows, "", "", ""]
        case "spaces row":
            rows = [rows[0], " , ,  , , ", *rows[1:]]
        case "bom":
            encoding = "utf-8-sig"
        case "utf-16" | "gb18030":
            encoding = variant
        case "multiline":
            rows[2] = rows[2].replace(",x", ',"x\ny"')
    path = tmp_path / "data.csv"
    path.write_bytes((ending.join([HEADER, *rows]) + ending).encode(encoding))
    assert _plain(read_columns(path, COLUMNS)) == _plain(EXPECTED)


@pytest.mark.parametrize(
    ("content", "columns", "message"),
    [
        ("a,b\n1,2\n", [Column("--weight", "w", WEIGHT)], "--weight: no column 'w' in "),
        ("a,b\n1,2\n", [Column("--weight", "w", WEIGHT)], "(columns: a, b)"),
        ("a,b\n1,2\n", [Column("--income", "a", NUMBER), Column("--by", "a", LABEL)], "both a label and a number"),
        ("a,b,b\n1,2,3\n", [Column("--income", "a", NUMBER)], "names column(s) 'b' more than once"),
        ("a,b\n1,2\n3,x\n\n5,y\n", [Column("--income", "b", NUMBER)], "row 3, column 'b': 'x' is not a number; 2"),
        ("a,b\n1,2\n", [Column("--by", "a", LABEL), Column("--w", "b", WEIGHT)], None),
    ],
)
def test_reader_errors(tmp_path, content, columns, message):
    path = tmp_path / "data.csv"
    path.write_text(content)
    if message is None:
        assert _plain(read_columns(path, columns)) == {"a": Labels([0], ["1"]), "b": [2.0]}
        return
    with pytest.raises(CommandError) as caught:
        read_columns(path, columns)
    assert message in str(caught.value)


def test_a_column_read_as_weight_and_as_number_is_checked_as_a_weight(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("size\n2\n0\n")
    with pytest.raises(CommandError, match=r"row 3, column 'size': weight 0\.0 is not greater than zero"):
        read_columns(path, [Column("--indicator", "size", NUMBER), Column("--weight", "size", WEIGHT)])
