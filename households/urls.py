from django.urls import path

from households import views

app_name = "households"

urlpatterns = [
    path("households/", views.household_list, name="list"),
    path("households/new/", views.household_edit, name="create"),
    path("households/<int:pk>/", views.household_detail, name="detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="edit"),
    path("households/<int:pk>/members/<int:member_pk>/reveal/", views.member_reveal, name="member-reveal"),
    path("households/<int:pk>/status/", views.status_change_create, name="status-change"),
    path("households/<int:pk>/surveys/", views.household_survey_go, name="survey-go"),
    path("households/<int:pk>/surveys/<int:year>/", views.household_survey_edit, name="survey"),
    path("households/<int:pk>/statuses/<int:year>/", views.member_statuses_edit, name="statuses"),
    path("villages/<str:code>/surveys/<int:year>/", views.village_survey_edit, name="village-survey"),
    path("imports/", views.import_list, name="imports"),
    path("imports/<int:pk>/", views.import_detail, name="import-detail"),
    path("imports/<int:pk>/status/", views.import_status, name="import-status"),
    path("imports/<int:pk>/rejected.xlsx", views.import_rejected, name="import-rejected"),
    path("imports/<int:pk>/file", views.import_file, name="import-file"),
]
