"""How often a user may be told "this resident ID is already registered to another member".

That answer covers the whole country: without a limit, a clerk could upload file after file of
guessed IDs and learn which exist. Each answer is audited (``IdClashAnswer``: who, when, how many,
never which), and a user gets at most ``TUOPIN_REGISTERED_ID_ANSWERS_PER_DAY`` of them a calendar
day (the site's time zone). A file or form that would go beyond it is refused whole, and so is every
later one that day that carries a resident ID, whether its IDs clash or not: a refusal that came
only with a clash would be the same oracle, one bit at a time.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from households.models import IdClashAnswer

#: ``TUOPIN_REGISTERED_ID_ANSWERS_PER_DAY`` when not set.
DEFAULT_PER_DAY = 100
#: The refusal: an import problem (stored in English, like the others) and a form error.
REFUSED = (
    "refused: your account has reached today's limit of {limit} resident IDs reported as registered to "
    "other members, so no resident ID of this file was checked; try again tomorrow or ask an administrator"
)
REFUSED_FORM = _(
    "Not checked: your account has reached today's limit of %(limit)s resident IDs reported as registered "
    "to other members. Try again tomorrow or ask an administrator."
)


def per_day() -> int:
    """``TUOPIN_REGISTERED_ID_ANSWERS_PER_DAY`` (default ``DEFAULT_PER_DAY``)."""
    return int(getattr(settings, "TUOPIN_REGISTERED_ID_ANSWERS_PER_DAY", DEFAULT_PER_DAY))


def refused_message() -> str:
    """The import problem of a refused file, with today's limit."""
    return REFUSED.format(limit=per_day())


def id_answers_allowed(*, user, clashes: int, checked: int, context: str, sha256: str = "") -> bool:
    """Decide whether ``user`` may be told that ``clashes`` of the ``checked`` resident IDs they
    entered are registered to other members, and audit the answer or the refusal.

    Allowed when the user was not refused today, today's answers stay within ``per_day()`` with these,
    and (already at the limit) when nothing is checked. A refusal is recorded too, and refuses the rest
    of the day. Nothing is recorded when there is nothing to tell (no clash, not refused). Call it
    once per file or form submission, before any answer is shown; users are serialised on their row.

    Args:
        user: the uploader or clerk; ``None`` or anonymous (a management command) is not limited.
        clashes: how many IDs are registered to another member; checked: how many valid IDs were
            looked up (0: nothing to answer, always allowed).
        context: "members import" or "household form"; sha256: the imported file's hash ('' for a form).

    Returns:
        ``True`` when the answers may be shown; ``False`` when the caller must refuse the whole
        file or form without saying which IDs clash.
    """
    if not checked:
        return True
    if user is None or not getattr(user, "is_authenticated", False):
        if clashes:
            IdClashAnswer.objects.create(user=None, count=clashes, context=context, sha256=sha256)
        return True
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()  # one decision at a time
        start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        today = IdClashAnswer.objects.filter(user=user, answered_at__gte=start)
        refused_before = today.filter(refused=True).exists()
        answered = today.filter(refused=False).aggregate(n=Sum("count"))["n"] or 0
        refused = refused_before or answered >= per_day() or answered + clashes > per_day()
        if clashes or refused:
            IdClashAnswer.objects.create(user=user, count=clashes, refused=refused, context=context, sha256=sha256)
    return not refused
