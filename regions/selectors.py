"""Reads of the region tree. The tree, tags and boundaries are public (DESIGN §2)."""

import gzip
import hashlib
import json
from functools import reduce
from operator import or_

from django.core.cache import cache
from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from regions.models import CN, Assignment, Boundary, Level, Region, RegionTag, Role, Tag
from regions.topology import topology


def _with_tags() -> Prefetch:
    """Tag assignments with their tags, in one query."""
    return Prefetch("tag_assignments", queryset=RegionTag.objects.select_related("tag").order_by("tag__code"))


def regions_list(*, scheme: str | None = CN) -> QuerySet[Region]:
    """Regions of a scheme (all schemes when ``None``), with parent and tags loaded, by code."""
    queryset = Region.objects.select_related("parent").prefetch_related(_with_tags())
    if scheme is not None:
        queryset = queryset.filter(scheme=scheme)
    return queryset.order_by("code")


def region_get(*, code: str) -> Region:
    """The region with this code (any scheme), with its children counted.

    Raises:
        Http404: no region has this code.
    """
    region = (
        Region.objects.select_related("parent", "predecessor")
        .prefetch_related(_with_tags())
        .annotate(children_count=Count("children"))
        .filter(code=code)
        .first()
    )
    if region is None:
        raise Http404(_("No region with code %(code)s.") % {"code": code})
    return region


def region_ancestors(*, region: Region) -> list[Region]:
    """The region's ancestors from the root down (one query)."""
    codes = [code for code in region.path.strip("/").split("/") if code and code != region.code]
    ancestors = {r.code: r for r in Region.objects.filter(code__in=codes)}
    return [ancestors[code] for code in codes if code in ancestors]


def region_children(*, region: Region) -> QuerySet[Region]:
    """The region's children by code, each with its own children counted (one query)."""
    return (
        Region.objects.filter(parent=region)
        .annotate(children_count=Count("children"))
        .prefetch_related(_with_tags())
        .order_by("code")
    )


def region_display_name(region: Region) -> str:
    """The name to show: a prefecture named 市辖区 (or 县) takes its parent's name in front."""
    if region.scheme == CN and region.level == Level.PREFECTURE and region.parent and region.name in {"市辖区", "县"}:
        return f"{region.parent.name} {region.name}"
    return region.name


def tags_list() -> list[Tag]:
    """Every tag, by code."""
    return list(Tag.objects.order_by("code"))


def tags_with_counties() -> set[str]:
    """Codes of the tags that colour at least one county of the map (one query): a tag on a county,
    or on a prefecture or province that has counties. A tag defined but never assigned (the 832 list
    before ``import_region_tags --poverty-counties``) is not in it."""
    county = Region.objects.filter(scheme=CN, level=Level.COUNTY)
    return set(
        RegionTag.objects.filter(region__scheme=CN, region__level__lte=Level.COUNTY)
        .filter(
            Q(region__level=Level.COUNTY)
            | Q(region__code__in=county.values("prefecture_code"))
            | Q(region__code__in=county.values("province_code"))
        )
        .values_list("tag__code", flat=True)
        .distinct()
    )


def county_map_values(*, tag: Tag | None) -> list[dict]:
    """The counties of scheme ``cn`` with their value for ``tag``, for the national map.

    A county carries the tag if it or an ancestor does (a county of a western province is
    western). The value is the assignment's value (the exit year for ``poverty_county_832``), or
    ``True`` for a tag without values, or ``None`` for a county without the tag.

    Returns:
        One dict per county, by code: ``code``, ``name``, ``prefecture``, ``province``, ``value``.
    """
    counties = list(
        Region.objects.filter(scheme=CN, level=Level.COUNTY)
        .order_by("code")
        .values("code", "name", "province_code", "prefecture_code")
    )
    upper = dict(Region.objects.filter(scheme=CN, level__lt=Level.COUNTY).values_list("code", "name"))
    values: dict[str, object] = {}
    if tag is not None:
        assignments = RegionTag.objects.filter(tag=tag, region__level__lte=Level.COUNTY, region__scheme=CN)
        values = {
            code: (True if value is None else value) for code, value in assignments.values_list("region__code", "value")
        }
    return [
        {
            "code": c["code"],
            "name": c["name"],
            "prefecture": upper.get(c["prefecture_code"], ""),
            "province": upper.get(c["province_code"], ""),
            "value": values.get(c["code"], values.get(c["prefecture_code"], values.get(c["province_code"]))),
        }
        for c in counties
    ]


