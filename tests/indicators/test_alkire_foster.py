"""Alkire-Foster: the published example (Alkire & Foster 2011), hand-computed extensions, the ``mpi`` command."""

import json
from fractions import Fraction as F
from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from indicators.methods.alkire_foster import (
    alkire_foster,
    alkire_foster_by,
    censored_scores,
    deprivation_matrix,
    deprivation_scores,
)

# ../shared/reference/alkire_foster_2011.md: income, years of schooling, health, membership (0/1).
Y = np.array([[13.1, 14, 4, 1], [15.2, 7, 5, 0], [12.5, 10, 1, 0], [20.0, 11, 3, 1]])
Z = np.array([13, 12, 3, 1])
COLUMNS = ["income", "school", "health", "member"]

# Deprived (y < z): person 1 none (c = 0), 2 school and member (c = 1/2), 3 all four (c = 1), 4 school (c = 1/4).
# Normalised gaps (z − y)/z of the deprived entries; every indicator is cardinal by default (Alkire and Foster's
# convention; membership's gap is 1 when deprived), weights 1/4 each:
#   person 2: school 5/12, member 1;  person 3: income 0.5/13 = 1/26, school 2/12 = 1/6, health 2/3, member 1;
#   person 4: school 1/12.
# k = 1/4 (union) keeps persons 2, 3, 4; k = 1/2 keeps 2 and 3 (person 4's school gap is censored).
#   M1(k=1/2) = (1/4 persons)·(1/4)·(5/12 + 1 + 1/26 + 1/6 + 2/3 + 1) = (1/16)·(171/52) = 171/832 = 0.205529, the
#   published value;  M1(k=1/4) = (1/16)·(171/52 + 1/12) = (1/16)·(263/78) = 263/1248.
#   M2(k=1/2) = (1/16)·(25/144 + 1 + 1/676 + 1/36 + 4/9 + 1) = (1/16)·(21475/8112) = 21475/129792 = 0.165457;
#   M2(k=1/4) = (1/16)·(21475/8112 + 1/144) = 32297/194688.
# With membership ordinal (--ordinal member) the other three get weights 1/3:
#   M1(k=1/2) = (1/4)·(1/3)·(5/12 + 1/26 + 1/6 + 2/3) = (1/12)·(67/52) = 67/624 = 0.107372 (what the old default,
#   which took a 0/1 column for ordinal, printed); M1(k=1/4) = (1/12)·(67/52 + 1/12) = 107/936.
# Censored headcounts: k = 1/4: income 1/4, school 3/4, health 1/4, member 2/4; k = 1/2: school drops to 2/4.
# Contributions w_j·CH_j/M0 = (CH_j/4)/M0: k = 1/4: 1/7, 3/7, 1/7, 2/7; k = 1/2: 1/6, 1/3, 1/6, 1/3.
SQ = [F(5, 12) ** 2, F(1, 26) ** 2, F(1, 6) ** 2, F(2, 3) ** 2]
EXPECTED = {
    0.25: {
        "H": F(3, 4),
        "A": F(7, 12),
        "M0": F(7, 16),
        "M1": F(263, 1248),
        "M2": F(32297, 194688),
        "censored": [F(1, 4), F(3, 4), F(1, 4), F(1, 2)],
        "contributions": [F(1, 7), F(3, 7), F(1, 7), F(2, 7)],
    },
    0.5: {
        "H": F(1, 2),
        "A": F(3, 4),
        "M0": F(3, 8),
        "M1": F(171, 832),
        "M2": F(21475, 129792),
        "censored": [F(1, 4), F(1, 2), F(1, 4), F(1, 2)],
        "contributions": [F(1, 6), F(1, 3), F(1, 6), F(1, 3)],
    },
}
# Membership ordinal: M1 as above, M2 with the squared gaps over weights 1/3.
ORDINAL_MEMBER = {
    0.25: {"M1": F(107, 936), "M2": (sum(SQ) + F(1, 12) ** 2) / 12},
    0.5: {"M1": F(67, 624), "M2": sum(SQ) / 12},
}
UNCENSORED = [F(1, 4), F(3, 4), F(1, 4), F(1, 2)]
MEASURES = ("H", "A", "M0", "M1", "M2")


def approx(values):
    return pytest.approx([float(v) for v in values], abs=1e-12)


def measures(result, names=MEASURES):
    return [getattr(result, name) for name in names]


