"""Import outside survey data (one row per person) through a mapping file: households, members, surveys.

A mapping (YAML, ``data/mappings/eusilc.yaml`` is the worked example) says which source columns make
each target field: the id columns, the region column (matched by name or code among the leaves of a
region scheme), the weight, the equivalence scale (a column, or the modified OECD rule from ages),
the members' age and sex, and for every money field of the household survey a list of source
columns with their sign and level (``person``: summed over the household's rows; ``household``:
one value per household, taken once). ``missing.values`` are the texts meaning "no value"; in a
ledger column such a value counts as 0 (``na: zero``) or makes the amount unknown, which rejects the
file (``na: missing``, the default). Columns under ``verify`` are compared with what the import
computes from the ledger as it will be stored, and never stored.

``mapping_load`` reads and checks a mapping (``MappingError`` names the key); ``mapping_frames`` is
the pure step, the source table to the rows of the three kinds (vectorised with pandas); and
``mapping_import`` validates and, when asked, writes everything in one transaction and one
``ImportBatch`` through the writers of ``households.importing.commit``.
"""

import hashlib
import string
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from households.importing.commit import _WRITERS, _suffix, _upsert
from households.importing.reading import ImportFileError, read_table
from households.importing.validate import DEFAULT_MAX_AMOUNT, Problem, Validation, _count_changes, _in_scope
from households.models import ChangeLog, Household, ImportBatch, Member, MemberStatus, SurveyPeriod
from regions.models import Region

FORMAT = "tuopin-mapping/1"
LEDGER_FIELDS = (
    "wage_income",
    "net_operating_income",
    "property_income",
    "relief_transfers",
    "other_transfers",
    "deductions",
)
#: What a ``verify`` entry may be compared with (per household).
QUANTITIES = ("equivalised_income", "total_income", "equivalence_scale", "household_size")
PERSON, HOUSEHOLD = "person", "household"
MODIFIED_OECD = "modified-oecd"

_UNITS = 1_000_000  # amounts are summed exactly as integers of 1e-6 yuan, then rounded to the fen
_SIGNS = {"+": 1, "+1": 1, "plus": 1, "-": -1, "\u2212": -1, "-1": -1, "minus": -1}
_MAX_MEMBER_NO = 99
_MAX_WEIGHT = Decimal("1e8")  # sampling_weight: 14 digits, 6 after the point
_MAX_SCALE = Decimal("1e4")  # equivalence_scale: 8 digits, 4 after the point


class MappingError(ValueError):
    """The mapping file cannot be used; the message names the key (``ledger.wage_income[0].sign``)."""


@dataclass(frozen=True)
class Source:
    """One source column of a ledger field: ``sign`` ±1, ``level`` person/household, ``na`` zero/missing."""

    key: str
    column: str
    sign: int
    level: str
    na: str


@dataclass(frozen=True)
class Check:
    """A ``verify`` entry: the file's ``column`` must equal the computed ``equals`` within ``tolerance``."""

    key: str
    column: str
    equals: str
    tolerance: float


@dataclass(frozen=True)
class Mapping:
    """A checked mapping file. ``text`` is the YAML as read (kept on the batch)."""

    text: str
    household: str
    person: str
    registry_number: str
    region_column: str
    scheme: str
    match: str
    tree: Path | None
    weight: str | None
    scale_rule: str | None
    scale_column: str | None
    scale_age: str | None
    age: str | None
    sex: str | None
    sex_values: dict[str, str]
    na_values: frozenset[str]
    ledger: dict[str, tuple[Source, ...]]
    verify: tuple[Check, ...]

    def columns(self) -> dict[str, str]:
        """Every source column the mapping names → the first key that names it."""
        named = [
            ("ids.household", self.household),
            ("ids.person", self.person),
            ("region.column", self.region_column),
            ("weight", self.weight),
            ("equivalence_scale.column", self.scale_column),
            ("equivalence_scale.age", self.scale_age),
            ("members.age", self.age),
            ("members.sex.column", self.sex),
            *((f"{s.key}.column", s.column) for sources in self.ledger.values() for s in sources),
            *((f"{c.key}.column", c.column) for c in self.verify),
        ]
        out: dict[str, str] = {}
        for key, column in named:
            if column is not None:
                out.setdefault(column, key)
        return out

    def household_columns(self) -> list[str]:
        """Columns that hold one value per household (repeated on each of its person rows)."""
        columns = [self.region_column, self.weight, self.scale_column]
        columns += [s.column for sources in self.ledger.values() for s in sources if s.level == HOUSEHOLD]
        columns += [c.column for c in self.verify]
        return list(dict.fromkeys(c for c in columns if c is not None))


