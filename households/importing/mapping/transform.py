"""The pure step of a mapping import: the source table (one row per person) to the rows of the three
kinds (households, members, surveys), vectorised with pandas, and the problems found by row."""

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd

from households.importing.mapping.spec import MODIFIED_OECD, PERSON, Mapping
from households.importing.validate import Problem
from households.models import DEFAULT_MAX_AMOUNT

_UNITS = 1_000_000  # amounts are summed exactly as integers of 1e-6 yuan, then rounded to the fen
_MAX_MEMBER_NO = 99
_MAX_WEIGHT = Decimal("1e8")  # sampling_weight: 14 digits, 6 after the point
_MAX_SCALE = Decimal("1e4")  # equivalence_scale: 8 digits, 4 after the point


@dataclass
class Mapped:
    """The rows of each kind, shaped like ``Validation.rows`` of that kind, and the problems.

    ``households``, ``surveys``: one row per household (order of first appearance); ``members``:
    one row per source row. ``checks``: verify column → largest relative difference found.
    """

    households: pd.DataFrame = field(default_factory=pd.DataFrame)
    members: pd.DataFrame = field(default_factory=pd.DataFrame)
    surveys: pd.DataFrame = field(default_factory=pd.DataFrame)
    problems: list[Problem] = field(default_factory=list)
    checks: dict[str, float] = field(default_factory=dict)


