"""Reads of household data, every one scoped to the user's assigned regions (DESIGN §2)."""

from django.db.models import Case, CharField, F, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Concat
from django.http import Http404
from django.utils.translation import gettext as _

from households.ids import registry_mask
from households.models import Household, ImportBatch
from regions.models import Assignment, Region, Role
from regions.selectors import READ_ROLES, WRITE_ROLES, scope_filter, user_region_paths


def households_visible_to(user, *, write: bool = False) -> QuerySet[Household]:
    """Households in the user's subtrees: read roles, or clerk/admin roles when ``write``."""
    roles = WRITE_ROLES if write else READ_ROLES
    return Household.objects.filter(scope_filter(user, roles=roles, path_field="region__path"))


def user_roles_over(user, region: Region) -> set[str]:
    """The roles ``user`` holds over ``region`` (through an assignment on it or any region above it).

    A superuser holds every role; an anonymous user none (one query).
    """
    if not getattr(user, "is_authenticated", False):
        return set()
    if user.is_superuser:
        return set(Role.values)
    held = Assignment.objects.filter(user=user).values_list("role", "region__path")
    return {role for role, path in held if region.path.startswith(path)}


def import_batches_visible_to(user) -> QuerySet[ImportBatch]:
    """Batches the user uploaded; every batch for a superuser; none for anyone else (ownership only:
    ``import_batch_in_scope`` adds the current scope, which ``import_batch_get`` and
    ``import_batches_recent`` check)."""
    if not getattr(user, "is_authenticated", False):
        return ImportBatch.objects.none()
    if user.is_superuser:
        return ImportBatch.objects.all()
    return ImportBatch.objects.filter(Q(uploaded_by=user))


def import_scope_paths(user) -> list[str]:
    """What an upload by ``user`` records as its regions (``ImportBatch.scope_paths``): the paths
    where the user is a data clerk or an admin now; ``[""]`` for a superuser or no user."""
    paths = user_region_paths(user, roles=WRITE_ROLES) if getattr(user, "is_authenticated", False) else None
    return [""] if paths is None else sorted(paths)


def import_batch_in_scope(batch: ImportBatch, write_paths: list[str] | None) -> bool:
    """True when the user whose clerk/admin subtrees are ``write_paths`` (``user_region_paths(user,
    roles=WRITE_ROLES)``, ``None`` for a superuser) covers every region of ``batch`` (its
    ``scope_paths``) now. A batch without regions is a superuser's only."""
    if write_paths is None:
        return True
    regions = batch.scope_paths or [""]
    return all(any(region.startswith(path) for path in write_paths) for region in regions)


def import_batches_recent(user, *, limit: int) -> list[ImportBatch]:
    """The user's newest ``limit`` batches that lie in the user's current scope (see
    ``import_batch_get``), newest first."""
    write_paths = user_region_paths(user, roles=WRITE_ROLES)
    batches = []
    for batch in import_batches_visible_to(user).order_by("-created_at").iterator(chunk_size=limit):
        if import_batch_in_scope(batch, write_paths):
            batches.append(batch)
            if len(batches) == limit:
                break
    return batches


def household_get(households: QuerySet[Household], *, public_id) -> Household:
    """The household of ``public_id`` among ``households`` (a queryset of ``households_visible_to``).

    Raises:
        Http404: none (not there, or not the user's), with the reason in the reader's language.
    """
    household = households.filter(public_id=public_id).first()
    if household is None:
        raise Http404(_("No such household in your regions."))
    return household


def import_batch_get(*, user, pk: int | str) -> ImportBatch:
    """One batch the user may act on: the user's own (or any, for a superuser), and only while the
    user is a data clerk or an admin over all of its regions (``ImportBatch.scope_paths``): a clerk
    moved to another village loses the batches of the old one (its report, files, commit, undo).

    Raises:
        Http404: no such batch, not the user's, or outside the user's current scope (the same
            answer, so ids reveal nothing).
    """
    batch = import_batches_visible_to(user).filter(pk=pk).first() if str(pk).isascii() and str(pk).isdigit() else None
    if batch is None or not import_batch_in_scope(batch, user_region_paths(user, roles=WRITE_ROLES)):
        raise Http404(_("No such import batch."))
    return batch