# --- loading -------------------------------------------------------------------------------------


def mapping_load(path: Path) -> Mapping:
    """Read and check a mapping file.

    Raises:
        MappingError: unreadable file, invalid YAML, or a key that is missing, unknown or wrong;
            the message starts with the file name and names the key.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise MappingError(f"{path}: cannot read the mapping: {error}") from error
    try:
        return mapping_parse(text, base=path.parent)
    except MappingError as error:
        raise MappingError(f"{path.name}: {error}") from None


def mapping_parse(text: str, *, base: Path | None = None) -> Mapping:
    """Check a mapping given as YAML text (``base``: the folder ``region.tree`` is relative to)."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise MappingError(f"not valid YAML: {error}") from error
    root = _keys(
        doc,
        "",
        required=("ids", "region", "ledger"),
        optional=("format", "description", "weight", "equivalence_scale", "members", "missing", "verify"),
    )
    if root.get("format", FORMAT) != FORMAT:
        raise MappingError(f"format: {root['format']!r} is not {FORMAT!r}")
    ids = _keys(root["ids"], "ids", required=("household", "person", "registry_number"))
    template = _registry_template(_text(ids["registry_number"], "ids.registry_number"))
    region = _keys(root["region"], "region", required=("column", "scheme"), optional=("match", "tree"))
    scale = _keys(root.get("equivalence_scale") or {}, "equivalence_scale", optional=("rule", "age", "column"))
    if scale and ("rule" in scale) == ("column" in scale):
        raise MappingError("equivalence_scale: give either rule (modified-oecd, with age) or column")
    if "rule" in scale:
        _choice(scale["rule"], "equivalence_scale.rule", (MODIFIED_OECD,))
        if "age" not in scale:
            raise MappingError("equivalence_scale.age: required with rule modified-oecd (the age column)")
    elif "age" in scale:
        raise MappingError("equivalence_scale.age: only used with rule modified-oecd")
    members = _keys(root.get("members") or {}, "members", optional=("age", "sex"))
    sex = _keys(members["sex"], "members.sex", required=("column", "values")) if "sex" in members else None
    missing = _keys(root.get("missing") or {}, "missing", optional=("values", "ledger"))
    na_values = missing.get("values", [])
    if not isinstance(na_values, list):
        na_values = [na_values]
    ledger_na = _choice(missing.get("ledger", "missing"), "missing.ledger", ("zero", "missing"))
    mapping = Mapping(
        text=text,
        household=_text(ids["household"], "ids.household"),
        person=_text(ids["person"], "ids.person"),
        registry_number=template,
        region_column=_text(region["column"], "region.column"),
        scheme=_text(region["scheme"], "region.scheme"),
        match=_choice(region.get("match", "name"), "region.match", ("name", "code")),
        tree=(base or Path()) / _text(region["tree"], "region.tree") if "tree" in region else None,
        weight=_text(root["weight"], "weight") if root.get("weight") is not None else None,
        scale_rule=scale.get("rule"),
        scale_column=_text(scale["column"], "equivalence_scale.column") if "column" in scale else None,
        scale_age=_text(scale["age"], "equivalence_scale.age") if "age" in scale else None,
        age=_text(members["age"], "members.age") if "age" in members else None,
        sex=_text(sex["column"], "members.sex.column") if sex else None,
        sex_values=_sex_values(sex["values"]) if sex else {},
        na_values=frozenset(str(v).strip() for v in na_values if v is not None),
        ledger=_ledger(root["ledger"], ledger_na),
        verify=_verify_entries(root.get("verify") or []),
    )
    _check_columns_used_once(mapping)
    return mapping


