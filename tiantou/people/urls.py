from django.urls import path

from . import import_views, views
from .selection import views as selection_views

app_name = "people"
urlpatterns = [
    path("", views.roster, name="roster"),
    path("export/", views.roster_export, name="roster_export"),
    path("import/", import_views.roster_import, name="roster_import"),
    path("counts/", views.posting_counts, name="posting_counts"),
    path("mine/", views.my_postings, name="my_postings"),
    path("register/", views.person_list, name="person_list"),
    path("register/add/", views.person_create, name="person_create"),
    path("register/<int:pk>/", views.person_detail, name="person_detail"),
    path("register/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/add/", views.programme_create, name="programme_create"),
    path("programmes/<int:pk>/edit/", views.programme_edit, name="programme_edit"),
    path("postings/add/", views.posting_create, name="posting_create"),
    path("postings/<int:pk>/", views.posting_detail, name="posting_detail"),
    path("postings/<int:pk>/edit/", views.posting_edit, name="posting_edit"),
    path("postings/<int:pk>/activate/", views.posting_activate, name="posting_activate"),
    path("postings/<int:pk>/recall/", views.posting_recall, name="posting_recall"),
    path("postings/<int:pk>/withdraw/", views.posting_withdraw, name="posting_withdraw"),
    path("postings/<int:pk>/letter/", views.posting_letter, name="posting_letter"),
    # selection (竞争答辩、择优选派、分配去向)
    path("selection/", selection_views.batch_list, name="batch_list"),
    path("selection/add/", selection_views.batch_create, name="batch_create"),
    path("selection/<int:pk>/", selection_views.batch_detail, name="batch_detail"),
    path("selection/<int:pk>/quotas/", selection_views.batch_quotas, name="batch_quotas"),
    path(
        "selection/<int:pk>/applicants/add/",
        selection_views.application_create,
        name="application_create",
    ),
    path(
        "selection/<int:pk>/start-scoring/",
        selection_views.batch_start_scoring,
        name="batch_start_scoring",
    ),
    path("selection/<int:pk>/score/", selection_views.batch_score, name="batch_score"),
    path(
        "selection/<int:pk>/close-scoring/",
        selection_views.batch_close_scoring,
        name="batch_close_scoring",
    ),
    path(
        "selection/<int:pk>/auto-allocate/",
        selection_views.batch_auto_allocate,
        name="batch_auto_allocate",
    ),
    path("selection/<int:pk>/publish/", selection_views.batch_publish, name="batch_publish"),
    path(
        "selection/<int:pk>/allocation.xlsx",
        selection_views.batch_allocation_xlsx,
        name="batch_allocation_xlsx",
    ),
    path(
        "selection/<int:pk>/allocation.docx",
        selection_views.batch_allocation_docx,
        name="batch_allocation_docx",
    ),
    path(
        "selection/applicants/<int:pk>/decide/",
        selection_views.application_decide,
        name="application_decide",
    ),
]