def boundaries_version(*, level: int) -> str:
    """A short fingerprint of the stored boundaries of a level (changes when any row changes)."""
    stats = Boundary.objects.filter(level__lte=level).aggregate(n=Count("id"), last=Max("id"))
    return hashlib.sha256(f"{level}:{stats['n']}:{stats['last']}".encode()).hexdigest()[:16]


def boundary_rows(level: int) -> list[tuple[int, str, str, dict]]:
    """The boundaries of ``level`` plus the province outlines of places without polygons there."""
    rows = list(
        Boundary.objects.filter(level__lte=level)
        .order_by("-level", "code")
        .values_list("level", "code", "name", "geometry")
    )
    covered_prefixes = {code[:2] for lvl, code, _name, _geom in rows if lvl == level}
    return [r for r in rows if r[0] == level or (r[0] == Level.PROVINCE and r[1] not in covered_prefixes)]


#: Douglas-Peucker tolerance (degrees) of each detail the maps may ask for: ``full`` keeps every
#: stored point (0.001 degree); ``national`` is for a map of the whole country, about 0.07 degree a
#: pixel at 900 pixels wide, where 0.03 degree is under half a pixel and draws a fifth of the points.
DETAILS = {"full": 0.0, "national": 0.03}


def boundaries_topojson(*, level: int, detail: str = "full") -> tuple[bytes, bytes, str]:
    """The map geometry of a level as TopoJSON (object ``regions``), plain and gzipped, and its ETag.

    The boundaries of the level plus, for places without a polygon there (Taiwan has only a province
    outline), the province outline, so the map of counties still shows Taiwan in the no-data style
    (``boundary_rows``); as a topology of shared arcs, quantised to 0.001 degree and simplified to
    ``DETAILS[detail]`` (``regions.topology.topology``). Built once per version and detail and kept
    in the cache, gzipped at level 9 once, so a request costs no compression.

    Returns:
        (UTF-8 JSON bytes, the same gzipped, ETag text).
    Raises:
        KeyError: ``detail`` is not one of ``DETAILS``.
    """
    tolerance = DETAILS[detail]
    version = f"{boundaries_version(level=level)}-{detail}"
    key = f"regions:topojson:{level}:{version}"
    cached = cache.get(key)
    if cached is None:
        rows = [(code, name, geometry) for _level, code, name, geometry in boundary_rows(level)]
        topo = topology(rows, tolerance=tolerance)
        body = json.dumps(topo, ensure_ascii=False, separators=(",", ":")).encode()
        cached = (body, gzip.compress(body, compresslevel=9, mtime=0))
        cache.set(key, cached, timeout=None)
    return cached[0], cached[1], version


#: Roles that may read scoped data (households, surveys, township and village scores).
READ_ROLES = frozenset({Role.ADMIN, Role.OFFICIAL, Role.CLERK, Role.API_CLIENT})
#: Roles that may write household and survey data.
WRITE_ROLES = frozenset({Role.ADMIN, Role.CLERK})


def user_region_paths(user, *, roles: frozenset[str] = READ_ROLES) -> list[str] | None:
    """The paths of the subtrees ``user`` holds one of ``roles`` in.

    Returns:
        ``None`` for a superuser (everything), else a list of region paths (``/62/6211/``), empty
        for an anonymous user or one without assignments.
    """
    if not getattr(user, "is_authenticated", False):
        return []
    if user.is_superuser:
        return None
    return list(Assignment.objects.filter(user=user, role__in=roles).values_list("region__path", flat=True).distinct())


def scope_filter(user, *, roles: frozenset[str] = READ_ROLES, path_field: str = "path") -> Q:
    """A filter keeping rows whose region lies in the user's subtrees for ``roles``.

    Args:
        path_field: the lookup to the region path from the filtered model (``"region__path"`` on
            households, ``"path"`` on regions).

    Returns:
        ``Q()`` for everything (superuser), ``Q(pk__in=[])`` for nothing.
    """
    paths = user_region_paths(user, roles=roles)
    if paths is None:
        return Q()
    return reduce(or_, (Q(**{f"{path_field}__startswith": path}) for path in paths), Q(pk__in=[]))


def regions_visible_to(user, *, roles: frozenset[str] = READ_ROLES) -> QuerySet[Region]:
    """Regions in the subtrees assigned to ``user`` with one of ``roles`` (all for a superuser)."""
    return Region.objects.filter(scope_filter(user, roles=roles))
