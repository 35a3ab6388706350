"""The maps' colours, in one place: the class palette of every measure map, the no-data style and
the colours of the tag map. The pages get them from here (the dashboards' and the tag map's
payloads); no map script has colours of its own.

Every measure map runs the same way: **darker is worse**. The palette is listed from the worst class
to the best (dark red to light orange: the red half of ColorBrewer's RdYlBu, whose five steps differ
evenly, each about 1.6:1 in luminance contrast from the next), and ``class_colours`` turns it round
for a measure where lower is better, so a colour means the same thing on every measure.

The no-data fill is a neutral light grey, lighter than every class and without hue. It must differ
from the lightest class at least as much as two neighbouring classes differ from each other, and by
no less than 1.5:1 (``NO_DATA_MIN_CONTRAST``): WCAG's 3:1 for graphics cannot hold between the steps
of any five-class sequential palette, so the test is that no-data is never nearer the lightest class
than the classes are to one another (``tests/regions/test_map_style.py``).
"""

from django.utils.translation import gettext_lazy as _

#: Class colours from the worst class to the best (darker is worse).
PALETTE: tuple[str, ...] = ("#67001f", "#a50026", "#d73027", "#f46d43", "#fdae61")
#: Counties without a value (no scores, not shown, or no county in the tree: Taiwan, Hong Kong, Macao).
NO_DATA = "#f0f0f0"
#: The smallest luminance contrast between the no-data fill and any class colour (see the module text).
NO_DATA_MIN_CONTRAST = 1.5
#: Tag map: counties outside the chosen tag (white, with a grey outline).
NOT_TAGGED = "#ffffff"
NOT_TAGGED_LINE = "#c0c4ca"
#: Tag map: a tag is a grouping, not a judgement, so its colours are blue, never the palette's reds:
#: one colour for a tag without values, and a light-to-dark scale for a numeric one (the exit year).
TAG_COLOUR = "#2b6cb0"
TAG_SCALE: tuple[str, ...] = ("#9ecae1", "#08519c")

HIGHER_BETTER = "higher_better"
LOWER_BETTER = "lower_better"
DIRECTIONS = (HIGHER_BETTER, LOWER_BETTER)


def class_colours(direction: str) -> list[str]:
    """The colour of each quantile class, class 0 holding the lowest values (``quantile_classes``).

    For ``higher_better`` the lowest values are the worst, so class 0 is the darkest; for
    ``lower_better`` class 0 is the lightest (the best).

    Raises:
        ValueError: a direction other than ``higher_better`` or ``lower_better``.
    """
    if direction == HIGHER_BETTER:
        return list(PALETTE)
    if direction == LOWER_BETTER:
        return list(reversed(PALETTE))
    raise ValueError(f"unknown direction {direction!r}: use {' or '.join(DIRECTIONS)}")


def direction_text(direction: str) -> str:
    """The legend's "Higher is better" or "Lower is better", in the active language.

    Raises:
        ValueError: an unknown direction.
    """
    texts = {HIGHER_BETTER: _("Higher is better"), LOWER_BETTER: _("Lower is better")}
    if direction not in texts:
        raise ValueError(f"unknown direction {direction!r}: use {' or '.join(DIRECTIONS)}")
    return str(texts[direction])


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance (0 black to 1 white) of an sRGB colour written ``#rrggbb``."""
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2.x contrast ratio of two colours: (L1 + 0.05) / (L2 + 0.05), lighter over darker (1 to 21)."""
    light, dark = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def map_style() -> dict:
    """The colours the tag map's page needs (JSON-ready)."""
    return {
        "noData": NO_DATA,
        "notTagged": NOT_TAGGED,
        "notTaggedLine": NOT_TAGGED_LINE,
        "tag": TAG_COLOUR,
        "tagScale": list(TAG_SCALE),
    }