@pytest.mark.parametrize("k", [0.25, 0.5])
def test_alkire_foster_reference_example(k):
    result = alkire_foster(Y, Z, k=k)
    expected = EXPECTED[k]
    assert measures(result) == approx([expected[name] for name in MEASURES])
    assert list(result.censored_headcounts) == approx(expected["censored"])
    assert list(result.uncensored_headcounts) == approx(UNCENSORED)
    assert list(result.contributions) == approx(expected["contributions"])
    assert result.contributions.sum() == pytest.approx(1)
    assert list(result.cardinal) == [True, True, True, True]
    assert (result.n, result.weight_total) == (4, 4.0)


def test_alkire_foster_published_m1_by_default():
    # Alkire and Foster (2011) publish M1 = 0.205529 for k = 2 of 4 (every indicator cardinal).
    assert measures(alkire_foster(Y, Z, k=0.5), ("M1",)) == pytest.approx([0.205529], abs=5e-7)


@pytest.mark.parametrize("k", [0.25, 0.5])
def test_alkire_foster_ordinal_membership_leaves_its_gaps_out(k):
    result = alkire_foster(Y, Z, k=k, cardinal=[True, True, True, False])
    assert measures(result, ("M1", "M2")) == approx([ORDINAL_MEMBER[k]["M1"], ORDINAL_MEMBER[k]["M2"]])
    assert measures(result, ("H", "A", "M0")) == approx([EXPECTED[k][name] for name in ("H", "A", "M0")])


def test_alkire_foster_default_leaves_a_cutoff_of_zero_ordinal():
    # Health's cutoff 0: nobody is deprived in it (y < 0) and it has no gap, so it is not cardinal; the other
    # three keep weights 1/4 in identification but 1/3 each in M1 (renormalised over the cardinal ones).
    # k = 1/2: person 2 (school, member) and person 3 (income, school, member; c = 3/4) are poor:
    # M1 = (1/4)·(1/3)·(5/12 + 1 + 1/26 + 1/6 + 1) = (1/12)·(409/156) = 409/1872.
    result = alkire_foster(Y, [13, 12, 0, 1], k=0.5)
    assert list(result.cardinal) == [True, True, False, True]
    assert measures(result, ("M1",)) == approx([F(409, 1872)])


def test_alkire_foster_weighted_indicators():
    # Weights 3:1:1:1 → 1/2, 1/6, 1/6, 1/6; scores 0, 1/3, 1, 1/6; k = 1/3 keeps persons 2 (1/6 + 1/6, exactly
    # k only within the tolerance) and 3: H = 1/2, A = 2/3, M0 = 1/3; contributions (1/2·1/4)/(1/3) = 3/8, ...
    result = alkire_foster(Y, Z, k=1 / 3, indicator_weights=[3, 1, 1, 1])
    assert measures(result, ("H", "A", "M0")) == approx([F(1, 2), F(2, 3), F(1, 3)])
    assert list(result.contributions) == approx([F(3, 8), F(1, 4), F(1, 8), F(1, 4)])
    assert list(deprivation_scores(deprivation_matrix(Y, Z), [3, 1, 1, 1])) == approx([0, F(1, 3), 1, F(1, 6)])


def test_alkire_foster_sample_weights_equal_duplicated_rows():
    rng = np.random.default_rng(7)
    y = rng.uniform(0, 10, size=(40, 5))
    z = np.array([3, 4, 5, 6, 2.5])
    times = rng.integers(0, 4, size=40)
    times[0] = 1
    weighted = alkire_foster(y, z, k=0.4, sample_weights=times, indicator_weights=[1, 2, 1, 1, 3])
    repeated = alkire_foster(np.repeat(y, times, axis=0), z, k=0.4, indicator_weights=[1, 2, 1, 1, 3])
    for name in ("H", "A", "M0", "M1", "M2", "weight_total"):
        assert getattr(weighted, name) == pytest.approx(getattr(repeated, name), abs=1e-12)
    for name in ("censored_headcounts", "uncensored_headcounts", "contributions"):
        np.testing.assert_allclose(getattr(weighted, name), getattr(repeated, name), atol=1e-12)


