from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("users/", views.user_list, name="user_list"),
    path("me/", views.profile, name="profile"),
    path("tokens/", views.token_list, name="token_list"),
]
