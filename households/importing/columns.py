"""Column dictionaries of the four import file kinds (DESIGN §4); each is also the template.

A file may use the English header (``registry_number``), the Chinese one (``户编号``) or the
template's combined form (``户编号 registry_number``). Choice columns accept the code or the
English or Chinese label. Money is yuan per year for the household. Units and rules are English
msgids (``gettext_noop``), translated where they are shown (the template's dictionary sheet).
"""

import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_noop

from households.models import Member, MemberStatus, MonitoringStatus, PovertyCause

IDENTIFIER, TEXT, DECIMAL, BOOL, INT, DATE, CHOICE, CHOICES = (
    "identifier",
    "text",
    "decimal",
    "bool",
    "int",
    "date",
    "choice",
    "choices",
)


@dataclass(frozen=True)
class Column:
    """One column of an import file.

    ``field``: the English header and the target field; ``zh``: the Chinese header; ``kind``: how
    cells are parsed; ``minimum``/``maximum``: bounds (numbers) checked after parsing, inclusive but
    for ``minimum_excluded`` (the value must be greater than ``minimum``: a weight, a scale);
    ``choices``: the model choices of a choice column; ``rule``: the rule as a clerk reads it.
    """

    field: str
    zh: str
    kind: str
    required: bool = False
    unit: str = ""
    rule: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: type | None = None
    minimum_excluded: bool = False

    @property
    def header(self) -> str:
        return f"{self.zh} {self.field}"

    def choice_lookup(self) -> dict[str, str]:
        """Accepted spellings (code, English label, Chinese label; NFKC-normalised as the cells are
        (``cells.normalise_text``), case-folded) → code."""
        if self.choices is None:
            return {}
        lookup: dict[str, str] = {}

        def add(text, value):
            lookup[unicodedata.normalize("NFKC", str(text)).casefold()] = value

        for value, label in self.choices.choices:
            add(value, value)
            with translation.override("en"):
                add(label, value)
            with translation.override("zh-hans"):
                add(label, value)
        if self.choices is Member.Sex:
            lookup.update({"男": "M", "女": "F"})
        return lookup


def _money(field: str, zh: str, *, signed: bool = True, rule: str = "") -> Column:
    return Column(field, zh, DECIMAL, unit=gettext_noop("yuan/year"), minimum=None if signed else 0, rule=rule)


def _flag(field: str, zh: str, rule: str = "") -> Column:
    return Column(field, zh, BOOL, rule=rule or gettext_noop("yes/no (是/否, 1/0)"))


HOUSEHOLDS = (
    Column("registry_number", "户编号", IDENTIFIER, True, rule=gettext_noop("village code + 4-digit serial (text)")),
    Column(
        "village_code",
        "村代码",
        IDENTIFIER,
        True,
        rule=gettext_noop("12-digit village code (text), or a leaf code of another scheme"),
    ),
    Column("registration_year", "建档年份", INT, minimum=1980, maximum=2100),
    Column("exit_year", "脱贫年份", INT, minimum=1980, maximum=2100),
    Column("monitoring_status", "监测状态", CHOICE, choices=MonitoringStatus),
    Column(
        "poverty_causes",
        "致贫原因",
        CHOICES,
        choices=PovertyCause,
        rule=gettext_noop("one or more, separated by ; or 、"),
    ),
)

MEMBERS = (
    Column("registry_number", "户编号", IDENTIFIER, True),
    Column("member_no", "成员序号", INT, True, minimum=1, maximum=99),
    Column("name", "姓名", TEXT),
    Column("resident_id", "身份证号", IDENTIFIER, rule=gettext_noop("18 characters, check digit (GB 11643); text")),
    Column("sex", "性别", CHOICE, choices=Member.Sex),
    Column("birth_date", "出生日期", DATE, rule=gettext_noop("YYYY-MM-DD; must match the date inside the resident ID")),
    Column("relation", "与户主关系", CHOICE, choices=Member.Relation),
    Column("education", "文化程度", CHOICE, choices=Member.Education),
    Column("labour_capacity", "劳动能力", CHOICE, choices=Member.Labour),
    _flag("present", "本期在户"),
    Column("age", "年龄", INT, minimum=-1, maximum=130, unit=gettext_noop("years")),
    _flag("in_school", "在校生"),
    Column("health", "健康状况", CHOICE, choices=MemberStatus.Health),
    Column("employment", "就业状况", CHOICE, choices=MemberStatus.Employment),
    Column("months_away", "外出务工月数", INT, minimum=0, maximum=12, unit=gettext_noop("months")),
    _flag("medical_insurance", "参加医保"),
)

