"""``/api/v1/imports/``: upload with ``dry_run``, report, commit, undo, rejected rows, templates;
``/api/v1/surveys/``: household surveys in the caller's assigned regions."""

import contextlib

import django_filters
from django.core.validators import RegexValidator
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import CursorPagination, ModelSerializer, StrictFormatMixin, StrictQueryParamsBackend
from config.renderers import CSVRenderer
from households import selectors
from households.importing.background import batch_progress, import_upload_start, upload_limit_mb, upload_too_large
from households.importing.columns import COLUMNS
from households.importing.commit import ImportRejected, import_commit, import_undo
from households.importing.messages import problem_message
from households.importing.originals import OriginalGone, import_download_record
from households.importing.report import FILENAME as MARKED_FILENAME
from households.importing.report import problems_marked_xlsx
from households.importing.templates import template_csv, template_xlsx
from households.models import HouseholdSurvey, ImportBatch, ImportDownload, future_year_problem
from regions.api import IntegerFilter
from regions.models import Region
from regions.services.upsert import CODE_MESSAGE, CODE_PATTERN

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportInputSerializer(serializers.Serializer):
    file = serializers.FileField()
    kind = serializers.ChoiceField(choices=sorted(COLUMNS))
    period = serializers.IntegerField(
        min_value=1980,
        max_value=2100,
        required=False,
        allow_null=True,
        help_text="The survey year; not needed for a households file.",
    )
    dry_run = serializers.BooleanField(default=True)
    sheet = serializers.CharField(required=False, allow_blank=True, max_length=100)

    def validate_period(self, value):
        problem = future_year_problem(value)
        if problem:
            raise ValidationError(problem)
        return value

    def validate(self, attrs):
        if attrs.get("kind") != "households" and attrs.get("period") is None:
            raise ValidationError({"period": [_("Give the survey year of a members or survey file.")]})
        return attrs


class ProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The row as in the file (1: the header); 0: the whole file.")
    column = serializers.CharField(allow_blank=True, help_text="The column's header as in the file.")
    value = serializers.CharField(allow_blank=True, help_text="The cell's text (resident IDs masked).")
    code = serializers.CharField(
        allow_blank=True, default="", help_text="What is wrong, for programs ('' in reports older than codes)."
    )
    params = serializers.DictField(default=dict, help_text="The message's parameters (row numbers, bounds, …).")
    message = serializers.SerializerMethodField(help_text="The problem in the request's language (Accept-Language).")

    @extend_schema_field(OpenApiTypes.STR)
    def get_message(self, problem: dict) -> str:
        return problem_message(problem)


class ProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField(source="progress_done", help_text="Rows of the file read so far.")
    total = serializers.IntegerField(
        source="progress_total", allow_null=True, help_text="Rows in the file; null until known."
    )


class ImportOutputSerializer(ModelSerializer):
    problems = ProblemSerializer(source="report.problems", many=True, default=list)
    progress = ProgressSerializer(
        source="*", help_text="While the status is 'validating' (a large file, checked in a task): how far."
    )
    preview = serializers.JSONField(
        source="report.preview",
        default=None,
        read_only=True,
        help_text="The first rows as parsed (households.importing.preview): columns (fields), rows (row, "
        "status, values by field: choice codes, numbers as stored, masked identifiers) and total; null "
        "when the file could not be parsed.",
    )

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "kind",
            "period",
            "original_name",
            "encoding",
            "status",
            "rows_new",
            "rows_updated",
            "rows_unchanged",
            "rows_rejected",
            "created_at",
            "committed_at",
            "undone_at",
            "progress",
            "problems",
            "preview",
        ]


class _ImportApi(APIView):
    permission_classes = [IsAuthenticated]
    filter_backends = [StrictQueryParamsBackend]
    common_query_params = ("format",)  # not paginated: ?page= would be silently ignored

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        StrictQueryParamsBackend().filter_queryset(request, None, self)

    def _writer(self, request):
        if not selectors.user_can_write_households(request.user):
            raise PermissionDenied("Only data clerks and administrators import data.")


