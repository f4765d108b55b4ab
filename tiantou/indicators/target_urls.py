"""Target sheets (总体目标), their split and responsibility letters: /indicators/targets/."""

from django.urls import path

from . import target_views as views

urlpatterns = [
    path("", views.sheet_list, name="sheet_list"),
    path("new/", views.sheet_create, name="sheet_create"),
    path("<int:pk>/", views.sheet_detail, name="sheet_detail"),
    path("<int:pk>/edit/", views.sheet_edit, name="sheet_edit"),
    path("<int:pk>/issue/", views.sheet_issue, name="sheet_issue"),
    path("<int:pk>/export.xlsx", views.sheet_export, name="sheet_export"),
    path("<int:pk>/items/new/", views.item_create, name="item_create"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/delete/", views.item_delete, name="item_delete"),
    path("items/<int:pk>/splits/", views.item_splits, name="item_splits"),
    path("splits/<int:pk>/letter.docx", views.split_letter, name="split_letter"),
    path("splits/<int:pk>/sign/", views.split_sign, name="split_sign"),
]