def test_alkire_foster_by_decomposition_identity():
    rng = np.random.default_rng(11)
    y = rng.uniform(0, 10, size=(300, 4))
    z = np.array([4, 5, 3, 6])
    groups = rng.choice(["east", "north", "west"], size=300)
    omega = rng.uniform(0.5, 3, size=300)
    decomposition = alkire_foster_by(groups, y, z, k=0.5, sample_weights=omega)
    table, overall = decomposition.table, decomposition.overall
    assert (table["population_share"] * table["M0"]).sum() == pytest.approx(overall.M0, abs=1e-12)
    assert table["contribution"].sum() == pytest.approx(1)
    assert table["population_share"].sum() == pytest.approx(1)
    assert measures(alkire_foster(y, z, k=0.5, sample_weights=omega)) == approx(measures(overall))
    west = alkire_foster(y[groups == "west"], z, k=0.5, sample_weights=omega[groups == "west"])
    assert measures(decomposition.groups["west"]) == approx(measures(west))
    np.testing.assert_allclose(decomposition.groups["west"].contributions, west.contributions, atol=1e-12)
    assert list(table.index) == ["east", "north", "west"]


def test_alkire_foster_by_codes_with_labels_equals_labels():
    # Codes 1, 0, 1, 0 naming "west", "east": the same decomposition as the labels, groups in the labels' order.
    by_labels = alkire_foster_by(["east", "west", "east", "west"], Y, Z, k=0.5)
    by_codes = alkire_foster_by(np.array([1, 0, 1, 0]), Y, Z, k=0.5, labels=["west", "east"])
    assert list(by_codes.groups) == ["west", "east"] and list(by_labels.groups) == ["east", "west"]
    for label in ("east", "west"):
        assert measures(by_codes.groups[label]) == approx(measures(by_labels.groups[label]))
        assert by_codes.contribution(label) == by_labels.contribution(label)
    # East = persons 1, 3 (c = 0, 1): M0 1/2, share 1/2 of the population and (1/2·1/2)/(3/8) = 2/3 of M0.
    assert (by_codes.population_share("east"), by_codes.contribution("east")) == (0.5, pytest.approx(2 / 3))
    with pytest.raises(ValueError, match=r"codes must lie in 0\.\.1"):
        alkire_foster_by(np.array([0, 2, 1, 0]), Y, Z, k=0.5, labels=["west", "east"])


def test_censored_scores_sum_two_step_across_regions():
    deprived = deprivation_matrix(Y, Z)
    _, poor, censored = censored_scores(deprived, None, 0.5)
    assert list(poor) == [False, True, True, False]
    assert censored.sum() == 6
    # Two regions (persons 1-2, 3-4): sums of numerators over sums of denominators give the whole's M0.
    halves = [censored_scores(deprived[rows], None, 0.5) for rows in (slice(0, 2), slice(2, 4))]
    assert sum((part[0] * part[1]).sum() for part in halves) / 4 == pytest.approx(3 / 8)


def test_alkire_foster_nobody_poor_and_no_cardinal_indicator():
    result = alkire_foster(np.ones((3, 2)), [1, 1], k=1)
    assert (result.H, result.M0, result.M1, result.M2) == (0.0, 0.0, 0.0, 0.0)
    assert np.isnan(result.A) and np.isnan(result.contributions).all()
    ordinal = alkire_foster(np.ones((3, 2)), [1, 1], k=1, cardinal=[False, False])
    assert (ordinal.M1, ordinal.M2) == (None, None)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: deprivation_matrix([[1, np.nan]], [1, 1]), "column 1 has missing values"),
        (lambda: deprivation_scores(np.ones((2, 2), bool), [1, -1]), "non-negative"),
        (lambda: deprivation_scores(np.ones((2, 2), bool), [0, 0]), "all zero"),
        (lambda: alkire_foster(Y, Z, k=0), r"k must be in \(0, 1\]"),
        (lambda: alkire_foster(Y, Z, k=1.01), r"k must be in \(0, 1\]"),
        (lambda: alkire_foster(Y, [13, 12, 3, 0], k=0.5, cardinal=[True] * 4), "indicator 3 has cutoff 0.0: a card"),
        (lambda: alkire_foster(Y, Z, k=0.5, sample_weights=[1, 1, 1]), "shape"),
        (lambda: alkire_foster_by(["a", None, "b", "b"], Y, Z, k=0.5), "missing label"),
    ],
)
def test_alkire_foster_rejects_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ---- manage.py mpi -------------------------------------------------------------------------------------------

INDICATORS = [
    "--indicator",
    "income:13",
    "--indicator",
    "school:12",
    "--indicator",
    "health:3",
    "--indicator",
    "member:1",
]


