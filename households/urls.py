from django.urls import path

from households import views

#: ``pk`` in a household's routes is its public id (``Household.public_id``, a random UUID), never the
#: sequential key; batches keep their numbers (each is its uploader's own).

app_name = "households"

urlpatterns = [
    path("households/", views.household_list, name="list"),
    path("households/new/", views.household_edit, name="create"),
    path("households/<uuid:pk>/", views.household_detail, name="detail"),
    path("households/<uuid:pk>/edit/", views.household_edit, name="edit"),
    path("households/<uuid:pk>/members/<int:member_pk>/reveal/", views.member_reveal, name="member-reveal"),
    path("households/<uuid:pk>/status/", views.status_change_create, name="status-change"),
    path("households/<uuid:pk>/surveys/", views.household_survey_go, name="survey-go"),
    path("households/<uuid:pk>/surveys/<int:year>/", views.household_survey_edit, name="survey"),
    path("households/<uuid:pk>/statuses/<int:year>/", views.member_statuses_edit, name="statuses"),
    path("villages/<str:code>/surveys/<int:year>/", views.village_survey_edit, name="village-survey"),
    path("imports/", views.import_list, name="imports"),
    path("imports/<int:pk>/", views.import_detail, name="import-detail"),
    path("imports/<int:pk>/status/", views.import_status, name="import-status"),
    path("imports/<int:pk>/rejected.xlsx", views.import_rejected, name="import-rejected"),
    path("imports/<int:pk>/file", views.import_file, name="import-file"),
]
