"""``/methodology/``: every indicator of the registry, the methodology versions with their goalposts,
weights and rules, and the poverty lines in force (public, both languages)."""

from django.shortcuts import render
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from config.formats import number_display
from indicators.methodology_parameters import parameter_rows
from indicators.models import Methodology, PovertyLine
from indicators.registry import INDICATORS
from indicators.services.methodology import parameters_validate

UNITS = {
    "score": _("score 0-100"),
    "share": _("share, shown in percent"),
    "coefficient": _("coefficient 0-1"),
    "ratio": _("ratio"),
    "yuan": _("yuan per person per year"),
    "count": _("count"),
}
DIRECTIONS = {"higher_better": _("higher is better"), "lower_better": _("lower is better")}
GOALPOSTS = {
    "adequacy": _("Income adequacy y/z (scored on the log scale)"),
    "growth": _("Real income growth"),
    "dev_share": _("Developmental share of income"),
    "stability": _("Coefficient of variation of y/z over three periods"),
    "margin": _("Margin over the monitoring line y/z_m"),
    "village_collective_income": _("Village collective income (yuan per year)"),
}


LINE_STATUS = {
    "confirmed": _("confirmed (official value)"),
    "weak": _("weak (one low-quality source)"),
    "interpolated": _("interpolated (log-linear between known years)"),
    "extrapolated": _("extrapolated"),
}
#: The default methodology's name and description as migration 0002 seeds them: shown translated
#: (the template's ``translate`` of the stored text); texts a user typed are shown as typed.
SEEDED_TEXTS = (
    gettext_noop("Method v1: four dimensions, national line, AF over six guarantees and income"),
    gettext_noop(
        "Defaults of the Tuopin design: fixed goalposts, equal weights, geometric EQI, vulnerability as "
        "expected poverty fitted per province, monitoring line 1.5 x the national line where none is set."
    ),
)


@require_safe
def methodology(request):
    """The methodology page (three queries: methodologies, poverty lines, nothing per row)."""
    # the name in the reader's language, then in the other one (the Chinese page shows no name twice)
    other = "en" if (get_language() or "").startswith("zh") else "zh_hans"
    indicators = [
        {
            "code": i.code,
            "name": i.name,
            "other_name": i.names()[other],
            "unit": UNITS.get(i.unit, i.unit),
            "direction": DIRECTIONS.get(i.direction, i.direction),
            "formula": i.formula,
            "source": i.source,
        }
        for i in INDICATORS
    ]
    names = {i.code: i.name for i in INDICATORS}
    methodologies = []
    for m in Methodology.objects.order_by("-is_default", "version"):
        try:  # the stored parameters completed with the defaults, as a run reads them
            params = parameters_validate(m.parameters or {})
        except ValueError:
            params = {"scores": {}, **(m.parameters or {})}
        scores = params.get("scores", {})
        methodologies.append(
            {
                "object": m,
                "goalposts": [
                    (GOALPOSTS.get(key, key), ends[0], ends[1]) for key, ends in scores.get("goalposts", {}).items()
                ],
                "weights": [
                    (code, names.get(code, code), weight) for code, weight in scores.get("weights", {}).items()
                ],
                "other": parameter_rows(params),
            }
        )
    lines = list(PovertyLine.objects.filter(superseded_at__isnull=True).order_by("year", "line_type", "province_code"))
    for line in lines:
        line.status_label = LINE_STATUS.get(line.status, line.status)
        line.province_label = line.province_code or _("all provinces")  # a blank code: every province
        line.value_shown = number_display(line.value, "yuan")  # whole yuan, as README gives them
    context = {
        "indicators": indicators,
        "other_language": "English" if other == "en" else "中文",
        "methodologies": methodologies,
        "lines": lines,
    }
    return render(request, "indicators/methodology.html", context)