class ImportListCreateApi(_ImportApi):
    """Upload a file: validate it and keep the report (``dry_run``, the default), or also commit it."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses=ImportOutputSerializer(many=True))
    def get(self, request):
        batches = selectors.import_batches_recent(request.user, limit=200)
        return Response(ImportOutputSerializer(batches, many=True).data)

    @extend_schema(
        request={"multipart/form-data": ImportInputSerializer},
        responses={201: ImportOutputSerializer, 202: ImportOutputSerializer},
        description="A file larger than TUOPIN_IMPORT_ASYNC_BYTES is checked (and, without dry_run, committed) "
        "in a task: the answer is 202 with the batch's URL (also in Location), status 'validating' and its "
        "progress; poll that URL until the status changes.",
    )
    def post(self, request):
        self._writer(request)
        serializer = ImportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        if upload_too_large(upload.size):
            raise ValidationError({"file": [_("Larger than %(mb)s MB; split the file.") % {"mb": upload_limit_mb()}]})
        batch, validation = import_upload_start(
            data=upload.read(),
            filename=upload.name,
            kind=serializer.validated_data["kind"],
            period=serializer.validated_data.get("period"),
            user=request.user,
            sheet=serializer.validated_data.get("sheet") or None,
            commit=not serializer.validated_data["dry_run"],
        )
        if validation is None:  # a large file: checked in a task
            batch.refresh_from_db()  # the task has run already when Celery runs tasks in-process
            url = request.build_absolute_uri(reverse("import-detail", kwargs={"pk": batch.pk}))
            body = {**ImportOutputSerializer(batch).data, "url": url}
            return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": url})
        if not serializer.validated_data["dry_run"] and not validation.problems:
            with contextlib.suppress(ImportRejected):  # when rejected, the batch says so, with the report
                import_commit(batch=batch, user=request.user)
            batch.refresh_from_db()
        return Response(ImportOutputSerializer(batch).data, status=status.HTTP_201_CREATED)


class ImportDetailApi(_ImportApi):
    """One batch with its report."""

    @extend_schema(responses=ImportOutputSerializer)
    def get(self, request, pk: int):
        batch = selectors.import_batch_get(user=request.user, pk=pk)
        batch_progress(batch)  # a check whose worker died is recorded as rejected
        return Response(ImportOutputSerializer(batch).data)


class ImportCommitApi(_ImportApi):
    """Commit a validated batch (validated again first; all rows or none)."""

    @extend_schema(request=None, responses=ImportOutputSerializer)
    def post(self, request, pk: int):
        self._writer(request)
        batch = selectors.import_batch_get(user=request.user, pk=pk)
        try:
            import_commit(batch=batch, user=request.user)
        except ImportRejected as error:
            batch.refresh_from_db()
            return Response(
                {"detail": str(error), **ImportOutputSerializer(batch).data}, status=status.HTTP_409_CONFLICT
            )
        batch.refresh_from_db()
        return Response(ImportOutputSerializer(batch).data)


class ImportUndoApi(_ImportApi):
    """Undo a committed batch: its rows go back to how they were."""

    @extend_schema(request=None, responses=ImportOutputSerializer)
    def post(self, request, pk: int):
        self._writer(request)
        batch = selectors.import_batch_get(user=request.user, pk=pk)
        try:
            import_undo(batch=batch, user=request.user)
        except ImportRejected as error:
            return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)
        batch.refresh_from_db()
        return Response(ImportOutputSerializer(batch).data)


class ImportRejectedRowsApi(_ImportApi):
    """Every row of a batch's file as an XLSX, the problems marked beside the bad ones, to fix and
    upload again whole (resident IDs masked; each download is audited); 410 once the uploaded file is
    purged after the retention period."""

    @extend_schema(responses={(200, XLSX): bytes, 410: OpenApiTypes.OBJECT})
    def get(self, request, pk: int):
        batch = selectors.import_batch_get(user=request.user, pk=pk)
        try:
            content = problems_marked_xlsx(batch)
        except OriginalGone as gone:
            return Response({"detail": str(gone)}, status=status.HTTP_410_GONE)
        import_download_record(user=request.user, batch=batch, what=ImportDownload.What.REJECTED)
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{MARKED_FILENAME.format(pk=batch.pk)}"'
        return response


class ImportTemplateApi(APIView):
    """The template and column dictionary of a file kind (``csv`` or ``xlsx``); public."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=sorted(COLUMNS)),
            OpenApiParameter("extension", str, OpenApiParameter.PATH, enum=["csv", "xlsx"]),
        ],
        responses={(200, "text/csv"): bytes, (200, XLSX): bytes},
    )
    def get(self, request, kind: str, extension: str):
        StrictQueryParamsBackend().filter_queryset(request, None, self)
        if kind not in COLUMNS:
            raise ValidationError({"kind": [_("One of: %(choices)s.") % {"choices": ", ".join(sorted(COLUMNS))}]})
        if extension == "csv":
            response = HttpResponse(template_csv(kind), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(template_xlsx(kind), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="tuopin-{kind}-template.{extension}"'
        return response


class SurveyOutputSerializer(ModelSerializer):
    """A household survey: money in yuan per year for the household; no names, no resident IDs, and
    the household by its public id (no sequential key)."""

    household = serializers.UUIDField(
        source="household.public_id", help_text="The household's public id (as in its page's address)."
    )

    registry_number = serializers.SerializerMethodField(
        help_text="Masked (640422100002**01: the village code and the last two characters) unless the caller "
        "is a data clerk or an admin of the household's village or a region above it."
    )
    region = serializers.CharField(source="household.region.code", help_text="The household's village.")
    period = serializers.IntegerField(source="period_id")

    class Meta:
        model = HouseholdSurvey
        money = (*HouseholdSurvey.LEDGER_FIELDS, "medical_spending", "education_spending", "disaster_loss")
        fields = [
            "household",
            "registry_number",
            "region",
            "period",
            *money,
            *HouseholdSurvey.GUARANTEE_FIELDS,
            "job_loss",
            "industry_project",
            "cooperative",
            "employment_post",
            "micro_credit",
            "relocation",
            "enterprise_link",
            "sampling_weight",
            "equivalence_scale",
        ]
        extra_kwargs = {f: {"coerce_to_string": False} for f in (*money, "sampling_weight", "equivalence_scale")}

    @extend_schema_field(OpenApiTypes.STR)
    def get_registry_number(self, survey) -> str:
        """The registry number as the caller may see it (``context["reveal_paths"]``; ``selectors.registry_shown``)."""
        household = survey.household
        return selectors.registry_shown(
            household.registry_number, village_path=household.region.path, reveal_paths=self.context["reveal_paths"]
        )


class SurveyFilter(django_filters.FilterSet):
    """Query parameters of the survey list; an unknown region is a 400."""

    region = django_filters.CharFilter(
        method="filter_region",
        validators=[RegexValidator(rf"\A{CODE_PATTERN}\Z", CODE_MESSAGE)],
        help_text="A region code: surveys of households in that region's subtree.",
    )
    period = IntegerFilter(field_name="period_id", min_value=1980, max_value=2100, help_text="A survey year.")

    class Meta:
        model = HouseholdSurvey
        fields = ["region", "period"]

    def filter_region(self, queryset, name, value):
        path = Region.objects.filter(code=value).values_list("path", flat=True).first()
        if path is None:
            raise serializers.ValidationError({"region": [_("No region with code %(code)s.") % {"code": value}]})
        return queryset.filter(household__region__path__startswith=path)


class SurveyPagination(CursorPagination):
    # registry_key: households.selectors.registry_sort_key (masked numbers by village and public id)
    ordering = ("registry_key", "period_id")


class SurveyListApi(StrictFormatMixin, generics.ListAPIView):
    """Household surveys in the caller's assigned regions (login or token), by registry number and
    period where the caller sees numbers whole, else by village and the household's public id (not by
    the hidden serial); cursor-paginated; JSON or CSV."""

    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer, CSVRenderer]
    serializer_class = SurveyOutputSerializer
    pagination_class = SurveyPagination
    filter_backends = [StrictQueryParamsBackend, django_filters.rest_framework.DjangoFilterBackend]
    filterset_class = SurveyFilter
    common_query_params = ("cursor", "page_size", "format")
    csv_filename = "surveys"

    @extend_schema(
        parameters=[
            OpenApiParameter("format", str, enum=["json", "csv"], description="csv: UTF-8 with a BOM."),
            OpenApiParameter("period", {"type": "integer", "minimum": 1980, "maximum": 2100}, description="A year."),
            OpenApiParameter(
                "page_size", {"type": "integer", "minimum": 1, "maximum": 1000}, description="Rows per page (100)."
            ),
        ],
        responses={
            (200, "application/json"): SurveyOutputSerializer(many=True),
            (200, "text/csv"): OpenApiTypes.STR,
            (400, "application/json"): OpenApiTypes.OBJECT,
            (403, "application/json"): OpenApiTypes.OBJECT,
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def _reveal_paths(self) -> list[str] | None:
        if not hasattr(self, "_reveal"):
            self._reveal = selectors.registry_reveal_paths(self.request.user)
        return self._reveal

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "reveal_paths": self._reveal_paths()}

    def get_queryset(self):
        visible = selectors.households_visible_to(self.request.user)
        key = selectors.registry_sort_key(self._reveal_paths(), household="household__", region="household__region__")
        return (
            HouseholdSurvey.objects.filter(household__in=visible)
            .select_related("household__region")
            .annotate(registry_key=key)
        )
