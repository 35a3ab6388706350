"""``/api/v1/imports/``: upload with ``dry_run``, report, commit, undo, rejected rows, templates."""

import contextlib

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import StrictQueryParamsBackend
from households import selectors
from households.importing.columns import COLUMNS
from households.importing.commit import ImportRejected, import_commit, import_undo, import_upload
from households.importing.report import rejected_rows_xlsx
from households.importing.templates import template_csv, template_xlsx
from households.models import ImportBatch

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportInputSerializer(serializers.Serializer):
    file = serializers.FileField()
    kind = serializers.ChoiceField(choices=sorted(COLUMNS))
    period = serializers.IntegerField(min_value=1980, max_value=2100)
    dry_run = serializers.BooleanField(default=True)
    sheet = serializers.CharField(required=False, allow_blank=True, max_length=100)


class ProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    column = serializers.CharField(allow_blank=True)
    value = serializers.CharField(allow_blank=True)
    message = serializers.CharField()


class ImportOutputSerializer(serializers.ModelSerializer):
    problems = ProblemSerializer(source="report.problems", many=True, default=list)

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
            "problems",
        ]


class _ImportApi(APIView):
    permission_classes = [IsAuthenticated]
    filter_backends = [StrictQueryParamsBackend]

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
        batches = selectors.import_batches_visible_to(request.user).order_by("-created_at")[:200]
        return Response(ImportOutputSerializer(batches, many=True).data)

    @extend_schema(request={"multipart/form-data": ImportInputSerializer}, responses={201: ImportOutputSerializer})
    def post(self, request):
        self._writer(request)
        serializer = ImportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError({"file": [f"Larger than {MAX_UPLOAD_BYTES // 2**20} MB; split the file."]})
        batch, validation = import_upload(
            data=upload.read(),
            filename=upload.name,
            kind=serializer.validated_data["kind"],
            period=serializer.validated_data["period"],
            user=request.user,
            sheet=serializer.validated_data.get("sheet") or None,
        )
        if not serializer.validated_data["dry_run"] and not validation.problems:
            with contextlib.suppress(ImportRejected):  # when rejected, the batch says so, with the report
                import_commit(batch=batch, user=request.user)
            batch.refresh_from_db()
        return Response(ImportOutputSerializer(batch).data, status=status.HTTP_201_CREATED)


class ImportDetailApi(_ImportApi):
    """One batch with its report."""

    @extend_schema(responses=ImportOutputSerializer)
    def get(self, request, pk: int):
        return Response(ImportOutputSerializer(selectors.import_batch_get(user=request.user, pk=pk)).data)


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
    """The rejected rows of a batch as an annotated XLSX."""

    @extend_schema(responses={(200, XLSX): bytes})
    def get(self, request, pk: int):
        batch = selectors.import_batch_get(user=request.user, pk=pk)
        response = HttpResponse(rejected_rows_xlsx(batch), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="batch-{batch.pk}-rejected.xlsx"'
        return response


class ImportTemplateApi(APIView):
    """The template and column dictionary of a file kind (``csv`` or ``xlsx``); public."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=sorted(COLUMNS))],
        responses={(200, "text/csv"): bytes, (200, XLSX): bytes},
    )
    def get(self, request, kind: str, extension: str):
        StrictQueryParamsBackend().filter_queryset(request, None, self)
        if kind not in COLUMNS:
            raise ValidationError({"kind": [f"One of: {', '.join(sorted(COLUMNS))}."]})
        if extension == "csv":
            response = HttpResponse(template_csv(kind), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(template_xlsx(kind), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="tuopin-{kind}-template.{extension}"'
        return response
