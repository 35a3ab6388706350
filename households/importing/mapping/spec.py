"""The mapping file: its YAML keys checked and loaded into a ``Mapping`` (``MappingError`` names the key).

A mapping says which source columns make each target field (ids, region, weight, equivalence scale,
members' age and sex, the ledger fields with sign and level, the ``verify`` columns); see the
package docstring of ``households.importing.mapping``.
"""

import string
from dataclasses import dataclass
from pathlib import Path

import yaml

from households.models import HouseholdSurvey, Member

FORMAT = "tuopin-mapping/1"
LEDGER_FIELDS = HouseholdSurvey.LEDGER_FIELDS
#: What a ``verify`` entry may be compared with (per household).
QUANTITIES = ("equivalised_income", "total_income", "equivalence_scale", "household_size")
PERSON, HOUSEHOLD = "person", "household"
MODIFIED_OECD = "modified-oecd"
_SIGNS = {"+": 1, "+1": 1, "plus": 1, "-": -1, "\u2212": -1, "-1": -1, "minus": -1}


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