HOUSEHOLD_SURVEYS = (
    Column("registry_number", "户编号", IDENTIFIER, True),
    _money("wage_income", "工资性收入", signed=False),
    _money("net_operating_income", "生产经营净收入", rule=gettext_noop("gross minus production cost; may be negative")),
    _money("property_income", "财产性收入"),
    _money(
        "relief_transfers",
        "救助性转移收入",
        signed=False,
        rule=gettext_noop("subsistence allowance, extreme-poverty support, assistance"),
    ),
    _money(
        "other_transfers",
        "其他转移性收入",
        signed=False,
        rule=gettext_noop("pensions, ecological compensation, subsidies"),
    ),
    _money("deductions", "扣除项", rule=gettext_noop("transfers paid, tax adjustments")),
    _money("medical_spending", "自付医疗支出", signed=False),
    _money("education_spending", "教育支出", signed=False),
    _flag("food_secure", "不愁吃"),
    _flag("clothing_secure", "不愁穿"),
    _flag("compulsory_education", "义务教育有保障"),
    _flag("basic_medical_insurance", "基本医疗有保障"),
    _flag("safe_housing", "住房安全有保障"),
    _flag("safe_drinking_water", "饮水安全有保障"),
    _money("disaster_loss", "灾害损失", signed=False),
    _flag("job_loss", "失业"),
    _flag("industry_project", "参与产业项目"),
    _flag("cooperative", "加入合作社"),
    _flag("employment_post", "就业或公益岗位"),
    _flag("micro_credit", "小额信贷"),
    _flag("relocation", "易地搬迁"),
    _flag("enterprise_link", "企业带动"),
    Column(
        "sampling_weight",
        "抽样权重",
        DECIMAL,
        minimum=0,
        minimum_excluded=True,
        rule=gettext_noop("> 0; 1 for a census"),
    ),
    Column(
        "equivalence_scale",
        "等价规模",
        DECIMAL,
        minimum=0,
        minimum_excluded=True,
        rule=gettext_noop("> 0; empty: per capita"),
    ),
)

VILLAGE_SURVEYS = (
    Column("village_code", "村代码", IDENTIFIER, True),
    _flag("hardened_road", "通硬化路"),
    _flag("bus_service", "通客车"),
    Column("tap_water_coverage", "自来水覆盖率", DECIMAL, minimum=0, maximum=1, unit=gettext_noop("share 0-1")),
    _flag("electricity", "通动力电"),
    _flag("broadband", "通宽带"),
    _flag("mobile_coverage", "移动网络覆盖"),
    _flag("school_within_reach", "就近入学"),
    _flag("standard_clinic", "标准化卫生室（有合格村医）"),
    _money("collective_income", "村集体经济收入", signed=False),
    Column("cooperatives", "合作社数", INT, minimum=0, maximum=10_000),
    Column("leading_enterprises", "龙头企业数", INT, minimum=0, maximum=10_000),
    _flag("characteristic_industry", "特色产业"),
    _flag("processing_facility", "加工设施"),
    _flag("ecommerce_point", "电商服务点"),
)

COLUMNS = {
    "households": HOUSEHOLDS,
    "members": MEMBERS,
    "household-surveys": HOUSEHOLD_SURVEYS,
    "village-surveys": VILLAGE_SURVEYS,
}

#: The key of each kind: the columns that identify a row.
KEYS = {
    "households": ("registry_number",),
    "members": ("registry_number", "member_no"),
    "household-surveys": ("registry_number",),
    "village-surveys": ("village_code",),
}


def column_cap(kind: str) -> int:
    """The most columns a file of ``kind`` is read with: its dictionary's, plus
    ``TUOPIN_IMPORT_EXTRA_COLUMNS`` for unknown or empty columns (which validation reports or drops);
    a cell holding data further right refuses the file (``reading.read_table``)."""
    return len(COLUMNS[kind]) + settings.TUOPIN_IMPORT_EXTRA_COLUMNS


def header_lookup(kind: str) -> dict[str, str]:
    """Accepted header texts (case-folded, spaces collapsed) → field, for one kind."""
    lookup = {}
    for column in COLUMNS[kind]:
        for text in (column.field, column.zh, column.header, f"{column.zh}{column.field}"):
            text = unicodedata.normalize("NFKC", text)  # as the file's headers are read (full-width brackets)
            lookup[" ".join(text.split()).casefold()] = column.field
    return lookup


__all__ = ["COLUMNS", "KEYS", "Column", "column_cap", "header_lookup"]
