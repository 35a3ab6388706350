"""Admin: methodologies (read-only once used), poverty lines (added to supersede, never edited), runs."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from indicators.models import ComputationRun, Methodology, PovertyLine, RunChunk, WarningCase, WarningStep
from indicators.services.lines import line_supersede


@admin.register(Methodology)
class MethodologyAdmin(admin.ModelAdmin):
    list_display = ["version", "name", "is_default", "locked_at"]

    def get_readonly_fields(self, request, obj=None):
        return ["parameters", "version", "locked_at"] if obj and obj.locked_at else ["locked_at"]


@admin.register(PovertyLine)
class PovertyLineAdmin(admin.ModelAdmin):
    """A new line for a (year, type, province) supersedes the active one; saved lines are read-only."""

    list_display = ["year", "line_type", "province_code", "value", "status", "superseded_at"]
    list_filter = ["line_type", "year"]
    fields = ["year", "line_type", "province_code", "value", "status", "note"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        saved = line_supersede(
            year=obj.year,
            line_type=obj.line_type,
            value=obj.value,
            province_code=obj.province_code,
            status=obj.status,
            note=obj.note,
            user=request.user,
        )
        obj.pk = saved.pk


class RunChunkInline(admin.TabularInline):
    model = RunChunk
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in RunChunk._meta.fields]


@admin.register(ComputationRun)
class ComputationRunAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "period",
        "methodology",
        "status",
        "is_current",
        "full",
        "trigger",
        "started_at",
        "finished_at",
    ]
    list_filter = ["status", "period", "is_current"]
    inlines = [RunChunkInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # runs are the record of what was published


class WarningStepInline(admin.TabularInline):
    model = WarningStep
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in WarningStep._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WarningCase)
class WarningCaseAdmin(SimpleHistoryAdmin):
    """Warning cases, read-only: steps are taken on the case page, where the rules are checked."""

    list_display = ["id", "household", "period", "state", "category", "opened_at", "updated_at"]
    list_filter = ["state", "period", "category"]
    readonly_fields = [f.name for f in WarningCase._meta.fields]
    inlines = [WarningStepInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
