from django.urls import path, re_path

from households import api

urlpatterns = [
    path("surveys/", api.SurveyListApi.as_view(), name="survey-list"),
    path("imports/", api.ImportListCreateApi.as_view(), name="import-list"),
    path("imports/<int:pk>/", api.ImportDetailApi.as_view(), name="import-detail"),
    path("imports/<int:pk>/commit/", api.ImportCommitApi.as_view(), name="import-commit"),
    path("imports/<int:pk>/undo/", api.ImportUndoApi.as_view(), name="import-undo"),
    path("imports/<int:pk>/rejected.xlsx", api.ImportRejectedRowsApi.as_view(), name="import-rejected"),
    re_path(
        r"^imports/templates/(?P<kind>[a-z-]+)\.(?P<extension>csv|xlsx)$",
        api.ImportTemplateApi.as_view(),
        name="import-template",
    ),
]
