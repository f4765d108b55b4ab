"""Target sheets (总体目标), their split and responsibility letters, and township
scorecards. Mounted under /indicators/ where they have always been (bookmarks keep
working): /indicators/targets/ and /indicators/scorecards/."""

from django.urls import include, path

from . import views

app_name = "targets"
urlpatterns = [
    path("targets/", views.sheet_list, name="sheet_list"),
    path("targets/new/", views.sheet_create, name="sheet_create"),
    path("targets/<int:pk>/", views.sheet_detail, name="sheet_detail"),
    path("targets/<int:pk>/edit/", views.sheet_edit, name="sheet_edit"),
    path("targets/<int:pk>/issue/", views.sheet_issue, name="sheet_issue"),
    path("targets/<int:pk>/export.xlsx", views.sheet_export, name="sheet_export"),
    path("targets/<int:pk>/items/new/", views.item_create, name="item_create"),
    path("targets/items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("targets/items/<int:pk>/delete/", views.item_delete, name="item_delete"),
    path("targets/items/<int:pk>/splits/", views.item_splits, name="item_splits"),
    path("targets/splits/<int:pk>/letter.docx", views.split_letter, name="split_letter"),
    path("targets/splits/<int:pk>/sign/", views.split_sign, name="split_sign"),
    path("scorecards/", include("tiantou.targets.scorecards.urls")),
]