def _registry_template(template: str) -> str:
    """A registry number template: text with ``{household}`` once and ``{period}`` at will, nothing else."""
    try:
        fields = [
            (n, spec, conversion) for _, n, spec, conversion in string.Formatter().parse(template) if n is not None
        ]
    except ValueError as error:
        raise MappingError(f"ids.registry_number: {template!r}: {error}") from error
    names = [n for n, _, _ in fields]
    if names.count("household") != 1 or set(names) - {"household", "period"} or any(s or c for _, s, c in fields):
        raise MappingError(
            f"ids.registry_number: {template!r} must contain {{household}} once and may contain {{period}}, "
            "with no other fields or formats"
        )
    return template


def _keys(value, key: str, *, required=(), optional=()) -> dict:
    where = key or "the mapping"
    if not isinstance(value, dict):
        raise MappingError(f"{where}: expected keys ({', '.join((*required, *optional))}), got {value!r}")
    for name in value:
        if name not in required and name not in optional:
            allowed = ", ".join((*required, *optional))
            raise MappingError(f"{_at(key, name)}: unknown key; expected one of {allowed}")
    for name in required:
        if value.get(name) is None:
            raise MappingError(f"{_at(key, name)}: required key is missing")
    return value


def _at(key: str, name) -> str:
    return f"{key}.{name}" if key else str(name)


