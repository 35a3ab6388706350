"""The administrative tree: regions, their tags, boundaries and the boundary-code crosswalk.

China's statistical division codes are kept at their natural length as text (province ``62``,
prefecture ``6211``, county ``621126``, township ``621126100``, village ``621126100201``); padding to
12 digits is not unique (Dongguan ``4419`` and ``441900`` collide), so ``code12`` is derived for
display only. Other trees (any depth, any codes) live in their own ``scheme``.
"""

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact, StartsWith
from django.utils.translation import gettext_lazy as _

#: The scheme of China's statistical division codes, whose code rules the database enforces.
CN = "cn"


class Level(models.IntegerChoices):
    """Levels of the ``cn`` scheme. Other schemes number their levels from 1 at the root too."""

    PROVINCE = 1, _("province")
    PREFECTURE = 2, _("prefecture")
    COUNTY = 3, _("county")
    TOWNSHIP = 4, _("township")
    VILLAGE = 5, _("village")


#: Code length of each ``cn`` level (GB/T 2260 for levels 1-3, NBS statistical codes below).
CN_CODE_LENGTH = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}


def _cn_code_rules() -> Q:
    """Scheme ``cn``: the code length matches the level and the code extends its parent's code."""
    root = Q(level=1) & Q(Exact(Length("code"), CN_CODE_LENGTH[1])) & Q(parent__isnull=True)
    rule = root
    for level in range(2, 6):
        rule |= (
            Q(level=level)
            & Q(Exact(Length("code"), CN_CODE_LENGTH[level]))
            & Q(Exact(Length("parent"), CN_CODE_LENGTH[level - 1]))
            & Q(StartsWith(F("code"), F("parent")))
        )
    return ~Q(scheme=CN) | rule


class Region(models.Model):
    """A node of an administrative tree.

    ``province_code`` … ``township_code`` hold the region's ancestors at levels 1-4 (itself at its
    own level, blank below it), so roll-ups are a plain GROUP BY; ``path`` (``/62/6211/621126/``)
    holds all of them, at any depth, for subtree queries by prefix.
    """

    code = models.CharField(_("code"), max_length=40, unique=True)
    code12 = models.CharField(_("12-digit code"), max_length=12, blank=True, db_index=True)
    scheme = models.CharField(_("scheme"), max_length=32, default=CN, db_index=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"))
    parent = models.ForeignKey(
        "self",
        to_field="code",
        db_column="parent_code",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    path = models.CharField(_("path"), max_length=400, db_index=True)
    province_code = models.CharField(max_length=40, blank=True)
    prefecture_code = models.CharField(max_length=40, blank=True)
    county_code = models.CharField(max_length=40, blank=True)
    township_code = models.CharField(max_length=40, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    predecessor = models.ForeignKey(
        "self",
        to_field="code",
        db_column="predecessor_code",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="successors",
        verbose_name=_("predecessor"),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        indexes = [models.Index(fields=["scheme", "level"], name="region_scheme_level")]
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1), name="region_level_positive"),
            models.CheckConstraint(condition=_cn_code_rules(), name="region_cn_code_rules"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_from__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="region_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Tag(models.Model):
    """A grouping of regions defined by policy, e.g. the 832 national poverty counties.

    The definitions come from ``data/region_tags.yaml``; ``value_label`` names what an assignment's
    value means (the exit year for ``poverty_county_832``), blank when assignments carry none.
    """

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    value_label_zh = models.CharField(max_length=50, blank=True)
    value_label_en = models.CharField(max_length=50, blank=True)
    source = models.TextField(_("source"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.code


class RegionTag(models.Model):
    """A tag assigned to a region, with its value (an integer year, text, or null)."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="tag_assignments")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="assignments")
    value = models.JSONField(_("value"), null=True, blank=True)

    class Meta:
        verbose_name = _("tag assignment")
        verbose_name_plural = _("tag assignments")
        constraints = [models.UniqueConstraint(fields=["region", "tag"], name="regiontag_unique")]

    def __str__(self) -> str:
        return f"{self.tag_id}:{self.region_id}={self.value}"


class Boundary(models.Model):
    """A simplified polygon of a region at levels 1-3, keyed by the current division code.

    ``code`` is the current code (after the crosswalk); ``source_code`` the key in the boundary
    file. Places with no region row (Taiwan, Hong Kong, Macao) keep their own codes and are drawn in
    the no-data style. ``geometry`` is a GeoJSON Polygon or MultiPolygon with clockwise outer rings
    (the d3/Plotly convention), longitude/latitude in degrees (GCJ-02).
    """

    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices[:3])
    code = models.CharField(_("code"), max_length=40)
    source_code = models.CharField(_("code in the boundary file"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    geometry = models.JSONField(_("geometry"))

    class Meta:
        ordering = ["level", "code"]
        verbose_name = _("boundary")
        verbose_name_plural = _("boundaries")
        constraints = [models.UniqueConstraint(fields=["level", "code"], name="boundary_level_code_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class BoundaryCrosswalk(models.Model):
    """An older code used by the boundary file, and the current division code of the same place."""

    source_code = models.CharField(_("code in the boundary file"), max_length=40, unique=True)
    code = models.CharField(_("current code"), max_length=40)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["source_code"]
        verbose_name = _("boundary code crosswalk")
        verbose_name_plural = _("boundary code crosswalk")

    def __str__(self) -> str:
        return f"{self.source_code} → {self.code}"


class Role(models.TextChoices):
    """What a user may do in the regions assigned to them (DESIGN §2)."""

    ADMIN = "admin", _("administrator")
    OFFICIAL = "official", _("county official")
    CLERK = "clerk", _("data clerk")
    API_CLIENT = "api_client", _("API client")


class Assignment(models.Model):
    """A user's role in a region's subtree. A user may hold several; scope is their union."""

    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="assignments")

    class Meta:
        verbose_name = _("region assignment")
        verbose_name_plural = _("region assignments")
        constraints = [models.UniqueConstraint(fields=["user", "role", "region"], name="assignment_unique")]

    def __str__(self) -> str:
        """The user's name, the role and the region's name and code (the admin's confirmation):
        ``clerk1: data clerk of 西吉县 (640422)``; nothing of the user but the username."""
        return _("%(user)s: %(role)s of %(region)s (%(code)s)") % {
            "user": self.user.get_username(),
            "role": self.get_role_display(),
            "region": self.region.name,
            "code": self.region.code,
        }