@pytest.fixture
def reference_csv(tmp_path):
    path = tmp_path / "af.csv"
    lines = ["id,income,school,health,member,county"]
    lines += [f"{i + 1},{','.join(f'{v:g}' for v in row)},{'AB'[i % 2]}" for i, row in enumerate(Y)]
    path.write_text("\n".join(lines) + "\n\n")  # a trailing blank line is fine
    return path


def mpi(*args) -> str:
    out = StringIO()
    call_command("mpi", *[str(arg) for arg in args], stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("k", [0.25, 0.5])
def test_mpi_command_reference_example_json(reference_csv, k):
    output = json.loads(mpi(reference_csv, *INDICATORS, "--k", k))
    expected = EXPECTED[k]
    assert [output[name] for name in MEASURES] == approx([expected[name] for name in MEASURES])
    assert list(output["censored_headcounts"]) == COLUMNS
    assert list(output["censored_headcounts"].values()) == approx(expected["censored"])
    assert list(output["contributions"].values()) == approx(expected["contributions"])
    assert output["cardinal"] == COLUMNS


def test_mpi_command_published_m1_by_default_and_ordinal_option(reference_csv):
    # The published M1 = 0.205529 at k = 2 of 4 with the default options; --ordinal member gives 67/624.
    default = json.loads(mpi(reference_csv, *INDICATORS, "--k", "2/4"))
    assert (default["M1"], default["M2"]) == approx([F(171, 832), F(21475, 129792)])
    assert default["M1"] == pytest.approx(0.205529, abs=5e-7)
    ordinal = json.loads(mpi(reference_csv, *INDICATORS, "--k", "2/4", "--ordinal", "member"))
    assert (ordinal["M1"], ordinal["M2"]) == approx([F(67, 624), sum(SQ) / 12])
    assert ordinal["cardinal"] == ["income", "school", "health"]
    assert ordinal["M0"] == default["M0"] == 0.375  # identification uses every indicator either way


def test_mpi_command_by_group_csv_and_json(reference_csv):
    # County A = persons 1, 3 (c = 0, 1); B = persons 2, 4 (c = 1/2, 1/4). k = 1/2: M0_A = 1/2, M0_B = 1/4;
    # shares of M0: (1/2·1/2)/(3/8) = 2/3 and 1/3.
    lines = mpi(reference_csv, *INDICATORS, "--k", 0.5, "--by", "county", "--format", "csv").splitlines()
    header, rows = (
        lines[0].split(","),
        [dict(zip(lines[0].split(","), line.split(","), strict=True)) for line in lines[1:]],
    )
    assert header[:3] == ["group", "k", "n"] and "contribution:member" in header
    assert [row["group"] for row in rows] == ["all", "A", "B"]  # the whole file first, as JSON's "all"
    assert [float(row["M0"]) for row in rows] == approx([F(3, 8), F(1, 2), F(1, 4)])
    assert [float(row["share_of_M0"]) for row in rows] == approx([1, F(2, 3), F(1, 3)])
    assert [(row["n"], row["population_share"]) for row in rows] == [("4", "1.0"), ("2", "0.5"), ("2", "0.5")]
    assert float(rows[0]["M1"]) == pytest.approx(171 / 832)
    output = json.loads(mpi(reference_csv, *INDICATORS, "--k", 0.5, "--by", "county"))
    assert output["all"]["M0"] == pytest.approx(0.375)
    assert output["groups"]["B"]["censored_headcounts"] == {"income": 0, "school": 0.5, "health": 0, "member": 0.5}


def test_mpi_command_weights_and_sample_weights(tmp_path):
    path = tmp_path / "w.csv"
    path.write_text("a,b,w\n0,0,3\n1,0,1\n1,1,0.5\n")
    # Weights 3:1 → deprived in a alone is poor at k = 0.75 (c = 3/4); person 1 (weight 3) is, persons 2, 3 are not.
    # Person 1's gaps are 1 in both: M1 = 3·(3/4 + 1/4)/4.5 = 2/3.
    output = json.loads(mpi(path, "--indicator", "a:1:3", "--indicator", "b:1:1", "--k", 0.75, "--weight", "w"))
    assert (output["H"], output["weight_total"], output["M1"]) == (3 / 4.5, 4.5, pytest.approx(2 / 3))
    assert json.loads(mpi(path, "--indicator", "a:1", "--indicator", "b:1", "--k", 0.75))["H"] == pytest.approx(1 / 3)


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (None, ["--k", "0.5", "--indicator", "a:1"], "no such file"),
        ("a,b\n1,2\n", ["--k", "0.5", "--indicator", "c:1"], "no column 'c'"),
        ("a,b\n1,2\n", ["--k", "0.5", "--indicator", "a:1", "--by", "county"], "no column 'county'"),
        ("a,b\n1,2\n", ["--k", "0.5", "--indicator", "a"], "bad --indicator 'a'"),
        ("a,b\n1,2\n", ["--k", "0.5", "--indicator", "a:x"], "bad --indicator 'a:x'"),
        ("a,b\n1,2\n", ["--k", "0.5", "--indicator", "a:1:2:3"], "bad --indicator 'a:1:2:3'"),
        ("a,b\n1,2\n", ["--k", "0.5", "--indicator", "a:1:2", "--indicator", "b:1"], "for every --indicator"),
        ("a,b\n1,2\n", ["--k", "0.5", "--indicator", "a:1", "--indicator", "a:2"], "given twice"),
        ("a,b\n1,2\n3,x\n", ["--k", "0.5", "--indicator", "a:1", "--indicator", "b:1"], "row 3, column 'b': 'x'"),
        # A blank row is left out but counted: the empty cell is on row 4.
        ("a,b\n1,2\n\n4,\n", ["--k", "0.5", "--indicator", "a:1", "--indicator", "b:1"], "row 4, column 'b': empty"),
        ("a,w\n1,2\n3,-\n", ["--k", "0.5", "--indicator", "a:1", "--weight", "w"], "row 3, column 'w'"),
        ("a,w\n1,-2\n", ["--k", "0.5", "--indicator", "a:1", "--weight", "w"], "row 2, column 'w': weight -2.0 is not"),
        ("a,w\n1,2\n3,0\n", ["--k", "0.5", "--indicator", "a:1", "--weight", "w"], "row 3, column 'w': weight 0.0"),
        ("a,g\n1,x\n2, \n", ["--k", "0.5", "--indicator", "a:1", "--by", "g"], "row 3, column 'g': the group label is"),
        ("a,g\n1,\n2,x\n", ["--k", "0.5", "--indicator", "a:1", "--by", "g"], "row 2, column 'g': the group label is"),
        ("a,b,a\n1,2,3\n", ["--k", "0.5", "--indicator", "a:1"], r"names column\(s\) 'a' more than once"),
        ("a,b\n1,2\n", ["--k", "0.5", "--indicator", "a:1", "--cardinal", "b"], "--cardinal 'b' is not an --indicator"),
        ("a,b\n1,2\n", ["--k", "0.5", "--indicator", "a:0", "--cardinal", "a"], "'a': its cutoff 0 is not positive"),
        ("a,b\n1,2\n", ["--k", "0.5", "--indicator", "a:1", "--ordinal", "b"], "--ordinal 'b' is not an --indicator"),
        ("a,b\n1,2\n", ["--k", "1", "--indicator", "a:1", "--ordinal", "a", "--cardinal", "a"], "not both"),
        ("a,g\n1,all\n", ["--k", "1", "--indicator", "a:1", "--by", "g", "--format", "csv"], "a group named 'all'"),
        ("a,b\n1,2\n", ["--k", "abc", "--indicator", "a:1"], "--k must be a share such as 0.5 or 2/3; got 'abc'"),
        ("a,b\n1,2\n", ["--k", "1/0", "--indicator", "a:1"], "--k must be a share"),
        ("a,b\n1,2\n", ["--k", "nan", "--indicator", "a:1"], "--k must be a share"),
        ("a,b\n1,2\n", ["--k", "3/2", "--indicator", "a:1"], r"--k must be in \(0, 1\]; got 3/2"),
        ("a,b\n1,2\n", ["--k", "0", "--indicator", "a:1"], r"--k must be in \(0, 1\]"),
        ("a,b\n1,2\n", ["--k", "1.5", "--indicator", "a:1"], r"--k must be in \(0, 1\]"),
        ("a,b\n", ["--k", "0.5", "--indicator", "a:1"], "no data rows"),
    ],
)
def test_mpi_command_errors(tmp_path, content, args, message):
    path = tmp_path / "data.csv"
    if content is not None:
        path.write_text(content)
    with pytest.raises(CommandError, match=message):
        mpi(path, *args)


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-16"])
def test_mpi_command_reads_gb18030_and_bom_files(tmp_path, encoding):
    # What Excel on Chinese Windows saves: GB18030 (also with Chinese headers and group labels), or a BOM.
    path = tmp_path / "mpi.csv"
    path.write_bytes("收入,上学,县\n13.1,14,东乡\n12.5,10,临夏\n".encode(encoding))
    output = json.loads(mpi(path, "--indicator", "收入:13", "--indicator", "上学:12", "--k", "1", "--by", "县"))
    assert output["all"]["H"] == 0.5 and list(output["groups"]) == ["东乡", "临夏"]
    assert output["groups"]["临夏"]["H"] == 1.0