def _text(value, key: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
        raise MappingError(f"{key}: expected a column name or text, got {value!r}")
    return str(value).strip()


def _choice(value, key: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise MappingError(f"{key}: {value!r} is not one of {', '.join(allowed)}")
    return value


def _sex_values(values) -> dict[str, str]:
    if not isinstance(values, dict) or not values:
        raise MappingError("members.sex.values: expected source value → M or F, e.g. {male: M, female: F}")
    out = {}
    for source, target in values.items():
        if target not in Member.Sex.values:
            raise MappingError(f"members.sex.values.{source}: {target!r} is not one of {', '.join(Member.Sex.values)}")
        out[str(source).strip().casefold()] = target
    return out


def _ledger(node, default_na: str) -> dict[str, tuple[Source, ...]]:
    fields = _keys(node, "ledger", optional=LEDGER_FIELDS)
    if not fields:
        raise MappingError(f"ledger: name at least one of {', '.join(LEDGER_FIELDS)}")
    ledger = {}
    for name, items in fields.items():
        if not isinstance(items, list) or not items:
            raise MappingError(f"ledger.{name}: expected a list of {{column, sign, level}}")
        sources = []
        for i, item in enumerate(items):
            key = f"ledger.{name}[{i}]"
            item = _keys(item, key, required=("column", "sign", "level"), optional=("na",))
            sign = _SIGNS.get(str(item["sign"]).strip().casefold()) if isinstance(item["sign"], str | int) else None
            if sign is None:
                raise MappingError(f'{key}.sign: {item["sign"]!r} is not "+" or "-" (quote it: sign: "-")')
            level = _choice(item["level"], f"{key}.level", (PERSON, HOUSEHOLD))
            na = _choice(item.get("na", default_na), f"{key}.na", ("zero", "missing"))
            sources.append(Source(key, _text(item["column"], f"{key}.column"), sign, level, na))
        ledger[name] = tuple(sources)
    return ledger


def _verify_entries(items) -> tuple[Check, ...]:
    if not isinstance(items, list):
        raise MappingError("verify: expected a list of {column, equals, tolerance}")
    checks = []
    for i, item in enumerate(items):
        key = f"verify[{i}]"
        item = _keys(item, key, required=("column", "equals"), optional=("tolerance",))
        try:
            tolerance = float(item.get("tolerance", 1e-6))
        except (TypeError, ValueError):
            tolerance = -1.0
        if not tolerance >= 0:
            raise MappingError(f"{key}.tolerance: {item.get('tolerance')!r} is not a number ≥ 0")
        equals = _choice(item["equals"], f"{key}.equals", QUANTITIES)
        checks.append(Check(key, _text(item["column"], f"{key}.column"), equals, tolerance))
    return tuple(checks)


def _check_columns_used_once(mapping: Mapping) -> None:
    seen: dict[str, str] = {}
    for sources in mapping.ledger.values():
        for source in sources:
            if source.column in seen:
                raise MappingError(f"{source.key}.column: {source.column} is already in {seen[source.column]}")
            seen[source.column] = source.key
    stored = {c: k for c, k in mapping.columns().items() if not k.startswith("verify")}
    for check in mapping.verify:
        if check.column in stored:
            raise MappingError(
                f"{check.key}.column: {check.column} is also used by {stored[check.column]}; verify columns are "
                "only compared, never stored"
            )


# --- the pure step: source table → rows of the three kinds ---------------------------------------


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


# --- the service --------------------------------------------------------------------------------


@dataclass
class MappingResult:
    """What a mapping import found and did. ``counts``: kind → new/updated/unchanged; ``batch``: the
    committed batch (None for a dry run, a rejected file, or a file that changes nothing)."""

    period: int
    mapping: str = ""
    encoding: str = ""
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    checks: dict[str, float] = field(default_factory=dict)
    batch: ImportBatch | None = None

    @property
    def rejected(self) -> int:
        return len({p.row for p in self.problems if p.row})

    def _total(self, status: str) -> int:
        return sum(c.get(status, 0) for c in self.counts.values())

    @property
    def new(self) -> int:
        return self._total("new")

    @property
    def updated(self) -> int:
        return self._total("updated")

    @property
    def unchanged(self) -> int:
        return self._total("unchanged")

    def report(self) -> dict:
        return {
            "kind": "household-surveys",
            "period": self.period,
            "mapping": self.mapping,
            "encoding": self.encoding,
            "counts": self.counts,
            "checks": self.checks,
            "problems": [p.__dict__ for p in self.problems],
        }


def mapping_import(
    *, data: bytes, filename: str, mapping_path: Path, period: int, user, commit: bool, sheet: str | None = None
) -> MappingResult:
    """Validate a source file through a mapping and, with ``commit``, write it in one transaction.

    Every problem is reported by row (unknown region names, non-numeric amounts, verify mismatches,
    …) and then nothing is written. The dry run (``commit=False``) writes nothing at all; a commit
    writes only new and changed rows, so a second commit of the same file writes nothing (and makes
    no batch). The batch (kind household-surveys, ``mapping`` = the YAML text) can be undone with
    ``import_undo``.

    Args:
        data, filename: the source file (CSV or XLSX; the extension picks the reader); sheet: the
            XLSX sheet (default: the first).
        mapping_path: the YAML mapping.
        period: the survey year the members' statuses and the surveys belong to.
        user: the uploader; a clerk may only write households in the regions assigned to them.

    Raises:
        MappingError: the mapping itself is wrong (the message names the key).
    """
    mapping = mapping_load(mapping_path)
    result = MappingResult(period=period, mapping=Path(mapping_path).name)
    try:
        table = read_table(data, filename=filename, sheet=sheet)
    except ImportFileError as error:
        result.problems.append(Problem(0, "", "", str(error)))
        return result
    result.encoding = table.encoding
    for column, key in mapping.columns().items():
        if column not in table.frame.columns:
            result.problems.append(Problem(0, column, "", f"column named by {key} is not in the file"))
    if table.frame.empty:
        result.problems.append(Problem(0, "", "", "the file has no data rows"))
    regions = _scheme_regions(mapping.scheme)
    if regions.empty:
        run = f"manage.py import_regions {mapping.tree or 'TREE.csv'} --scheme {mapping.scheme}"
        message = f"scheme {mapping.scheme!r} has no regions: run `{run}` first"
        result.problems.append(Problem(0, mapping.region_column, "", message))
    if result.problems:
        return result
    limit = Decimal(str(getattr(settings, "TUOPIN_IMPORT_MAX_AMOUNT", DEFAULT_MAX_AMOUNT)))
    mapped = mapping_frames(
        table.frame, row_numbers=table.row_numbers, mapping=mapping, period=period, regions=regions, max_amount=limit
    )
    result.checks = mapped.checks
    result.problems = mapped.problems
    if result.problems:
        return result
    statuses = _classify(mapped, period, user, result)
    if result.problems:
        return result
    result.counts = {
        kind: {s: int((v == s).sum()) for s in ("new", "updated", "unchanged")} for kind, v in statuses.items()
    }
    if commit and result.new + result.updated:
        _write(mapped, statuses, data=data, filename=filename, mapping=mapping, result=result, user=user)
    return result


def _scheme_regions(scheme: str) -> pd.DataFrame:
    columns = ["id", "code", "name", "province_code", "path", "parent_id"]
    regions = pd.DataFrame(list(Region.objects.filter(scheme=scheme).values(*columns)), columns=columns)
    return regions.assign(has_children=regions["code"].isin(regions["parent_id"]))


def _classify(mapped: Mapped, period: int, user, result: MappingResult) -> dict[str, pd.Series]:
    """new / updated / unchanged for every row of each kind, compared with the database."""
    households, members, surveys = mapped.households, mapped.members, mapped.surveys
    existing = pd.DataFrame(
        list(
            Household.objects.filter(registry_number__in=households["registry_number"].tolist()).values(
                "registry_number", "id", "region__path"
            )
        ),
        columns=["registry_number", "id", "region__path"],
    ).set_index("registry_number")
    old_path = existing["region__path"].reindex(households["registry_number"]).reset_index(drop=True)
    outside = ~_in_scope(households["_path"], user) | (old_path.notna() & ~_in_scope(old_path, user))
    for row, number in zip(households["_row"][outside], households["registry_number"][outside], strict=True):
        result.problems.append(Problem(int(row), "", number, "outside your assigned regions"))
    ids = existing["id"]
    statuses = {}
    for kind, rows in (("households", households), ("members", members), ("household-surveys", surveys)):
        rows = rows.assign(_household_id=rows["registry_number"].map(ids))
        known = rows[rows["_household_id"].notna()].astype({"_household_id": int})
        validation = Validation(kind=kind, period=period, rows=known if kind != "households" else rows)
        _count_changes(validation, set())
        status = pd.Series("new", index=rows.index, dtype=object)
        status.update(pd.Series(validation.status_of_row, dtype=object))
        statuses[kind] = status
    # the person id is not one of the members file's columns, so _count_changes does not compare it
    stored = pd.DataFrame(
        list(Member.objects.filter(household_id__in=ids.tolist()).values("household_id", "member_no", "source_id")),
        columns=["household_id", "member_no", "source_id"],
    ).set_index(["household_id", "member_no"])["source_id"]
    key = pd.MultiIndex.from_arrays([members["registry_number"].map(ids), members["member_no"]])
    differs = (stored.reindex(key).to_numpy() != members["source_id"].to_numpy()) & (statuses["members"] == "unchanged")
    statuses["members"] = statuses["members"].mask(differs, "updated")
    return statuses


def _write(mapped: Mapped, statuses: dict[str, pd.Series], *, data: bytes, filename: str, mapping, result, user):
    """Write the changed rows of the three kinds, one batch, in one transaction."""
    changed = {kind: status != "unchanged" for kind, status in statuses.items()}
    with transaction.atomic():
        SurveyPeriod.objects.get_or_create(year=result.period)
        sha256 = hashlib.sha256(data).hexdigest()
        batch = ImportBatch(
            kind=ImportBatch.Kind.HOUSEHOLD_SURVEYS,
            period_id=result.period,
            original_name=filename[:255],
            sha256=sha256,
            encoding=result.encoding,
            mapping=mapping.text,
            uploaded_by=user if getattr(user, "is_authenticated", False) else None,
            status=ImportBatch.Status.COMMITTED,
            rows_new=result.new,
            rows_updated=result.updated,
            rows_unchanged=result.unchanged,
        )
        batch.file.save(f"{sha256[:16]}-mapping{_suffix(filename)}", ContentFile(data), save=False)
        batch.save()
        reason = f"import batch {batch.pk}"
        snapshots = []
        if changed["households"].any():
            snapshots += _WRITERS["households"](mapped.households[changed["households"]], batch, user, reason)
        ids = dict(
            Household.objects.filter(registry_number__in=mapped.households["registry_number"].tolist()).values_list(
                "registry_number", "id"
            )
        )
        members = mapped.members[changed["members"]]
        surveys = mapped.surveys[changed["household-surveys"]]
        if len(members):
            snapshots += _write_members(
                members.assign(_household_id=members["registry_number"].map(ids)), batch, user, reason
            )
        if len(surveys):
            rows = surveys.assign(_household_id=surveys["registry_number"].map(ids))
            snapshots += _WRITERS["household-surveys"](rows, batch, user, reason)
        provinces = sorted(
            set(mapped.households["_province"][changed["households"]])
            | set(members["_province"])
            | set(surveys["_province"])
        )
        ChangeLog.objects.bulk_create(
            [
                ChangeLog(province_code=p, period_id=result.period, source=ChangeLog.Source.IMPORT, import_batch=batch)
                for p in provinces
            ]
        )
        batch.committed_at = timezone.now()
        batch.report = result.report()
        batch.previous_rows = {"tables": snapshots, "provinces": provinces}
        batch.save()
    result.batch = batch


def _write_members(rows: pd.DataFrame, batch, user, reason: str) -> list[dict]:
    """Members with their person id (``source_id``) and their status of the period.

    Like ``commit._WRITERS["members"]``, which does not write ``source_id``; an empty age is written
    as empty (the source says it is unknown) rather than left as it was.
    """
    keys = list(zip(rows["_household_id"].astype(int), rows["member_no"].astype(int), strict=True))
    member_columns = [c for c in ("source_id", "sex") if c in rows.columns]
    status_columns = [c for c in ("present", "age") if c in rows.columns]
    values = rows[member_columns].to_dict("records")
    member_rows = {k: {"household_id": k[0], "member_no": k[1], **v} for k, v in zip(keys, values, strict=True)}
    households = {k[0] for k in keys}
    existing = {(m.household_id, m.member_no): m for m in Member.objects.filter(household_id__in=households)}
    snapshots = [_upsert(Member, member_rows, existing, batch, user, reason)]
    ids = dict(
        ((h, n), pk)
        for h, n, pk in Member.objects.filter(household_id__in=households).values_list(
            "household_id", "member_no", "pk"
        )
    )
    statuses = rows[status_columns].to_dict("records")
    keyed = {
        ids[k]: {"member_id": ids[k], "period_id": batch.period_id, **v} for k, v in zip(keys, statuses, strict=True)
    }
    existing_status = {
        s.member_id: s for s in MemberStatus.objects.filter(member_id__in=list(keyed), period_id=batch.period_id)
    }
    snapshots.append(_upsert(MemberStatus, keyed, existing_status, batch, user, reason))
    return snapshots
