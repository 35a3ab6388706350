from django.contrib import admin

from regions.models import Assignment, Boundary, BoundaryCrosswalk, Region, RegionTag, Tag


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "scheme", "parent"]
    list_filter = ["scheme", "level"]
    search_fields = ["^code", "name"]  # a code from its start (an index), a name anywhere
    raw_id_fields = ["parent", "predecessor"]
    readonly_fields = ["code12", "path", "province_code", "prefecture_code", "county_code", "township_code"]
    list_select_related = ["parent"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en"]


@admin.register(RegionTag)
class RegionTagAdmin(admin.ModelAdmin):
    list_display = ["region", "tag", "value"]
    list_filter = ["tag"]
    search_fields = ["region__code", "region__name"]
    autocomplete_fields = ["region"]
    list_select_related = ["region", "tag"]


@admin.register(Boundary)
class BoundaryAdmin(admin.ModelAdmin):
    list_display = ["level", "code", "name", "source_code"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    exclude = ["geometry"]


@admin.register(BoundaryCrosswalk)
class BoundaryCrosswalkAdmin(admin.ModelAdmin):
    list_display = ["source_code", "code", "note"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "region"]
    list_filter = ["role"]
    search_fields = ["user__username", "region__code", "region__name"]
    # chosen by code or name from a search box: a raw id field took the internal id, so typing
    # Gansu's code "62" assigned the region whose id is 62 (a tester's finding)
    autocomplete_fields = ["region"]
    list_select_related = ["user", "region"]