def test_mpi_command_rejects_text_neither_utf8_nor_gb18030(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(b"a,b\n1,2\n\x80\n")  # 0x80 alone is neither UTF-8 nor GB18030
    with pytest.raises(CommandError, match="neither UTF-8 nor GB18030"):
        mpi(path, "--indicator", "a:1", "--k", "1")


def test_mpi_command_cardinal_and_ordinal_options(tmp_path):
    # Income is 0 in every row, member is 0/1. Both are cardinal by default: everyone is poor (k = 1/2, income
    # deprived) with income gap (4000 − 0)/4000 = 1, and person 2 has member gap 1; weights 1/2 each:
    # M1 = (1/3)·(1/2)·(3 + 1) = 2/3 = M2 (gaps of 1 squared are 1).
    path = tmp_path / "zero.csv"
    path.write_text("income,member\n0,1\n0,0\n0,1\n")
    indicators = ["--indicator", "income:4000", "--indicator", "member:1", "--k", "1/2"]
    default = json.loads(mpi(path, *indicators))
    assert (default["M1"], default["M2"], default["cardinal"]) == (
        pytest.approx(2 / 3),
        pytest.approx(2 / 3),
        [
            "income",
            "member",
        ],
    )
    # Member ordinal (or, as earlier scripts say it, income alone cardinal): income's gaps are 1, M1 = M2 = 1.
    for option in (["--ordinal", "member"], ["--cardinal", "income"]):
        output = json.loads(mpi(path, *indicators, *option))
        assert (output["M1"], output["M2"], output["cardinal"]) == (1.0, 1.0, ["income"])
    neither = json.loads(mpi(path, *indicators, "--ordinal", "income", "--ordinal", "member"))
    assert (neither["M1"], neither["M2"], neither["cardinal"]) == (None, None, [])
    assert neither["M0"] == default["M0"] == 0.5 + 1 / 6  # c = 1/2, 1, 1/2


def test_mpi_command_notes_an_indicator_with_cutoff_zero(tmp_path):
    # Cutoff 0 for b: nobody is deprived (y < 0) and it has no gap; it is left out of M1 with a note on stderr.
    path = tmp_path / "zero_cutoff.csv"
    path.write_text("a,b\n0,0\n2,1\n")
    err = StringIO()
    call_command(
        "mpi", str(path), "--indicator", "a:1", "--indicator", "b:0", "--k", "1/2", stdout=StringIO(), stderr=err
    )
    assert "--indicator 'b' has cutoff 0 <= 0" in err.getvalue()
    output = json.loads(mpi(path, "--indicator", "a:1", "--indicator", "b:0", "--k", "1/2"))
    # Person 1 is deprived in a (c = 1/2, gap 1); a alone is cardinal (weight 1): M1 = 1/2.
    assert (output["cardinal"], output["M1"], output["H"]) == (["a"], 0.5, 0.5)


def test_mpi_command_k_as_a_fraction(tmp_path):
    # Three equal-weight indicators; person 1 is deprived in two (c = 2/3), person 2 in one (c = 1/3).
    path = tmp_path / "three.csv"
    path.write_text("a,b,c\n0,0,1\n0,1,1\n")
    indicators = ["--indicator", "a:1", "--indicator", "b:1", "--indicator", "c:1"]
    assert json.loads(mpi(path, *indicators, "--k", "2/3"))["H"] == 0.5
    assert json.loads(mpi(path, *indicators, "--k", "0.666"))["H"] == 0.5
    assert json.loads(mpi(path, *indicators, "--k", "0.6667"))["H"] == 0.0  # a decimal is compared exactly
    assert json.loads(mpi(path, *indicators, "--k", "1/3"))["H"] == 1.0
    output = json.loads(mpi(path, *indicators, "--k", " 1 "))
    assert (output["H"], output["k"]) == (0.0, 1.0)