def import_batch_recompute_allowed(*, user, batch: ImportBatch) -> bool:
    """Whether ``user`` may recompute the scores of a batch's provinces now (the import page's
    button): a superuser, or an administrator (not a clerk, not an official) over every region of
    the batch (``ImportBatch.scope_paths``). The batch itself comes from ``import_batch_get``."""
    admin_paths = user_region_paths(user, roles=frozenset({Role.ADMIN}))
    return admin_paths is None or (bool(admin_paths) and import_batch_in_scope(batch, admin_paths))


def user_can_write_households(user) -> bool:
    """True for a superuser or a user with a clerk or admin assignment somewhere."""
    paths = user_region_paths(user, roles=WRITE_ROLES)
    return paths is None or bool(paths)


def registry_reveal_paths(user) -> list[str] | None:
    """The subtrees where ``user`` may see registry numbers unmasked: where they are a data clerk or
    an admin (DESIGN §4; one query). ``None`` for a superuser (everywhere), empty for nobody."""
    return user_region_paths(user, roles=WRITE_ROLES)


def registry_search(query: str, *, reveal_paths: list[str] | None) -> Q:
    """A filter of households by the start of their registry number, as the user sees the numbers.

    Where the user may see numbers whole (``reveal_paths``, ``registry_reveal_paths``), the query
    matches the start of the number; elsewhere the number is masked to its village code, and only
    that can match (the start of the village code). Else a full number typed in the search would
    tell an official which masked household it belongs to.
    """
    if reveal_paths is None:
        return Q(registry_number__startswith=query)
    revealed = Q(pk__in=[])
    for path in reveal_paths:
        revealed |= Q(region__path__startswith=path)
    return (revealed & Q(registry_number__startswith=query)) | Q(region__code__startswith=query)


def registry_sort_key(reveal_paths: list[str] | None, *, household: str = "", region: str = "region__"):
    """An ordering key of households that keeps the serials of masked registry numbers hidden.

    Where the user sees numbers whole (``reveal_paths``, ``registry_reveal_paths``) the key is the
    registry number (which starts with the village code); elsewhere it is the village code, a space
    and the household's public id (random), so the order of a masked list tells nothing about the
    serials its numbers hide. One text value per household, usable as a cursor's position.

    Args:
        household: the lookup prefix of the household's fields ("" on households, "household__" on
            surveys and scores); region: that of its village's fields ("region__" on households and
            scores, "household__region__" on surveys).
    """
    number = F(f"{household}registry_number")
    masked = Concat(
        F(f"{region}code"), Value(" "), Cast(F(f"{household}public_id"), CharField()), output_field=CharField()
    )
    if reveal_paths is None:
        return number
    if not reveal_paths:
        return masked
    revealed = Q(pk__in=[])
    for path in reveal_paths:
        revealed |= Q(**{f"{region}path__startswith": path})
    return Case(When(revealed, then=number), default=masked, output_field=CharField())


def registry_revealed(village_path: str, reveal_paths: list[str] | None) -> bool:
    """Whether registry numbers of the village at ``village_path`` show whole (``registry_shown``)."""
    return reveal_paths is None or any(village_path.startswith(path) for path in reveal_paths)


def registry_shown(number: str, *, village_path: str, reveal_paths: list[str] | None) -> str:
    """A registry number as ``user`` may see it: whole in a subtree of ``reveal_paths``
    (``registry_reveal_paths``), else masked with ``households.ids.registry_mask``.

    Args:
        number: the stored registry number.
        village_path: the path of the household's village (``/64/6404/640422/640422100/640422100002/``);
            its last code is the village code the mask keeps.
        reveal_paths: ``registry_reveal_paths(user)``.
    """
    if registry_revealed(village_path, reveal_paths):
        return number
    return registry_mask(number, village_path.rstrip("/").rsplit("/", 1)[-1])
