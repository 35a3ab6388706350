from django.urls import path, re_path, register_converter

from households import api


class BatchIdConverter:
    """An import batch id as the API's routes take it: any path segment, so that one that is no
    number (``/imports/abc/``) reaches the view, whose 404 is the API's JSON in the reader's language
    (``selectors.import_batch_get``), rather than the URL resolver's page."""

    regex = "[^/]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


register_converter(BatchIdConverter, "batch")

urlpatterns = [
    path("surveys/", api.SurveyListApi.as_view(), name="survey-list"),
    path("imports/", api.ImportListCreateApi.as_view(), name="import-list"),
    path("imports/<batch:pk>/", api.ImportDetailApi.as_view(), name="import-detail"),
    path("imports/<batch:pk>/commit/", api.ImportCommitApi.as_view(), name="import-commit"),
    path("imports/<batch:pk>/undo/", api.ImportUndoApi.as_view(), name="import-undo"),
    path("imports/<batch:pk>/rejected.xlsx", api.ImportRejectedRowsApi.as_view(), name="import-rejected"),
    re_path(
        r"^imports/templates/(?P<kind>[a-z-]+)\.(?P<extension>csv|xlsx)$",
        api.ImportTemplateApi.as_view(),
        name="import-template",
    ),
]
