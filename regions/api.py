"""``/api/v1/regions/`` and ``/api/v1/regions/{code}/``: the region tree, public to read."""

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny

from config.api import ModelSerializer, StrictQueryParamsBackend
from regions import selectors
from regions.models import CN, Region, Tag
from regions.services.upsert import CODE_MESSAGE, CODE_PATTERN

_CODE = RegexValidator(rf"\A{CODE_PATTERN}\Z", CODE_MESSAGE)


class IntegerFilter(django_filters.NumberFilter):
    """A whole-number filter: ``?level=x`` or ``?level=1.5`` is a 400."""

    field_class = forms.IntegerField


class RegionFilter(django_filters.FilterSet):
    """Query parameters of the region list (DESIGN §7); an unknown region or tag is a 400."""

    scheme = django_filters.CharFilter(
        method="filter_scheme", validators=[_CODE], help_text="Tree to list (default cn; 'all' for every tree)."
    )
    level = IntegerFilter(
        field_name="level", min_value=1, max_value=20, help_text="Level: 1 province … 5 village in cn."
    )
    region = django_filters.CharFilter(
        method="filter_region", validators=[_CODE], help_text="A region code: that region and its subtree."
    )
    code_prefix = django_filters.CharFilter(
        field_name="code", lookup_expr="startswith", validators=[_CODE], help_text="Codes that start with this text."
    )
    tag = django_filters.CharFilter(method="filter_tag", validators=[_CODE], help_text="Regions carrying this tag.")

    class Meta:
        model = Region
        fields = ["scheme", "level", "region", "code_prefix", "tag"]

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("scheme"):
            queryset = queryset.filter(scheme=CN)
        return queryset

    def filter_scheme(self, queryset, name, value):
        if value == "all":
            return queryset
        if not Region.objects.filter(scheme=value).exists():
            raise serializers.ValidationError({"scheme": [_("No tree named %(scheme)s.") % {"scheme": value}]})
        return queryset.filter(scheme=value)

    def filter_region(self, queryset, name, value):
        path = Region.objects.filter(code=value).values_list("path", flat=True).first()
        if path is None:
            raise serializers.ValidationError({"region": [_("No region with code %(code)s.") % {"code": value}]})
        return queryset.filter(path__startswith=path)

    def filter_tag(self, queryset, name, value):
        if not Tag.objects.filter(code=value).exists():
            raise serializers.ValidationError({"tag": [_("No tag %(tag)s.") % {"tag": value}]})
        return queryset.filter(tag_assignments__tag__code=value)


class TagValueSerializer(serializers.Serializer):
    code = serializers.CharField(source="tag.code")
    name_zh = serializers.CharField(source="tag.name_zh")
    name_en = serializers.CharField(source="tag.name_en")
    value = serializers.JSONField(allow_null=True)


class RegionOutputSerializer(ModelSerializer):
    """A region as the API shows it; ``parent`` is the parent's code."""

    parent = serializers.CharField(source="parent_id", allow_null=True)
    display_name = serializers.SerializerMethodField()
    tags = TagValueSerializer(source="tag_assignments", many=True)

    class Meta:
        model = Region
        fields = ["code", "code12", "scheme", "name", "display_name", "level", "parent", "path", "tags"]

    def get_display_name(self, region: Region) -> str:
        return selectors.region_display_name(region)


class RegionDetailOutputSerializer(RegionOutputSerializer):
    children_count = serializers.IntegerField()
    predecessor = serializers.CharField(source="predecessor_id", allow_null=True)

    class Meta(RegionOutputSerializer.Meta):
        fields = [*RegionOutputSerializer.Meta.fields, "children_count", "valid_from", "valid_to", "predecessor"]


class RegionListApi(generics.ListAPIView):
    """List regions; filter by scheme, level, subtree, code prefix and tag."""

    permission_classes = [AllowAny]
    serializer_class = RegionOutputSerializer
    filter_backends = [StrictQueryParamsBackend, django_filters.rest_framework.DjangoFilterBackend]
    filterset_class = RegionFilter

    def get_queryset(self):
        return selectors.regions_list(scheme=None)


class RegionDetailApi(generics.RetrieveAPIView):
    """One region by code (any scheme), with its tags and the number of its children."""

    permission_classes = [AllowAny]
    serializer_class = RegionDetailOutputSerializer
    filter_backends = [StrictQueryParamsBackend]

    @extend_schema(operation_id="regions_retrieve")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_object(self):
        self.filter_queryset(Region.objects.none())  # rejects unknown query parameters
        return selectors.region_get(code=self.kwargs["code"])
