"""Pages of the region tree: the national county map and a page per region."""

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from regions import map_style, selectors
from regions.models import CN, Level, Tag
from regions.services.tags import POVERTY_COUNTIES_TAG

#: The tag the map opens with when it colours counties; else the first tag (by code) that does.
DEFAULT_MAP_TAG = POVERTY_COUNTIES_TAG


def default_map_tag(*, tags: list[Tag], with_counties: set[str]) -> str:
    """The tag ``/map/tags/`` shows without ``?tag=``: the 832 poverty counties when their list is
    loaded, else the first tag that colours a county, else the first tag ("" when there is none)."""
    codes = [t.code for t in tags]
    preferred = [DEFAULT_MAP_TAG, *codes] if DEFAULT_MAP_TAG in codes else codes
    return next((code for code in preferred if code in with_counties), codes[0] if codes else "")


def _in_language(zh: str, en: str) -> str:
    return zh if (get_language() or "zh-hans").startswith("zh") else (en or zh)


def _tag_label(tag: Tag) -> str:
    return _in_language(tag.name_zh, tag.name_en)


@require_safe
def home(request):
    """The national county map coloured by a tag chosen with ``?tag=`` (``/map/tags/``)."""
    tags = selectors.tags_list()
    by_code = {t.code: t for t in tags}
    with_counties = selectors.tags_with_counties()
    chosen = request.GET.get("tag") or default_map_tag(tags=tags, with_counties=with_counties)
    if chosen and chosen not in by_code:
        raise Http404(_("No tag %(tag)s.") % {"tag": chosen})
    tag = by_code.get(chosen)
    counties = selectors.county_map_values(tag=tag)
    tagged = sum(1 for c in counties if c["value"] is not None)
    map_data = {
        "geometryUrl": reverse("regions:topojson", args=[int(Level.COUNTY)]) + "?detail=national",
        # plotly.js appends e.g. "world_110m.json"; whitenoise also serves the unhashed names.
        "topojsonUrl": f"{settings.STATIC_URL}vendor/plotly-topojson/",
        # the region's page is its dashboard (indicators.urls), reversed by name only
        "regionUrl": reverse("indicators:region", args=["CODE"]),
        "counties": counties,
        "colours": map_style.map_style(),
        "tag": chosen,
        "valueLabel": _in_language(tag.value_label_zh, tag.value_label_en) if tag else "",
        "labels": {
            "code": _("Code"),
            "tagged": _tag_label(tag) if tag else "",
            "notTagged": _("Not in this group"),
            "noData": _("No data"),
        },
    }
    context = {
        "tags": [(t.code, _tag_label(t)) for t in tags],
        "tag": tag,
        "tag_label": _tag_label(tag) if tag else "",
        "tagged": tagged,
        # the 832 list is not redistributable: a map without it says so, and how to load it
        "poverty_counties_missing": DEFAULT_MAP_TAG in by_code and DEFAULT_MAP_TAG not in with_counties,
        "county_count": len(counties),
        "map_data": map_data,
    }
    return render(request, "regions/home.html", context)


@require_safe
def region_detail(request, code: str):
    """One region: its ancestors, tags and children."""
    region = selectors.region_get(code=code)
    children = list(selectors.region_children(region=region))
    for child in children:
        child.tag_labels = [(_tag_label(a.tag), a.value) for a in child.tag_assignments.all()]
    context = {
        "region": region,
        "display_name": selectors.region_display_name(region),
        "level_label": Level(region.level).label if region.scheme == CN else _("level %(n)s") % {"n": region.level},
        "is_cn": region.scheme == CN,
        "ancestors": selectors.region_ancestors(region=region),
        "children": children,
        "tags": [(_tag_label(a.tag), a.value) for a in region.tag_assignments.all()],
    }
    return render(request, "regions/region_detail.html", context)


@require_safe
def boundaries_topojson(request, level: int):
    """TopoJSON of a level's boundaries (``/geo/3.topojson``), what the maps draw.

    ``?detail=national`` gives the lines simplified for a map of the whole country (``full``, the
    default, keeps every stored point; ``selectors.DETAILS``). Served gzipped (precompressed once,
    ``selectors.boundaries_topojson``) to clients that accept gzip, with an ETag per detail and
    encoding and a day's max-age.

    Raises:
        Http404: a level without boundaries. BadRequest: an unknown ``detail``.
    """
    if level not in (Level.PROVINCE, Level.PREFECTURE, Level.COUNTY):
        raise Http404(_("Boundaries exist for levels 1 to 3."))
    details = request.GET.getlist("detail") or ["full"]
    detail = details[0]
    if len(details) > 1 or detail not in selectors.DETAILS:
        raise BadRequest(
            _("Unknown detail %(value)s: use one of %(choices)s.")
            % {"value": detail, "choices": ", ".join(selectors.DETAILS)}
        )
    body, gzipped, version = selectors.boundaries_topojson(level=level, detail=detail)
    accepts_gzip = "gzip" in request.headers.get("Accept-Encoding", "")
    response = HttpResponse(gzipped if accepts_gzip else body, content_type="application/json")
    if accepts_gzip:
        response["Content-Encoding"] = "gzip"  # GZipMiddleware leaves an encoded response alone
    response["ETag"] = f'"{version}{"-gz" if accepts_gzip else ""}"'
    response["Vary"] = "Accept-Encoding"
    response["Cache-Control"] = "public, max-age=86400"
    return response
