from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from households.models import (
    ChangeLog,
    Household,
    HouseholdSurvey,
    IdClashAnswer,
    IdDisclosure,
    ImportBatch,
    ImportDownload,
    Member,
    MonitoringStatus,
    SurveyPeriod,
    VillageSurvey,
)
from households.services.registry import changes_in, changes_mark_pairs, changes_of


class MarksChangesAdmin(SimpleHistoryAdmin):
    """An admin of household data whose every save, history revert and delete (one or a selection)
    marks the change log for the provinces and periods the rows touched before and after the write
    (``registry.changes_in``), as the clerk forms do: the nightly recompute reads only that log."""

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            before = changes_of(obj) if change else set()
            super().save_model(request, obj, form, change)
            changes_mark_pairs(before | changes_of(obj))

    def delete_model(self, request, obj):
        with transaction.atomic():
            touched = changes_of(obj)
            super().delete_model(request, obj)
            changes_mark_pairs(touched)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            touched = changes_in(queryset)
            super().delete_queryset(request, queryset)
            changes_mark_pairs(touched)


@admin.register(SurveyPeriod)
class SurveyPeriodAdmin(admin.ModelAdmin):
    list_display = ["year", "status"]


@admin.register(Household)
class HouseholdAdmin(MarksChangesAdmin):
    """Households; the monitoring status is read-only here. It changes on the household page (by hand,
    not to "risk eliminated") or in the warning workflow, both through ``households.services.status``
    (roles, rules, a dated change); a history revert keeps the current status."""

    list_display = ["registry_number", "region", "monitoring_status", "exit_year"]
    list_filter = ["monitoring_status"]
    search_fields = ["registry_number"]
    raw_id_fields = ["region", "import_batch"]
    list_select_related = ["region"]
    readonly_fields = ["monitoring_status"]

    def save_model(self, request, obj, form, change):
        """Keep the stored status: a history revert saves every field of the old version."""
        if change:
            stored = Household.objects.filter(pk=obj.pk).values_list("monitoring_status", flat=True).first()
            if stored is not None and obj.monitoring_status != stored:
                obj.monitoring_status = obj._stored_status = stored
                self.message_user(
                    request,
                    _(
                        "The monitoring status was kept (%(status)s): it changes on the household page or in the "
                        "warning workflow, not here."
                    )
                    % {"status": MonitoringStatus(stored).label},
                    messages.WARNING,
                )
        super().save_model(request, obj, form, change)


@admin.register(Member)
class MemberAdmin(MarksChangesAdmin):
    """Members without their resident IDs or birth dates: only the masked ID is shown (the full ID and
    birth date are given by the audited Show of the household page)."""

    list_display = ["household", "member_no", "resident_id_masked", "sex", "relation"]
    search_fields = ["household__registry_number"]
    exclude = ["resident_id_encrypted", "resident_id_hash", "birth_date"]
    readonly_fields = ["resident_id_masked"]
    raw_id_fields = ["household", "import_batch"]


@admin.register(HouseholdSurvey)
class HouseholdSurveyAdmin(MarksChangesAdmin):
    list_display = ["household", "period", "wage_income", "relief_transfers"]
    list_filter = ["period"]
    search_fields = ["household__registry_number"]
    raw_id_fields = ["household", "import_batch"]


@admin.register(VillageSurvey)
class VillageSurveyAdmin(MarksChangesAdmin):
    list_display = ["region", "period", "hardened_road", "tap_water_coverage"]
    list_filter = ["period"]
    raw_id_fields = ["region", "import_batch"]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "period", "original_name", "status", "rows_new", "rows_updated", "rows_rejected"]
    list_filter = ["kind", "status"]
    exclude = ["previous_rows"]
    # the file is kept encrypted and only read through the audited download (households.importing.originals)
    readonly_fields = ["file", "report", "scope_paths", "original_purged_at"]


@admin.register(ChangeLog)
class ChangeLogAdmin(admin.ModelAdmin):
    list_display = ["changed_at", "province_code", "period", "source", "import_batch"]
    list_filter = ["source", "period"]


@admin.register(IdDisclosure)
class IdDisclosureAdmin(admin.ModelAdmin):
    list_display = ["disclosed_at", "user", "member", "context"]
    readonly_fields = ["disclosed_at", "user", "member", "context"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ImportDownload)
class ImportDownloadAdmin(admin.ModelAdmin):
    list_display = ["downloaded_at", "user", "batch", "what"]
    list_filter = ["what"]
    readonly_fields = ["downloaded_at", "user", "batch", "what"]


@admin.register(IdClashAnswer)
class IdClashAnswerAdmin(admin.ModelAdmin):
    """The audit of "already registered to another member" answers and refusals (counts, no IDs)."""

    list_display = ["answered_at", "user", "count", "refused", "context", "sha256"]
    list_filter = ["refused", "context"]
    readonly_fields = ["answered_at", "user", "count", "refused", "context", "sha256"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