class _Rows:
    """The source rows as the pure step sees them: stripped text, missing cells, households, problems."""

    def __init__(self, frame: pd.DataFrame, row_numbers, mapping: Mapping):
        self.text = frame[list(mapping.columns())].apply(lambda column: column.astype(str).str.strip())
        self.na = self.text.isin(sorted(mapping.na_values)) | self.text.eq("")
        self.rows = np.asarray(row_numbers)
        self.problems: list[Problem] = []
        self.bad: set[int] = set()  # positions of rows with a problem
        self.codes = np.zeros(0, dtype=int)  # each row's household (0, 1, … in order of first appearance)
        self.first = np.zeros(0, dtype=int)  # each household's first row

    def group(self, column: str) -> pd.Index:
        codes, households = pd.factorize(self.text[column])
        self.codes = codes
        self.first = pd.Series(np.arange(len(codes))).groupby(codes).first().to_numpy()
        return households

    def add(self, positions, column: str, message) -> None:
        """``positions``: a boolean mask or positions over the rows; ``message``: one text, or one per position."""
        positions = np.flatnonzero(positions) if np.asarray(positions).dtype == bool else np.asarray(positions)
        messages = [message] * len(positions) if isinstance(message, str) else list(message)
        values = self.text[column].to_numpy() if column in self.text.columns else [""] * len(self.rows)
        for position, text in zip(positions, messages, strict=True):
            self.problems.append(Problem(int(self.rows[position]), column, str(values[position]), text))
            self.bad.add(int(position))

    def numbers(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        """Float values (NaN where missing or not a number) and the mask of cells that are not numbers."""
        na = self.na[column]
        values = np.array(pd.to_numeric(self.text[column].where(~na), errors="coerce"), dtype=float)  # writable
        bad = ~na.to_numpy() & ~np.isfinite(values)
        values[bad] = np.nan
        return values, bad


def _decimal(values: np.ndarray, places: int) -> list[Decimal | None]:
    quantum = Decimal(1).scaleb(-places)
    return [None if np.isnan(v) else Decimal(repr(float(v))).quantize(quantum) for v in values]


def mapping_frames(
    frame: pd.DataFrame,
    *,
    row_numbers,
    mapping: Mapping,
    period: int,
    regions: pd.DataFrame,
    max_amount: Decimal = DEFAULT_MAX_AMOUNT,
) -> Mapped:
    """Turn a source table (text cells, one row per person) into households, members and surveys.

    Args:
        frame: the file's cells as text (``RawTable.frame``), every column the mapping names present.
        row_numbers: each row's number as the user sees it (for problems).
        regions: the scheme's regions, columns ``id, code, name, province_code, path, has_children``.
        max_amount: the largest absolute amount of a cell or of a household's field.

    Returns:
        ``Mapped``; when it lists problems its frames may be incomplete and must not be written.
    """
    m, t = mapping, _Rows(frame, row_numbers, mapping)
    for column in (m.household, m.person):
        t.add(t.na[column], column, "empty: every row needs a household and a person id")
    repeated = t.text[[m.household, m.person]].duplicated(keep=False) & ~t.na[m.person]
    t.add(repeated, m.person, "the same person id appears twice in this household")
    if t.problems:
        return Mapped(problems=t.problems)
    left, right = m.registry_number.format(period=period, household="\0").split("\0")
    registry = left + pd.Series(t.group(m.household), dtype=object) + right
    t.add(t.first[(registry.str.len() > 40).to_numpy()], m.household, "the registry number would exceed 40 characters")
    for column in m.household_columns():
        cells = t.text[column].to_numpy()
        differs = cells != cells[t.first][t.codes]
        where = [f"differs from row {t.rows[t.first[c]]} of the same household" for c in t.codes[differs]]
        t.add(differs, column, [f"{w}; this column holds one value per household" for w in where])

    region = _match_regions(t, m, regions).iloc[t.first].reset_index(drop=True)
    fields, total = _ledger_amounts(t, m, float(max_amount))
    weight = _weights(t, m)
    scale = np.round(_scales(t, m), 4)  # as stored: 4 decimals
    members = _members(t, m)
    size = np.bincount(t.codes)
    per = np.where(np.isnan(scale), size, scale)  # no scale: per capita
    computed = {
        "total_income": total,
        "household_size": size.astype(float),
        "equivalence_scale": per,
        "equivalised_income": total / per,
    }
    checks = _verify(t, m, computed)

    first_rows, province = t.rows[t.first], region["province_code"]
    households = pd.DataFrame(
        {
            "registry_number": registry,
            "village_code": region["code"],
            "_region_id": region["id"],
            "_province": province,
            "_path": region["path"],
            "_row": first_rows,
        }
    )
    surveys = pd.DataFrame(
        {
            "registry_number": registry,
            **{name: pd.Series(values, dtype=object) for name, values in fields.items()},
            "sampling_weight": pd.Series(_decimal(weight, 6), dtype=object),
            "equivalence_scale": pd.Series(_decimal(scale, 4), dtype=object),
            "_province": province,
            "_row": first_rows,
        }
    )
    members = members.assign(
        registry_number=registry.to_numpy()[t.codes], _province=province.to_numpy()[t.codes], _row=t.rows, _id_hash=None
    )
    problems = sorted(t.problems, key=lambda p: (p.row, p.column))
    return Mapped(households, members, surveys, problems, checks)


def _match_regions(t: _Rows, m: Mapping, regions: pd.DataFrame) -> pd.DataFrame:
    """Each row's region (id, code, province_code, path) among the scheme's leaves, by name or code."""
    regions = regions.assign(_key=_key(regions["name"]) if m.match == "name" else regions["code"])
    leaves = regions[~regions["has_children"].astype(bool)]
    ambiguous = leaves["_key"][leaves["_key"].duplicated(keep=False)]
    leaves = leaves[~leaves["_key"].isin(ambiguous)].set_index("_key")
    names = t.text[m.region_column]
    key = _key(names) if m.match == "name" else names
    found = leaves[["id", "code", "province_code", "path"]].reindex(key).set_axis(names.index)
    unknown = found["id"].isna().to_numpy()
    messages = np.select(
        [t.na[m.region_column].to_numpy(), key.isin(ambiguous).to_numpy(), key.isin(regions["_key"]).to_numpy()],
        [
            "empty: every household needs a region",
            f"ambiguous: several leaf regions of scheme {m.scheme} have this {m.match}",
            f"not a leaf region of scheme {m.scheme}; households hang on its leaves",
        ],
        f"unknown region: not a {m.match} of a leaf region of scheme {m.scheme}",
    )
    t.add(unknown, m.region_column, messages[unknown])
    return found


def _key(names: pd.Series) -> pd.Series:
    return names.astype(str).str.split().str.join(" ").str.casefold()


def _ledger_amounts(t: _Rows, m: Mapping, limit: float) -> tuple[dict[str, list[Decimal]], np.ndarray]:
    """Each ledger field per household (``Decimal`` yuan, 2 places) and the total net income (float).

    Sums are exact, in integers of 1e-6 yuan, and each field is rounded half away from zero to the
    fen once; the total is computed from the rounded fields, as it will be read back.
    """
    fields, total_cents = {}, np.zeros(len(t.first), dtype=np.int64)
    for name, sources in m.ledger.items():
        units = np.zeros(len(t.first), dtype=np.int64)
        for source in sources:
            values, bad = t.numbers(source.column)
            t.add(bad, source.column, "not a number")
            absurd = np.abs(np.nan_to_num(values)) > limit
            t.add(absurd, source.column, f"absurd amount: more than {limit:,.0f} a year; check the unit")
            if source.na == "missing":
                t.add(t.na[source.column], source.column, f"missing value, and {source.key}.na is 'missing'")
            cells = pd.Series(np.rint(np.where(np.isnan(values) | absurd, 0.0, values) * _UNITS).astype(np.int64))
            grouped = cells.groupby(t.codes)
            units += source.sign * (grouped.sum() if source.level == PERSON else grouped.first()).to_numpy()
        cents = np.sign(units) * ((np.abs(units) + _UNITS // 200) // (_UNITS // 100))
        t.add(t.first[np.abs(cents) > limit * 100], m.household, f"{name}: absurd amount for a household")
        fields[name] = [Decimal(int(c)).scaleb(-2) for c in cents]
        total_cents += -cents if name == "deductions" else cents
    return fields, total_cents / 100


def _weights(t: _Rows, m: Mapping) -> np.ndarray:
    if not m.weight:
        return np.ones(len(t.first))
    values, bad = t.numbers(m.weight)
    t.add(bad | t.na[m.weight].to_numpy() | (values <= 0), m.weight, "the weight must be a number > 0")
    t.add(values >= float(_MAX_WEIGHT), m.weight, f"the weight must be less than {_MAX_WEIGHT:,.0f}")
    return values[t.first]


def _scales(t: _Rows, m: Mapping) -> np.ndarray:
    """The equivalence scale per household (NaN: none, per capita)."""
    if m.scale_column:
        values, bad = t.numbers(m.scale_column)
        t.add(bad | (values <= 0) | (values >= float(_MAX_SCALE)), m.scale_column, "must be a number > 0 and < 10000")
        return values[t.first]
    if m.scale_rule != MODIFIED_OECD:
        return np.full(len(t.first), np.nan)
    ages, bad = t.numbers(m.scale_age)
    t.add(bad | t.na[m.scale_age].to_numpy(), m.scale_age, "the modified OECD scale needs every person's age")
    adults = np.bincount(t.codes, weights=(ages >= 14).astype(float)).astype(int)
    children = np.bincount(t.codes, weights=(ages < 14).astype(float)).astype(int)
    # the first person (an adult when there is one) weighs 1, other adults 0.5, children under 14 0.3
    tenths = np.where(adults > 0, 10 + 5 * (adults - 1) + 3 * children, 10 + 3 * (children - 1))
    return tenths / 10


def _members(t: _Rows, m: Mapping) -> pd.DataFrame:
    """Member rows: member_no (1, 2, … by person id), source_id, sex, present, age."""
    person = t.text[m.person]
    numeric = pd.to_numeric(person, errors="coerce")
    order = pd.DataFrame({"h": t.codes, "p": numeric if numeric.notna().all() else person})
    member_no = order.sort_values(["h", "p"], kind="stable").groupby("h").cumcount().add(1).sort_index()
    t.add(member_no.to_numpy() > _MAX_MEMBER_NO, m.person, f"more than {_MAX_MEMBER_NO} persons in a household")
    t.add(person.str.len().to_numpy() > 40, m.person, "a person id has at most 40 characters")
    members = pd.DataFrame({"member_no": member_no.to_numpy(), "source_id": person.to_numpy(), "present": True})
    if m.age:
        ages, bad = t.numbers(m.age)
        bad |= ~np.isnan(ages) & ((ages % 1 != 0) | (ages < -1) | (ages > 130))
        t.add(bad, m.age, "the age must be a whole number from -1 to 130")
        members["age"] = pd.Series([None if np.isnan(a) else int(a) for a in np.where(bad, np.nan, ages)], dtype=object)
    if m.sex:
        sex = t.text[m.sex].str.casefold().map(m.sex_values)
        t.add(sex.isna() & ~t.na[m.sex], m.sex, f"unknown value; the mapping knows: {', '.join(m.sex_values)}")
        members["sex"] = sex.fillna("").to_numpy()
    return members


def _verify(t: _Rows, m: Mapping, computed: dict[str, np.ndarray]) -> dict[str, float]:
    """Compare each ``verify`` column with what was computed; returns the largest relative differences.

    Households with another problem are not compared (their amounts are incomplete).
    """
    checks = {}
    sound = np.bincount(t.codes[sorted(t.bad)], minlength=len(t.first)) == 0
    for check in m.verify:
        values, bad = t.numbers(check.column)
        t.add(bad | t.na[check.column].to_numpy(), check.column, "verify column: not a number")
        expected, ours = values[t.first], computed[check.equals]
        difference = np.abs(ours - expected) / np.maximum(1.0, np.abs(expected))
        checks[check.column] = float(np.nanmax(difference)) if len(difference) else 0.0
        wrong = np.flatnonzero((difference > check.tolerance) & sound)
        t.add(
            t.first[wrong],
            check.column,
            [
                f"{check.equals} computed from the mapping is {ours[h]:.10g}: relative difference "
                f"{difference[h]:.3g} > {check.tolerance:g}"
                for h in wrong
            ],
        )
    return checks
